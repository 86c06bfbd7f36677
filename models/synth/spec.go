// Package synth writes synthetic GGUF models: the tensor names, shapes and
// hyperparameter keys that llama.cpp expects of a real architecture, a real
// tokenizer copied from a vocabulary GGUF, and random weights from a seeded
// generator. Tests run the same file through Hearth and through llama.cpp and
// compare what they compute.
//
// The weights are scaled so the model is numerically healthy: matrices have a
// standard deviation of about 1/sqrt(fan_in), so every projection keeps its
// input's magnitude; norm weights are near 1; and the output projection gives
// last-position logits with a standard deviation of about 2, so greedy choices
// are usually decided by clear margins. Expert routers (kept F32, as
// llama-quantize keeps them) give logits of standard deviation 2, so tokens
// spread over the experts without ties. Granite's multipliers are undone by
// the weights they act on (embeddings drawn 1/embedding_scale as large, and so
// on), so a Granite model's activations are as healthy as the others' while
// every multiplier still matters to whoever runs it.
package synth

import (
	"fmt"
	"strings"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Architectures Write knows. The routing notes say what llama.cpp's graph
// does with the experts: the router's logits go through a softmax over all
// experts, the top NExpertUsed are kept, and their probabilities either are
// renormalised to sum to 1 or are used as they are.
const (
	Llama    = "llama"    // Llama 2/3, Mistral, SmolLM2; Mixtral-style experts when NExpert > 0 (renormalised)
	Qwen2    = "qwen2"    // biases on the q/k/v projections
	Qwen3    = "qwen3"    // per-head RMS norms on q and k
	Qwen3MoE = "qwen3moe" // qwen3 attention, mixture-of-experts feed-forward (renormalised)
	Phi3     = "phi3"     // fused qkv projection, fused gate+up projection
	// Qwen2MoE is qwen2 attention with experts (not renormalised) plus a
	// shared expert whose output is scaled by sigmoid(ffn_gate_inp_shexp·x).
	Qwen2MoE = "qwen2moe"
	// OLMoE has RMS norms over the whole q and k projections (not per
	// head) and experts (not renormalised).
	OLMoE = "olmoe"
	// Granite is llama with embedding, residual, attention and logit
	// multipliers (GraniteScales).
	Granite = "granite"
	// GraniteMoE is granite with experts (renormalised) and, as
	// GraniteMoeShared, an ungated shared expert when NFFShexp > 0.
	GraniteMoE = "granitemoe"
)

// Archs lists the architectures Write knows.
func Archs() []string {
	return []string{Llama, Qwen2, Qwen3, Qwen3MoE, Phi3, Qwen2MoE, OLMoE, Granite, GraniteMoE}
}

// moeArchs are the architectures whose feed-forward is always a mixture of
// experts; llama takes experts optionally.
var moeArchs = map[string]bool{Qwen3MoE: true, Qwen2MoE: true, OLMoE: true, GraniteMoE: true}

// isGranite reports whether arch takes Granite's multipliers.
func isGranite(arch string) bool { return arch == Granite || arch == GraniteMoE }

// Spec describes a synthetic model.
type Spec struct {
	Arch      string // one of Archs()
	VocabPath string // a GGUF whose tokenizer.* metadata the model takes over

	NEmbd   int // width of the residual stream
	NLayer  int // transformer blocks
	NHead   int // query heads
	NHeadKV int // key/value heads (grouped-query attention); 0 means NHead
	NFF     int // feed-forward width (dense models)
	NCtx    int // training context length written to the metadata; 0 means 4096
	HeadDim int // per-head width; 0 means NEmbd/NHead

	RopeBase float32 // rope.freq_base; 0 means the architecture's usual value
	RMSEps   float32 // RMS norm epsilon; 0 means the architecture's usual value

	// Type is the element type of the 2-D weight matrices (and of the
	// expert tensors). Norm weights, biases and rope factors stay F32, as in
	// files that llama.cpp's converter and quantizer write.
	Type dtype.Type
	// Types overrides the type of single tensors. A key is a tensor name
	// ("output.weight") or a name with the block number replaced by "*"
	// ("blk.*.ffn_down.weight"); an exact name wins over a pattern. Keys must
	// name matrices the model has.
	Types map[string]dtype.Type

	// TiedEmbeddings leaves out output.weight: the output projection reuses
	// token_embd.weight.
	TiedEmbeddings bool
	// Llama3Rope adds Llama-3.1-style frequency scaling (rope_freqs.weight);
	// llama only.
	Llama3Rope *Llama3Rope

	NExpert     int // experts per layer (llama and the MoE architectures); 0 means dense
	NExpertUsed int // experts each token is routed to
	NFFExp      int // width of one expert; 0 means NFF
	// NFFShexp is the width of the shared expert every token goes through
	// besides its routed ones. qwen2moe always has one (0 means NFF);
	// granitemoe has one when NFFShexp > 0; other architectures have none.
	NFFShexp int

	// Granite holds the multipliers of granite and granitemoe; nil means
	// DefaultGraniteScales(). Other architectures must leave it nil.
	Granite *GraniteScales

	Seed uint64
}

// Llama3Rope holds the parameters of Llama 3.1's rope frequency scaling: long
// wavelengths are slowed down by Factor, short ones are left alone, and the
// band between is blended. llama.cpp reads no metadata for it: the converter
// bakes the result into the rope_freqs.weight tensor, one divisor per
// frequency.
type Llama3Rope struct {
	Factor         float64 // e.g. 32
	LowFreqFactor  float64 // e.g. 1
	HighFreqFactor float64 // e.g. 4
	OrigCtx        int     // original training context, e.g. 8192
}

// resolved is a Spec with every default filled in.
type resolved struct {
	Spec
	nVocab int
}

func (s Spec) withDefaults() Spec {
	if s.NHeadKV == 0 {
		s.NHeadKV = s.NHead
	}
	if s.NCtx == 0 {
		s.NCtx = 4096
	}
	if s.HeadDim == 0 && s.NHead > 0 {
		s.HeadDim = s.NEmbd / s.NHead
	}
	if s.RopeBase == 0 {
		switch s.Arch {
		case Qwen2, Qwen3, Qwen3MoE, Qwen2MoE:
			s.RopeBase = 1e6
		default:
			s.RopeBase = 10000
		}
	}
	if s.RMSEps == 0 {
		switch s.Arch {
		case Qwen2, Qwen3, Qwen3MoE, Qwen2MoE, Granite, GraniteMoE:
			s.RMSEps = 1e-6
		default:
			s.RMSEps = 1e-5
		}
	}
	if s.NExpert > 0 && s.NFFExp == 0 {
		s.NFFExp = s.NFF
	}
	if s.Arch == Qwen2MoE && s.NFFShexp == 0 {
		s.NFFShexp = s.NFF
	}
	if isGranite(s.Arch) && s.Granite == nil {
		g := DefaultGraniteScales()
		s.Granite = &g
	}
	return s
}

// validate checks what does not depend on the tensor list.
func (s Spec) validate() error {
	known := false
	for _, a := range Archs() {
		known = known || a == s.Arch
	}
	if !known {
		return fmt.Errorf("synth: unknown architecture %q (want one of %s)", s.Arch, strings.Join(Archs(), ", "))
	}
	if s.VocabPath == "" {
		return fmt.Errorf("synth: no vocabulary file given")
	}
	for _, d := range []struct {
		name string
		v    int
	}{{"NEmbd", s.NEmbd}, {"NLayer", s.NLayer}, {"NHead", s.NHead}, {"NHeadKV", s.NHeadKV}, {"NCtx", s.NCtx}, {"HeadDim", s.HeadDim}} {
		if d.v <= 0 {
			return fmt.Errorf("synth: %s must be positive, got %d", d.name, d.v)
		}
	}
	if s.NHead%s.NHeadKV != 0 {
		return fmt.Errorf("synth: %d heads do not divide into %d key/value heads", s.NHead, s.NHeadKV)
	}
	if s.HeadDim%2 != 0 {
		return fmt.Errorf("synth: head width %d is odd; rope rotates pairs", s.HeadDim)
	}
	switch s.Arch {
	case Qwen2, Phi3, Qwen2MoE, OLMoE: // their loaders size q and attn_output by NEmbd
		if s.HeadDim*s.NHead != s.NEmbd {
			return fmt.Errorf("synth: %s needs NHead*HeadDim = NEmbd, got %d*%d != %d", s.Arch, s.NHead, s.HeadDim, s.NEmbd)
		}
	}
	if s.Arch == OLMoE && s.NHeadKV != s.NHead {
		// The k norm spans NEmbd, so k must be as wide as q.
		return fmt.Errorf("synth: olmoe normalises k with an NEmbd-wide weight, so NHeadKV must equal NHead, got %d and %d", s.NHeadKV, s.NHead)
	}
	if s.Llama3Rope != nil {
		if s.Arch != Llama {
			return fmt.Errorf("synth: llama3 rope scaling is for the llama architecture, not %s", s.Arch)
		}
		r := s.Llama3Rope
		if r.Factor <= 0 || r.LowFreqFactor <= 0 || r.HighFreqFactor <= r.LowFreqFactor || r.OrigCtx <= 0 {
			return fmt.Errorf("synth: bad llama3 rope scaling %+v (want positive factors, HighFreqFactor > LowFreqFactor)", *r)
		}
	}
	if err := s.validateExperts(); err != nil {
		return err
	}
	if err := s.validateGranite(); err != nil {
		return err
	}
	if s.TiedEmbeddings && (s.Arch == Qwen2MoE || s.Arch == OLMoE) {
		return fmt.Errorf("synth: llama.cpp's %s loader requires output.weight; TiedEmbeddings is not possible", s.Arch)
	}
	if s.NExpert > 0 {
		if s.NFFExp <= 0 {
			return fmt.Errorf("synth: expert width NFFExp must be positive, got %d", s.NFFExp)
		}
	} else if s.NFF <= 0 {
		return fmt.Errorf("synth: NFF must be positive, got %d", s.NFF)
	}
	if err := checkType(s.Type, "Type"); err != nil {
		return err
	}
	for name, t := range s.Types {
		if err := checkType(t, "Types["+name+"]"); err != nil {
			return err
		}
	}
	return nil
}

func checkType(t dtype.Type, what string) error {
	if !quant.Supported(t) || !quant.CanVecDot(t) {
		return fmt.Errorf("synth: %s: %v is not a weight type Hearth can write", what, t)
	}
	return nil
}
