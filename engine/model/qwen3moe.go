package model

import "fmt"

// The qwen3moe architecture (Qwen3-30B-A3B and kin): qwen3's attention
// (per-head RMS norms of queries and keys, NeoX RoPE) and a mixture of
// experts in every block.
//
//	token_embd.weight, output_norm.weight, output.weight (optional, tied)
//	blk.N.attn_norm.weight
//	blk.N.attn_q.weight [n_embd, n_head·d], attn_k/attn_v.weight [n_embd, n_head_kv·d]
//	blk.N.attn_q_norm.weight, attn_k_norm.weight [d]
//	blk.N.attn_output.weight [n_head·d, n_embd]
//	blk.N.ffn_norm.weight
//	blk.N.ffn_gate_inp.weight [n_embd, n_expert]
//	blk.N.ffn_gate_exps/ffn_up_exps.weight [n_embd, n_ff_exp, n_expert], ffn_down_exps.weight [n_ff_exp, n_embd, n_expert]
//
// Routing: softmax over the router logits, the top expert_used_count,
// renormalised to sum to 1, not scaled; no shared expert. n_ff_exp is
// expert_feed_forward_length, or feed_forward_length / expert_used_count.
func init() { register("qwen3moe", loadQwen3MoE) }

func loadQwen3MoE(hp *Hyperparameters, bd *binder) (network, error) {
	if hp.RopeDims != hp.HeadDimK || hp.HeadDimK != hp.HeadDimV {
		return nil, fmt.Errorf("model: qwen3moe needs rope.dimension_count (%d), key_length (%d) and value_length (%d) to be equal", hp.RopeDims, hp.HeadDimK, hp.HeadDimV)
	}
	if err := readExpertsSplitFF(hp, bd, false); err != nil {
		return nil, err
	}
	r := routing{experts: hp.Experts, used: hp.ExpertsUsed, ffExp: hp.FFExp, normalize: true}
	d := &decoder{hp: hp, rope: hp.rope(true)}
	d.bindCommon(bd)
	for i := range d.Blocks {
		l := &d.Blocks[i]
		l.Attn.bindQKV(bd, i, hp)
		l.Attn.QNorm = bd.vector(blk(i, "attn_q_norm.weight"), hp.HeadDimK)
		l.Attn.KNorm = bd.vector(blk(i, "attn_k_norm.weight"), hp.HeadDimK)
		l.Attn.Output = bd.weight(blk(i, "attn_output.weight"), hp.Heads*hp.HeadDimV, hp.Embd)
		l.MoE = &mixtureOfExperts{}
		l.MoE.bind(bd, i, hp, r, 0, false)
	}
	return d, nil
}

// readExpertsSplitFF reads the expert hyperparameters of the qwen MoE
// architectures: the expert width defaults to feed_forward_length /
// expert_used_count and the shared expert's (when shared) to
// feed_forward_length.
func readExpertsSplitFF(hp *Hyperparameters, bd *binder, shared bool) error {
	used := int(bd.f.Meta().ArchUint("expert_used_count", 0))
	def := 0
	if used > 0 {
		def = hp.FF / used
	}
	sharedDef := 0
	if shared {
		sharedDef = hp.FF
	}
	return readExperts(hp, bd, true, shared, def, sharedDef)
}
