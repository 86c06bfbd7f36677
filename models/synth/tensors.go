package synth

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// fill says how a tensor's numbers are drawn.
type fill int

const (
	fillGaussian  fill = iota // N(0, std²)
	fillNorm                  // base·(1 + N(0, std²)): a norm weight near base (usually 1)
	fillRopeFreqs             // llama3 rope divisors, computed
)

// tensorDef is one tensor of the plan: its GGUF name, shape (row length
// first), how to fill it, and its element type.
type tensorDef struct {
	name   string
	shape  []int64
	fill   fill
	std    float64
	base   float64 // the centre of a norm weight
	matrix bool    // a weight matrix: takes Spec.Type and may be overridden
	pinned bool    // a matrix whose default type is typ, not Spec.Type
	typ    dtype.Type
}

// Scales of the random weights; see the package comment.
const (
	normJitter   = 0.1 // std of norm weights around 1
	biasStd      = 0.3 // std of q/k/v biases (qwen2)
	logitStd     = 2.0 // std of the last-position logits
	embeddingStd = 1.0 // std of token embeddings when not tied to the output
	routerStd    = 2.0 // std of expert-router logits
	shexpGateStd = 1.0 // std of the shared-expert gate logit (qwen2moe): sigmoids mostly in 0.27–0.73

	tiedEmbeddingNorm = 0.5 // expected norm of a token embedding when tied to the output
)

// plan lists the tensors of the model in the order llama.cpp's converter
// writes them, with the shapes llama.cpp's loader asks for.
func plan(s resolved) []tensorDef {
	e, v := int64(s.NEmbd), int64(s.nVocab)
	hd := int64(s.HeadDim)
	q, kv := hd*int64(s.NHead), hd*int64(s.NHeadKV)
	ff := int64(s.NFF)
	k := compensationFor(s)
	inv := func(fanIn int64) float64 { return 1 / math.Sqrt(float64(fanIn)) }
	mat := func(name string, std float64, shape ...int64) tensorDef {
		return tensorDef{name: name, shape: shape, fill: fillGaussian, std: std, matrix: true}
	}
	f32mat := func(name string, std float64, shape ...int64) tensorDef {
		t := mat(name, std, shape...)
		t.typ, t.pinned = dtype.F32, true // llama-quantize keeps routers and gates in F32
		return t
	}
	norm := func(name string, n int64) tensorDef {
		return tensorDef{name: name, shape: []int64{n}, fill: fillNorm, std: normJitter, base: 1}
	}
	bias := func(name string, n int64) tensorDef {
		return tensorDef{name: name, shape: []int64{n}, fill: fillGaussian, std: biasStd}
	}

	// With tied embeddings the residual stream holds a token's own
	// embedding, and the logit of that token gets |e|²/rms(x) on top of the
	// spread of the others: a model that only repeats its input. Small
	// embeddings (norm 0.5 against a residual stream of norm ~sqrt(NEmbd))
	// keep that bonus to a quarter of the logit spread; the output norm
	// weights make up the scale.
	var ts []tensorDef
	embStd, outNormBase := embeddingStd, 1.0
	if s.TiedEmbeddings {
		embStd = tiedEmbeddingNorm * inv(e)
		outNormBase = logitStd / tiedEmbeddingNorm * k.embedding * k.logit
	}
	ts = append(ts, mat("token_embd.weight", embStd/k.embedding, e, v))
	if s.Llama3Rope != nil {
		ts = append(ts, tensorDef{name: "rope_freqs.weight", shape: []int64{hd / 2}, fill: fillRopeFreqs})
	}
	for i := 0; i < s.NLayer; i++ {
		blk := func(suffix string) string { return "blk." + strconv.Itoa(i) + "." + suffix }
		ts = append(ts, norm(blk("attn_norm.weight"), e))
		switch s.Arch {
		case Phi3:
			ts = append(ts, mat(blk("attn_qkv.weight"), inv(e), e, q+2*kv))
		default:
			ts = append(ts,
				mat(blk("attn_q.weight"), inv(e)*k.query, e, q),
				mat(blk("attn_k.weight"), inv(e), e, kv),
				mat(blk("attn_v.weight"), inv(e), e, kv))
		}
		switch s.Arch {
		case Qwen2, Qwen2MoE:
			ts = append(ts, bias(blk("attn_q.bias"), q), bias(blk("attn_k.bias"), kv), bias(blk("attn_v.bias"), kv))
		case Qwen3, Qwen3MoE: // per head
			ts = append(ts, norm(blk("attn_q_norm.weight"), hd), norm(blk("attn_k_norm.weight"), hd))
		case OLMoE: // over the whole projection
			ts = append(ts, norm(blk("attn_q_norm.weight"), q), norm(blk("attn_k_norm.weight"), kv))
		}
		ts = append(ts, mat(blk("attn_output.weight"), inv(q)/k.residual, q, e))
		ts = append(ts, norm(blk("ffn_norm.weight"), e))
		switch {
		case s.NExpert > 0:
			x, fe := int64(s.NExpert), int64(s.NFFExp)
			ts = append(ts,
				f32mat(blk("ffn_gate_inp.weight"), routerStd*inv(e), e, x),
				mat(blk("ffn_gate_exps.weight"), inv(e), e, fe, x),
				mat(blk("ffn_down_exps.weight"), inv(fe)/k.residual, fe, e, x),
				mat(blk("ffn_up_exps.weight"), inv(e), e, fe, x))
			if s.NFFShexp > 0 {
				fs := int64(s.NFFShexp)
				if s.Arch == Qwen2MoE {
					// One logit per token for the shared expert's sigmoid
					// gate; {NEmbd, 1} as the converter writes it.
					ts = append(ts, f32mat(blk("ffn_gate_inp_shexp.weight"), shexpGateStd*inv(e), e, 1))
				}
				ts = append(ts,
					mat(blk("ffn_gate_shexp.weight"), inv(e), e, fs),
					mat(blk("ffn_down_shexp.weight"), inv(fs)/k.residual, fs, e),
					mat(blk("ffn_up_shexp.weight"), inv(e), e, fs))
			}
		case s.Arch == Phi3:
			// gate and up stacked: the first NFF rows gate, the next NFF go up.
			ts = append(ts,
				mat(blk("ffn_up.weight"), inv(e), e, 2*ff),
				mat(blk("ffn_down.weight"), inv(ff), ff, e))
		default:
			ts = append(ts,
				mat(blk("ffn_gate.weight"), inv(e), e, ff),
				mat(blk("ffn_down.weight"), inv(ff)/k.residual, ff, e),
				mat(blk("ffn_up.weight"), inv(e), e, ff))
		}
	}
	outNorm := norm("output_norm.weight", e)
	outNorm.base = outNormBase
	ts = append(ts, outNorm)
	if !s.TiedEmbeddings {
		ts = append(ts, mat("output.weight", logitStd*inv(e)*k.logit, e, v))
	}
	return ts
}

// compensation holds the factors by which Granite's multipliers change
// activations; plan divides the affected weights by them, so a Granite model
// has the same healthy activations as the others while a reader that skips
// a multiplier is far off. They are 1 for other architectures.
type compensation struct {
	embedding float64 // embedding_scale: token embeddings are drawn this much smaller
	residual  float64 // residual_scale: attn_output and every ffn down projection drawn this much larger
	query     float64 // (1/sqrt(head width)) / attention.scale: attn_q drawn this much larger
	logit     float64 // logit_scale: the output projection drawn this much larger
}

func compensationFor(s resolved) compensation {
	c := compensation{1, 1, 1, 1}
	g := s.Granite
	if !isGranite(s.Arch) || g == nil {
		return c
	}
	if g.EmbeddingScale > 0 {
		c.embedding = float64(g.EmbeddingScale)
	}
	if g.ResidualScale > 0 {
		c.residual = float64(g.ResidualScale)
	}
	if g.AttentionScale > 0 {
		c.query = 1 / math.Sqrt(float64(s.HeadDim)) / float64(g.AttentionScale)
	}
	c.logit = float64(g.LogitScale)
	return c
}

// assignTypes sets each tensor's type: F32 for vectors, Spec.Type or an
// override for matrices. Every override must name a matrix of the plan.
func assignTypes(s resolved, ts []tensorDef) error {
	used := map[string]bool{}
	for i := range ts {
		t := &ts[i]
		if !t.matrix {
			t.typ = dtype.F32
			for _, key := range []string{t.name, blockPattern(t.name)} {
				if _, ok := s.Types[key]; ok {
					return fmt.Errorf("synth: Types[%q]: %s is a vector and stays F32", key, t.name)
				}
			}
			continue
		}
		if !t.pinned {
			t.typ = s.Type
		}
		if typ, ok := s.Types[blockPattern(t.name)]; ok {
			t.typ, used[blockPattern(t.name)] = typ, true
		}
		if typ, ok := s.Types[t.name]; ok {
			t.typ, used[t.name] = typ, true
		}
		if bs := int64(t.typ.BlockSize()); t.shape[0]%bs != 0 {
			return fmt.Errorf("synth: %s has rows of %d, not a multiple of the %v block size %d", t.name, t.shape[0], t.typ, bs)
		}
	}
	for key := range s.Types {
		if !used[key] {
			return fmt.Errorf("synth: Types[%q] names no matrix of this %s model", key, s.Arch)
		}
	}
	return nil
}

// blockPattern replaces the block number of "blk.N.rest" with "*".
func blockPattern(name string) string {
	rest, ok := strings.CutPrefix(name, "blk.")
	if !ok {
		return name
	}
	if dot := strings.IndexByte(rest, '.'); dot > 0 {
		return "blk.*" + rest[dot:]
	}
	return name
}
