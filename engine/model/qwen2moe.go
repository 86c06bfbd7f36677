package model

// The qwen2moe architecture (Qwen1.5-MoE, Qwen2-57B-A14B): qwen2's
// attention (biases on q, k and v, NeoX RoPE), a mixture of experts and a
// gated shared expert in every block.
//
//	token_embd.weight, output_norm.weight, output.weight
//	blk.N.attn_norm.weight
//	blk.N.attn_q/attn_k/attn_v.weight and biases, attn_output.weight [n_embd, n_embd]
//	blk.N.ffn_norm.weight
//	blk.N.ffn_gate_inp.weight [n_embd, n_expert]
//	blk.N.ffn_gate_exps/ffn_up_exps.weight [n_embd, n_ff_exp, n_expert], ffn_down_exps.weight [n_ff_exp, n_embd, n_expert]
//	blk.N.ffn_gate_inp_shexp.weight [n_embd]
//	blk.N.ffn_gate_shexp/ffn_up_shexp.weight [n_embd, n_ff_shexp], ffn_down_shexp.weight [n_ff_shexp, n_embd]
//
// Routing: softmax over the router logits, the top expert_used_count,
// NOT renormalised, not scaled. The shared expert runs for every token
// and its output, multiplied by sigmoid(x·ffn_gate_inp_shexp), is added to
// the experts'. n_ff_exp is expert_feed_forward_length (default
// feed_forward_length / expert_used_count), n_ff_shexp
// expert_shared_feed_forward_length (default feed_forward_length).
func init() { register("qwen2moe", loadQwen2MoE) }

func loadQwen2MoE(hp *Hyperparameters, bd *binder) (network, error) {
	if err := checkSquareHeads("qwen2moe", hp); err != nil {
		return nil, err
	}
	if err := readExpertsSplitFF(hp, bd, true); err != nil {
		return nil, err
	}
	r := routing{experts: hp.Experts, used: hp.ExpertsUsed, ffExp: hp.FFExp}
	d := &decoder{hp: hp, rope: hp.rope(true)}
	d.bindCommon(bd)
	d.Output = bd.weight("output.weight", hp.Embd, hp.Vocab)
	for i := range d.Blocks {
		l := &d.Blocks[i]
		l.Attn.bindQKV(bd, i, hp)
		l.Attn.Output = bd.weight(blk(i, "attn_output.weight"), hp.Embd, hp.Embd)
		l.MoE = &mixtureOfExperts{}
		l.MoE.bind(bd, i, hp, r, hp.FFShared, true)
	}
	return d, nil
}
