package model

import "fmt"

// The olmoe architecture (OLMoE-1B-7B): llama's layout with an RMS norm
// over the whole query and key rows (not per head) before NeoX RoPE, and
// a mixture of experts in every block.
//
//	token_embd.weight, output_norm.weight, output.weight
//	blk.N.attn_norm.weight
//	blk.N.attn_q/attn_k/attn_v.weight, attn_output.weight [n_embd, n_embd]
//	blk.N.attn_q_norm.weight, attn_k_norm.weight [n_embd]
//	blk.N.ffn_norm.weight
//	blk.N.ffn_gate_inp.weight [n_embd, n_expert]
//	blk.N.ffn_gate_exps/ffn_up_exps.weight [n_embd, n_ff, n_expert], ffn_down_exps.weight [n_ff, n_embd, n_expert]
//
// Routing: softmax over the router logits, the top expert_used_count,
// NOT renormalised, not scaled; no shared expert. An expert is
// feed_forward_length wide.
func init() { register("olmoe", loadOLMoE) }

func loadOLMoE(hp *Hyperparameters, bd *binder) (network, error) {
	if err := checkSquareHeads("olmoe", hp); err != nil {
		return nil, err
	}
	if hp.KVHeads != hp.Heads {
		return nil, fmt.Errorf("model: olmoe normalises whole key rows with an n_embd-wide weight; it needs as many key/value heads (%d) as heads (%d)", hp.KVHeads, hp.Heads)
	}
	if err := readExperts(hp, bd, false, false, hp.FF, 0); err != nil {
		return nil, err
	}
	r := routing{experts: hp.Experts, used: hp.ExpertsUsed, ffExp: hp.FFExp}
	d := &decoder{hp: hp, rope: hp.rope(true)}
	d.bindCommon(bd)
	d.Output = bd.weight("output.weight", hp.Embd, hp.Vocab)
	for i := range d.Blocks {
		l := &d.Blocks[i]
		l.Attn.bindQKV(bd, i, hp)
		// A norm weight as wide as the row normalises the whole row.
		l.Attn.QNorm = bd.vector(blk(i, "attn_q_norm.weight"), hp.Embd)
		l.Attn.KNorm = bd.vector(blk(i, "attn_k_norm.weight"), hp.Embd)
		l.Attn.Output = bd.weight(blk(i, "attn_output.weight"), hp.Embd, hp.Embd)
		l.MoE = &mixtureOfExperts{}
		l.MoE.bind(bd, i, hp, r, 0, false)
	}
	return d, nil
}
