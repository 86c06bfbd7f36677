package model

import (
	"fmt"
	"math"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/gguf"
)

// Hyperparameters shared by the decoder-only architectures, read from the
// "<arch>.*" metadata keys with llama.cpp's defaults.
type Hyperparameters struct {
	Arch          string
	Layers        int     // block_count
	Embd          int     // embedding_length
	FF            int     // feed_forward_length
	Heads         int     // attention.head_count
	KVHeads       int     // attention.head_count_kv (default Heads)
	HeadDimK      int     // attention.key_length (default Embd/Heads)
	HeadDimV      int     // attention.value_length (default Embd/Heads)
	Eps           float32 // attention.layer_norm_rms_epsilon
	ContextLength int     // context_length: the context the model was trained on
	Vocab         int     // rows of token_embd.weight
	Experts       int     // expert_count (0: a dense model)
	// Mixture of experts (set by the architecture when Experts > 0):
	ExpertsUsed int // expert_used_count: experts each token runs through
	FFExp       int // one expert's width (expert_feed_forward_length or the architecture's default)
	FFShared    int // the shared expert's width (0: none)

	RopeDims        int     // rope.dimension_count (default HeadDimK)
	RopeBase        float32 // rope.freq_base (default 10000)
	RopeScaling     string  // rope.scaling.type: "none", "linear", "yarn" or "longrope"
	RopeFreqScale   float32 // 1/rope.scaling.factor (1 when absent or scaling is "none")
	RopeAttnFactor  float32 // rope.scaling.attn_factor (default 1)
	RopeOrigContext int     // rope.scaling.original_context_length (default ContextLength)
}

// maxDim bounds every size read from metadata, so that products of a few of
// them cannot overflow an int and hostile files fail early.
const maxDim = 1 << 24

// maxLayers is llama.cpp's LLAMA_MAX_LAYERS.
const maxLayers = 512

// readHyperparameters reads the keys every architecture here shares.
func readHyperparameters(f *gguf.File) (Hyperparameters, error) {
	m := f.Meta()
	hp := Hyperparameters{Arch: m.Arch()}
	if err := m.Err(); err != nil {
		return hp, err
	}
	dim := func(key string, def ...uint64) int {
		v := m.ArchUint(key, def...)
		if m.Err() == nil && v > maxDim {
			return -1
		}
		return int(v)
	}
	hp.Layers = dim("block_count")
	hp.Embd = dim("embedding_length")
	hp.Experts = dim("expert_count", 0)
	if hp.Experts > 0 {
		// An MoE file may give only its experts' width.
		hp.FF = dim("feed_forward_length", 0)
	} else {
		hp.FF = dim("feed_forward_length")
	}
	hp.Heads = dim("attention.head_count")
	hp.ContextLength = dim("context_length")
	hp.Eps = float32(m.ArchFloat("attention.layer_norm_rms_epsilon"))
	if err := m.Err(); err != nil {
		return hp, fmt.Errorf("model: %w", err)
	}
	for _, c := range []struct {
		name string
		v    int
	}{{"block_count", hp.Layers}, {"embedding_length", hp.Embd}, {"feed_forward_length", hp.FF}, {"attention.head_count", hp.Heads}, {"context_length", hp.ContextLength}} {
		if c.v <= 0 && !(c.name == "feed_forward_length" && c.v == 0 && hp.Experts > 0) {
			return hp, fmt.Errorf("model: %s.%s must be between 1 and %d", hp.Arch, c.name, maxDim)
		}
	}
	hp.KVHeads = dim("attention.head_count_kv", uint64(hp.Heads))
	hp.HeadDimK = dim("attention.key_length", uint64(hp.Embd/hp.Heads))
	hp.HeadDimV = dim("attention.value_length", uint64(hp.Embd/hp.Heads))
	hp.RopeDims = dim("rope.dimension_count", uint64(hp.HeadDimK))
	hp.RopeBase = float32(m.ArchFloat("rope.freq_base", 10000))
	hp.RopeScaling = m.ArchString("rope.scaling.type", "linear")
	factor := float32(m.ArchFloat("rope.scaling.factor", 0))
	if !m.ArchHas("rope.scaling.factor") {
		factor = float32(m.ArchFloat("rope.scale_linear", 0))
	}
	hp.RopeAttnFactor = float32(m.ArchFloat("rope.scaling.attn_factor", 1))
	hp.RopeOrigContext = dim("rope.scaling.original_context_length", uint64(hp.ContextLength))
	if err := m.Err(); err != nil {
		return hp, fmt.Errorf("model: %w", err)
	}

	switch {
	case hp.Layers > maxLayers:
		return hp, fmt.Errorf("model: %s.block_count %d is more than %d", hp.Arch, hp.Layers, maxLayers)
	case hp.Experts < 0:
		return hp, fmt.Errorf("model: expert_count must be at most %d", maxDim)
	case hp.KVHeads <= 0 || hp.Heads%hp.KVHeads != 0:
		return hp, fmt.Errorf("model: %d attention heads cannot be shared by %d key/value heads", hp.Heads, hp.KVHeads)
	case hp.HeadDimK <= 0 || hp.HeadDimV <= 0:
		return hp, fmt.Errorf("model: head sizes %d (keys) and %d (values) must be positive", hp.HeadDimK, hp.HeadDimV)
	case hp.RopeDims <= 0 || hp.RopeDims%2 != 0 || hp.RopeDims > hp.HeadDimK:
		return hp, fmt.Errorf("model: rope.dimension_count %d must be even and at most the head size %d", hp.RopeDims, hp.HeadDimK)
	case !(hp.Eps >= 0) || math.IsInf(float64(hp.Eps), 0):
		return hp, fmt.Errorf("model: layer_norm_rms_epsilon %v is not a usable number", hp.Eps)
	case !(hp.RopeBase > 0) || math.IsInf(float64(hp.RopeBase), 0):
		return hp, fmt.Errorf("model: rope.freq_base %v must be a positive number", hp.RopeBase)
	case !(hp.RopeAttnFactor > 0) || math.IsInf(float64(hp.RopeAttnFactor), 0):
		return hp, fmt.Errorf("model: rope.scaling.attn_factor %v must be a positive number", hp.RopeAttnFactor)
	case !(factor >= 0) || math.IsInf(float64(factor), 0):
		return hp, fmt.Errorf("model: rope.scaling.factor %v must be a positive number", factor)
	case hp.RopeOrigContext <= 0:
		return hp, fmt.Errorf("model: rope.scaling.original_context_length must be positive")
	}
	switch hp.RopeScaling {
	case "none", "linear", "yarn", "longrope":
	default:
		return hp, fmt.Errorf("model: unknown rope.scaling.type %q (want none, linear, yarn or longrope)", hp.RopeScaling)
	}
	hp.RopeFreqScale = 1
	if factor != 0 && hp.RopeScaling != "none" {
		hp.RopeFreqScale = 1 / factor
	}
	return hp, nil
}

// rope returns the rotary embedding of queries and keys as llama.cpp sets
// it up (YaRN's attention factor folded in), without frequency factors.
func (hp *Hyperparameters) rope(neox bool) compute.Rope {
	p := compute.Rope{
		HeadDim: hp.HeadDimK, Dims: hp.RopeDims, NeoX: neox,
		Base: hp.RopeBase, Scale: hp.RopeFreqScale,
		AttnFactor: 1, BetaFast: 32, BetaSlow: 1, OrigCtx: hp.RopeOrigContext,
	}
	if hp.RopeScaling == "yarn" {
		p.ExtFactor = 1
		// llama.cpp cancels YaRN's own magnitude correction
		// (0.1·ln(factor)+1, applied again inside the rope) here.
		factor := 1 / p.Scale
		if factor > 1 {
			p.AttnFactor = 0.1*logf(factor) + 1
		}
		p.AttnFactor *= 1 / (1 + 0.1*logf(factor))
	}
	p.AttnFactor *= hp.RopeAttnFactor
	return p
}

func logf(x float32) float32 { return float32(math.Log(float64(x))) }
