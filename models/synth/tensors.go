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

	tiedEmbeddingNorm = 0.5 // expected norm of a token embedding when tied to the output
)

// plan lists the tensors of the model in the order llama.cpp's converter
// writes them, with the shapes llama.cpp's loader asks for.
func plan(s resolved) []tensorDef {
	e, v := int64(s.NEmbd), int64(s.nVocab)
	hd := int64(s.HeadDim)
	q, kv := hd*int64(s.NHead), hd*int64(s.NHeadKV)
	ff := int64(s.NFF)
	inv := func(fanIn int64) float64 { return 1 / math.Sqrt(float64(fanIn)) }
	mat := func(name string, std float64, shape ...int64) tensorDef {
		return tensorDef{name: name, shape: shape, fill: fillGaussian, std: std, matrix: true}
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
		outNormBase = logitStd / tiedEmbeddingNorm
	}
	ts = append(ts, mat("token_embd.weight", embStd, e, v))
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
				mat(blk("attn_q.weight"), inv(e), e, q),
				mat(blk("attn_k.weight"), inv(e), e, kv),
				mat(blk("attn_v.weight"), inv(e), e, kv))
		}
		if s.Arch == Qwen2 {
			ts = append(ts, bias(blk("attn_q.bias"), q), bias(blk("attn_k.bias"), kv), bias(blk("attn_v.bias"), kv))
		}
		if s.Arch == Qwen3 || s.Arch == Qwen3MoE {
			ts = append(ts, norm(blk("attn_q_norm.weight"), hd), norm(blk("attn_k_norm.weight"), hd))
		}
		ts = append(ts, mat(blk("attn_output.weight"), inv(q), q, e))
		ts = append(ts, norm(blk("ffn_norm.weight"), e))
		switch {
		case s.NExpert > 0:
			x, fe := int64(s.NExpert), int64(s.NFFExp)
			router := mat(blk("ffn_gate_inp.weight"), routerStd*inv(e), e, x)
			router.typ, router.pinned = dtype.F32, true // llama-quantize keeps the router in F32
			ts = append(ts, router,
				mat(blk("ffn_gate_exps.weight"), inv(e), e, fe, x),
				mat(blk("ffn_down_exps.weight"), inv(fe), fe, e, x),
				mat(blk("ffn_up_exps.weight"), inv(e), e, fe, x))
		case s.Arch == Phi3:
			// gate and up stacked: the first NFF rows gate, the next NFF go up.
			ts = append(ts,
				mat(blk("ffn_up.weight"), inv(e), e, 2*ff),
				mat(blk("ffn_down.weight"), inv(ff), ff, e))
		default:
			ts = append(ts,
				mat(blk("ffn_gate.weight"), inv(e), e, ff),
				mat(blk("ffn_down.weight"), inv(ff), ff, e),
				mat(blk("ffn_up.weight"), inv(e), e, ff))
		}
	}
	outNorm := norm("output_norm.weight", e)
	outNorm.base = outNormBase
	ts = append(ts, outNorm)
	if !s.TiedEmbeddings {
		ts = append(ts, mat("output.weight", logitStd*inv(e), e, v))
	}
	return ts
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
