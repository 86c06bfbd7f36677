package model

import "fmt"

// The qwen3 architecture: llama's layout with an RMS norm of every query
// and key head (attn_q_norm, attn_k_norm) before NeoX RoPE, and no biases.
//
//	token_embd.weight, output_norm.weight, output.weight (optional, tied)
//	blk.N.attn_norm.weight
//	blk.N.attn_q.weight [n_embd, n_head·d], attn_k/attn_v.weight [n_embd, n_head_kv·d]
//	blk.N.attn_q_norm.weight, attn_k_norm.weight [d]
//	blk.N.attn_output.weight [n_head·d, n_embd]
//	blk.N.ffn_norm.weight, ffn_gate/ffn_up/ffn_down.weight
func init() { register("qwen3", loadQwen3) }

func loadQwen3(hp *Hyperparameters, bd *binder) (network, error) {
	if hp.RopeDims != hp.HeadDimK || hp.HeadDimK != hp.HeadDimV {
		return nil, fmt.Errorf("model: qwen3 needs rope.dimension_count (%d), key_length (%d) and value_length (%d) to be equal", hp.RopeDims, hp.HeadDimK, hp.HeadDimV)
	}
	d := &decoder{hp: hp, rope: hp.rope(true)}
	d.bindCommon(bd)
	for i := range d.Blocks {
		l := &d.Blocks[i]
		l.Attn.bindQKV(bd, i, hp)
		l.Attn.QNorm = bd.vector(blk(i, "attn_q_norm.weight"), hp.HeadDimK)
		l.Attn.KNorm = bd.vector(blk(i, "attn_k_norm.weight"), hp.HeadDimK)
		l.Attn.Output = bd.weight(blk(i, "attn_output.weight"), hp.Heads*hp.HeadDimV, hp.Embd)
		l.FFN.bindGated(bd, i, hp, false)
	}
	return d, nil
}
