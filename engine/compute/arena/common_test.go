package arena_test

import (
	"math"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/models/synth"
)

// writeVocab writes synth's tiny vocabulary into dir: the engine's forward
// pass takes token ids, so any vocabulary of the right size does.
func writeVocab(tb testing.TB, dir string) string {
	tb.Helper()
	path := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(path); err != nil {
		tb.Fatal(err)
	}
	return path
}

var modelFiles = struct {
	sync.Mutex
	dir   string
	paths map[string]string
}{paths: map[string]string{}}

// synthModel writes the synthetic model spec describes (once per test
// binary, in a temporary folder) and returns its path.
func synthModel(tb testing.TB, name string, spec synth.Spec) string {
	tb.Helper()
	modelFiles.Lock()
	defer modelFiles.Unlock()
	if p, ok := modelFiles.paths[name]; ok {
		return p
	}
	if modelFiles.dir == "" {
		dir, err := os.MkdirTemp("", "hearth-arena-")
		if err != nil {
			tb.Fatal(err)
		}
		modelFiles.dir = dir
		writeVocab(tb, dir)
	}
	spec.VocabPath = filepath.Join(modelFiles.dir, "vocab.gguf")
	p := filepath.Join(modelFiles.dir, name+".gguf")
	if err := synth.WriteFile(p, spec); err != nil {
		tb.Fatal(err)
	}
	modelFiles.paths[name] = p
	return p
}

func TestMain(m *testing.M) {
	code := m.Run()
	if modelFiles.dir != "" {
		os.RemoveAll(modelFiles.dir)
	}
	os.Exit(code)
}

// smallLlama is a two-layer llama with grouped-query attention whose rows
// (256, 512) suit every k-quant, and whose matrices all have row counts
// that are multiples of 32: the shapes on which the reference takes
// llama.cpp's AMX order.
func smallLlama(typ dtype.Type) synth.Spec {
	return synth.Spec{Arch: synth.Llama, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2, NFF: 512, Type: typ, Seed: 11}
}

// deepLlama is smallLlama with six layers: enough for llama.cpp's x86
// order and the wasm kernels' order to choose different greedy tokens
// after a few steps.
func deepLlama(typ dtype.Type) synth.Spec {
	s := smallLlama(typ)
	s.NLayer = 6
	return s
}

// loadModel loads path into backend b.
func loadModel(tb testing.TB, path string, b compute.Backend) *model.Model {
	tb.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	m, err := model.Load(f, b)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(m.Close)
	return m
}

var testPrompt = []int32{1, 7, 23, 4, 49, 0, 12, 33, 18, 260, 301, 5}

// run evaluates the prompt (logits at every position) and then continues
// greedily for steps tokens one at a time; it returns every position's
// logits and the tokens chosen.
func run(tb testing.TB, m *model.Model, steps int) (logits [][]float32, tokens []int32) {
	tb.Helper()
	s, err := m.NewSession(model.SessionOptions{Context: 64})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	all, err := s.ForwardAll(testPrompt)
	if err != nil {
		tb.Fatal(err)
	}
	v := m.HP.Vocab
	for i := range testPrompt {
		logits = append(logits, all[i*v:(i+1)*v])
	}
	next := argmax(logits[len(logits)-1])
	for range steps {
		tokens = append(tokens, next)
		l, err := s.Forward([]int32{next})
		if err != nil {
			tb.Fatal(err)
		}
		logits = append(logits, append([]float32(nil), l...))
		next = argmax(l)
	}
	return logits, tokens
}

func argmax(x []float32) int32 {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return int32(best)
}

// logitDiff is the largest |a−b| over all positions, and the largest |b|.
func logitDiff(a, b [][]float32) (diff, scale float64) {
	for p := range a {
		for i := range a[p] {
			diff = math.Max(diff, math.Abs(float64(a[p][i]-b[p][i])))
			scale = math.Max(scale, math.Abs(float64(b[p][i])))
		}
	}
	return diff, scale
}

// modelTypes are the weight types of the whole-model tests: the ones real
// files use most (Q8_0, Q4_0, Q4_K with Q6_K, F16, BF16), F32, and Q5_0,
// whose x86 order is neither AMX nor generic.
var modelTypes = []dtype.Type{dtype.Q8_0, dtype.Q4_0, dtype.Q4_K, dtype.Q6_K, dtype.Q5_0, dtype.F16, dtype.BF16, dtype.F32}

// always picks every weight type (for Options.ReferenceMatMul).
func always(dtype.Type) bool { return true }

// modelCase is a synthetic model of the whole-model tests.
type modelCase struct {
	name  string
	spec  synth.Spec
	steps int     // greedy steps after the prompt
	tol   float64 // of the largest logit: how far the default order may be
}

// modelCases are smallLlama in every type of modelTypes, and two deeper
// models (six layers, AMX-sized rows) on which llama.cpp's x86 order and
// the wasm kernels' order give different greedy text after a few tokens.
func modelCases() []modelCase {
	var cs []modelCase
	for _, typ := range modelTypes {
		cs = append(cs, modelCase{"llama-" + typ.String(), smallLlama(typ), 8, 2e-2})
	}
	for _, typ := range []dtype.Type{dtype.Q4_0, dtype.Q5_0} {
		cs = append(cs, modelCase{"deep-llama-" + typ.String(), deepLlama(typ), 12, 5e-2})
	}
	for _, m := range moeModels() {
		cs = append(cs, modelCase{m.name, m.spec, 8, 2e-2})
	}
	return cs
}

// moeModels are mixture-of-experts models on the small shapes: each
// routes through the sparse path (router read back, experts run over the
// rows that chose them, weighted outputs scattered and summed).
func moeModels() []struct {
	name string
	spec synth.Spec
} {
	mixtral := smallLlama(dtype.Q8_0)
	mixtral.NExpert, mixtral.NExpertUsed = 4, 2
	qwen3moe := synth.Spec{Arch: synth.Qwen3MoE, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2, HeadDim: 64,
		NExpert: 8, NExpertUsed: 3, NFFExp: 256, Type: dtype.Q4_K, Seed: 12}
	qwen2moe := synth.Spec{Arch: synth.Qwen2MoE, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2,
		NExpert: 6, NExpertUsed: 2, NFFExp: 256, NFFShexp: 512, Type: dtype.Q4_0, Seed: 13}
	g := synth.DefaultGraniteScales()
	granite := synth.Spec{Arch: synth.GraniteMoE, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2,
		NExpert: 4, NExpertUsed: 4, NFFExp: 256, NFFShexp: 256, Granite: &g, Type: dtype.F32, Seed: 14}
	return []struct {
		name string
		spec synth.Spec
	}{{"llama-moe-Q8_0", mixtral}, {"qwen3moe-Q4_K", qwen3moe}, {"qwen2moe-Q4_0", qwen2moe}, {"granitemoe-F32", granite}}
}
