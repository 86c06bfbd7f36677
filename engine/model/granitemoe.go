package model

import (
	"fmt"
	"math"
)

// The granitemoe architecture (Granite 3.x MoE, e.g. granite-3.1-1b-a400m):
// llama's attention (normal RoPE, optional frequency factors, optional
// attn_output.bias) with Granite's four multipliers, and a mixture of
// experts in every block, plus a shared expert when
// expert_shared_feed_forward_length > 0 (GraniteMoeShared).
//
//	token_embd.weight, output_norm.weight, output.weight (optional, tied)
//	blk.N.attn_norm.weight, attn_q/attn_k/attn_v.weight (or attn_qkv), attn_output.weight (+ bias)
//	blk.N.ffn_norm.weight
//	blk.N.ffn_gate_inp.weight [n_embd, n_expert]
//	blk.N.ffn_gate_exps/ffn_up_exps.weight [n_embd, n_ff, n_expert], ffn_down_exps.weight [n_ff, n_embd, n_expert]
//	blk.N.ffn_gate_shexp/ffn_up_shexp.weight [n_embd, n_ff_shexp], ffn_down_shexp.weight [n_ff_shexp, n_embd] (shared)
//
// Multipliers: embeddings × embedding_scale, each sub-block's output ×
// residual_scale before the residual add, scores × attention.scale
// (instead of 1/sqrt(d)), logits × 1/logit_scale (required); the optional
// ones are off when absent or 0.
//
// Routing: softmax over the router logits, the top expert_used_count,
// renormalised to sum to 1, not scaled; the shared expert's output is
// added without a gate. An expert is feed_forward_length wide.
//
// The dense granite architecture (Granite 3.x dense) is the same graph:
// its blocks hold ffn_gate/ffn_up/ffn_down (optional biases) when
// granite.expert_count is absent, else experts as above (it reads no
// shared expert).
func init() {
	register("granitemoe", func(hp *Hyperparameters, bd *binder) (network, error) { return loadGranite(hp, bd, true) })
	register("granite", func(hp *Hyperparameters, bd *binder) (network, error) { return loadGranite(hp, bd, false) })
}

func loadGranite(hp *Hyperparameters, bd *binder, moeArch bool) (network, error) {
	if hp.RopeDims != hp.HeadDimK || hp.HeadDimK != hp.HeadDimV {
		return nil, fmt.Errorf("model: %s needs rope.dimension_count (%d), key_length (%d) and value_length (%d) to be equal", hp.Arch, hp.RopeDims, hp.HeadDimK, hp.HeadDimV)
	}
	if moeArch || hp.Experts > 0 {
		if err := readExperts(hp, bd, false, moeArch, hp.FF, 0); err != nil {
			return nil, err
		}
	}
	m := bd.f.Meta()
	logit := float32(m.ArchFloat("logit_scale"))
	residual := float32(m.ArchFloat("residual_scale", 0))
	embed := float32(m.ArchFloat("embedding_scale", 0))
	attn := float32(m.ArchFloat("attention.scale", 0))
	if err := m.Err(); err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	for _, c := range []struct {
		name string
		v    float32
	}{{"logit_scale", logit}, {"residual_scale", residual}, {"embedding_scale", embed}, {"attention.scale", attn}} {
		if math.IsNaN(float64(c.v)) || math.IsInf(float64(c.v), 0) {
			return nil, fmt.Errorf("model: %s.%s %v is not a usable number", hp.Arch, c.name, c.v)
		}
	}
	if logit == 0 {
		return nil, fmt.Errorf("model: %s.logit_scale must not be 0 (the logits are divided by it)", hp.Arch)
	}
	r := routing{experts: hp.Experts, used: hp.ExpertsUsed, ffExp: hp.FFExp, normalize: true}
	d := &decoder{hp: hp, rope: hp.rope(false), embedScale: embed, residualScale: residual, logitScale: logit}
	d.bindCommon(bd)
	d.bindRopeFactors(bd, hp.RopeScaling == "longrope")
	for i := range d.Blocks {
		l := &d.Blocks[i]
		l.Attn.bindQKV(bd, i, hp)
		l.Attn.bindOutput(bd, i, hp)
		l.Attn.kqScale = attn
		if hp.Experts == 0 {
			l.FFN.bindGated(bd, i, hp, true)
			continue
		}
		l.MoE = &mixtureOfExperts{}
		l.MoE.bind(bd, i, hp, r, hp.FFShared, false)
	}
	return d, nil
}
