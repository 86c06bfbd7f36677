package model

// The phi3 architecture (Phi-3, Phi-3.5, Phi-4-mini): a fused query/key/value
// projection, a fused gate/up projection, NeoX RoPE, queries scaled by
// 1/sqrt(d) after the rotation, and "longrope" frequency factors chosen by
// the session's context length.
//
//	token_embd.weight, output_norm.weight, output.weight (optional, tied)
//	rope_factors_long.weight, rope_factors_short.weight [n_rot/2] (optional)
//	blk.N.attn_norm.weight
//	blk.N.attn_qkv.weight [n_embd, n_embd + 2·n_head_kv·d] (or attn_q/k/v.weight)
//	blk.N.attn_output.weight [n_embd, n_embd]
//	blk.N.ffn_norm.weight
//	blk.N.ffn_up.weight [n_embd, 2·n_ff] (gate rows first), ffn_down.weight [n_ff, n_embd]
//
// phi3 files may declare a sliding window; llama.cpp ignores it for this
// architecture, and so do we.
func init() { register("phi3", loadPhi3) }

func loadPhi3(hp *Hyperparameters, bd *binder) (network, error) {
	if err := checkSquareHeads("phi3", hp); err != nil {
		return nil, err
	}
	d := &decoder{hp: hp, rope: hp.rope(true)}
	d.bindCommon(bd)
	d.bindRopeFactors(bd, true)
	for i := range d.Blocks {
		l := &d.Blocks[i]
		l.Attn.bindQKV(bd, i, hp)
		l.Attn.Output = bd.weight(blk(i, "attn_output.weight"), hp.Embd, hp.Embd)
		l.Attn.scaleQ = true
		l.FFN.bindFused(bd, i, hp)
	}
	return d, nil
}
