// Package model holds the transformer architectures: one file each, whose
// struct mirrors the GGUF tensor names and whose forward pass is written
// against compute.Backend, so the same code runs on every backend.
//
//	m, err := model.Load(f, backend)
//	s, err := m.NewSession(model.SessionOptions{Context: 4096})
//	logits, err := s.Forward(promptIDs)   // last position
//	logits, err = s.Forward([]int32{next}) // the cache advances
package model

import (
	"fmt"
	"slices"
	"sort"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
)

// network is what an architecture file provides: its forward pass.
type network interface {
	// forward runs in's rows (token ids or embeddings, at positions
	// pos0 …) through the model, storing their keys and values in s's
	// cache, and writes the logits of the rows out asks for into out.
	forward(s *Session, in input, pos0 int, out outputs)
}

// outputs says which rows of a batch need logits.
type outputs int

const (
	outNone outputs = iota // none: an earlier chunk of a long prompt
	outLast                // the last row only
	outAll                 // every row
)

// constructor binds an architecture's weights.
type constructor func(hp *Hyperparameters, bd *binder) (network, error)

var architectures = map[string]constructor{}

// register makes an architecture loadable under its general.architecture
// name. Each architecture file calls it from init.
func register(name string, c constructor) {
	if _, dup := architectures[name]; dup {
		panic("model: architecture " + name + " registered twice")
	}
	architectures[name] = c
}

// Architectures lists the general.architecture values Load accepts.
func Architectures() []string {
	names := make([]string, 0, len(architectures))
	for n := range architectures {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

// Model is a loaded model: its hyperparameters, its weights in a backend,
// and its architecture's forward pass.
type Model struct {
	HP      Hyperparameters
	Backend compute.Backend
	// WeightType is the type of most of the weights (token_embd's type
	// when the file does not say).
	WeightType dtype.Type

	net     network
	weights []compute.Tensor
	experts *expertCache // the expert cache, when experts are paged (moe_cache.go)
}

// Load reads the hyperparameters and binds the weights of f's
// architecture, streaming them into backend. f must stay open while the
// model loads; afterwards the model no longer reads it.
func Load(f *gguf.File, backend compute.Backend) (*Model, error) {
	return LoadWith(f, backend, LoadOptions{})
}

// LoadWith is Load with options: with opt.ExpertBudget a mixture of
// experts pages its experts from f, which must then stay open for the
// model's life.
func LoadWith(f *gguf.File, backend compute.Backend, opt LoadOptions) (*Model, error) {
	hp, err := readHyperparameters(f)
	if err != nil {
		return nil, err
	}
	c, ok := architectures[hp.Arch]
	if !ok {
		return nil, fmt.Errorf("model: unknown architecture %q (supported: %v)", hp.Arch, Architectures())
	}
	embd, ok := f.Tensor("token_embd.weight")
	if !ok {
		return nil, fmt.Errorf("model: missing tensor \"token_embd.weight\"")
	}
	if len(embd.Shape) < 2 || embd.Shape[1] <= 0 || embd.Shape[1] > 1<<31-1 {
		return nil, fmt.Errorf("model: tensor \"token_embd.weight\" has shape %v, want [%d n_vocab]", embd.Shape, hp.Embd)
	}
	hp.Vocab = int(embd.Shape[1])
	if toks := f.Meta().Strings("tokenizer.ggml.tokens", true); toks != nil && len(toks) != hp.Vocab {
		return nil, fmt.Errorf("model: the vocabulary has %d tokens but token_embd.weight has %d rows", len(toks), hp.Vocab)
	}
	bd := newBinder(f, backend)
	if opt.ExpertBudget > 0 && hp.Experts > 0 {
		plan, err := planExperts(f, &hp, opt.ExpertBudget)
		if err != nil {
			return nil, err
		}
		bd.experts = &expertCache{f: f, b: backend, stats: ExpertCacheStats{ExpertCachePlan: *plan}}
	}
	net, err := c(&hp, bd)
	if err == nil {
		err = bd.Err()
	}
	if err != nil {
		bd.Release()
		return nil, err
	}
	return &Model{HP: hp, Backend: backend, WeightType: weightType(f, embd.Type), net: net, weights: bd.Owned(), experts: bd.experts}, nil
}

// weightType names the file's main weight type: the most common type among
// the 2-D tensors, by bytes.
func weightType(f *gguf.File, def dtype.Type) dtype.Type {
	bytes := map[dtype.Type]int64{}
	for _, t := range f.Tensors {
		if len(t.Shape) >= 2 {
			bytes[t.Type] += t.Size
		}
	}
	best, most := def, int64(-1)
	types := make([]dtype.Type, 0, len(bytes))
	for t := range bytes {
		types = append(types, t)
	}
	slices.Sort(types)
	for _, t := range types {
		if bytes[t] > most {
			best, most = t, bytes[t]
		}
	}
	return best
}

// Close frees the model's weights (not the backend).
func (m *Model) Close() {
	for _, t := range m.weights {
		m.Backend.Free(t)
	}
	m.weights = nil
}
