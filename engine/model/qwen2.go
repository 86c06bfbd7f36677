package model

import "fmt"

// The qwen2 architecture (Qwen2, Qwen2.5): llama's layout with biases on
// the query, key and value projections, an optional output.bias, and NeoX
// RoPE (pairs i, i+d/2).
//
//	token_embd.weight, output_norm.weight, output.weight (optional, tied), output.bias (optional)
//	blk.N.attn_norm.weight
//	blk.N.attn_q.weight [n_embd, n_embd] + attn_q.bias, attn_k/attn_v.weight [n_embd, n_head_kv·d] + biases
//	blk.N.attn_output.weight [n_embd, n_embd]
//	blk.N.ffn_norm.weight, ffn_gate/ffn_up/ffn_down.weight
func init() { register("qwen2", loadQwen2) }

func loadQwen2(hp *Hyperparameters, bd *binder) (network, error) {
	if err := checkSquareHeads("qwen2", hp); err != nil {
		return nil, err
	}
	d := &decoder{hp: hp, rope: hp.rope(true)}
	d.bindCommon(bd)
	d.OutputBias = bd.optVector("output.bias", hp.Vocab)
	for i := range d.Blocks {
		l := &d.Blocks[i]
		l.Attn.bindQKV(bd, i, hp)
		l.Attn.Output = bd.weight(blk(i, "attn_output.weight"), hp.Embd, hp.Embd)
		l.FFN.bindGated(bd, i, hp, false)
	}
	return d, nil
}

// checkSquareHeads checks what qwen2 and phi3 assume: heads tile the
// embedding exactly and every head size is the rotated size.
func checkSquareHeads(arch string, hp *Hyperparameters) error {
	if hp.Heads*hp.HeadDimK != hp.Embd || hp.HeadDimK != hp.HeadDimV {
		return fmt.Errorf("model: %s needs %d heads of %d (keys) and %d (values) to make up the embedding of %d", arch, hp.Heads, hp.HeadDimK, hp.HeadDimV, hp.Embd)
	}
	if arch != "phi3" && hp.RopeDims != hp.HeadDimK {
		return fmt.Errorf("model: %s needs rope.dimension_count (%d) to equal the head size (%d)", arch, hp.RopeDims, hp.HeadDimK)
	}
	return nil
}
