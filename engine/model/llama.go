package model

import "fmt"

// The llama architecture: Llama 2 and 3, Mistral, SmolLM2 and their kin.
//
//	token_embd.weight [n_embd, n_vocab]    output_norm.weight [n_embd]
//	output.weight [n_embd, n_vocab]        (absent: tied to token_embd)
//	rope_freqs.weight [n_rot/2]            (optional: llama3 frequency factors)
//	blk.N.attn_norm.weight [n_embd]
//	blk.N.attn_q/k/v.weight (or attn_qkv.weight), optional biases
//	blk.N.attn_output.weight [n_head·d, n_embd], optional bias
//	blk.N.ffn_norm.weight [n_embd]
//	blk.N.ffn_gate/ffn_up.weight [n_embd, n_ff], ffn_down.weight [n_ff, n_embd], optional biases
//
// RoPE rotates interleaved pairs (2i, 2i+1) over the whole head.
func init() { register("llama", loadLlama) }

func loadLlama(hp *Hyperparameters, bd *binder) (network, error) {
	if hp.Experts > 0 {
		return nil, fmt.Errorf("model: llama with %d experts (mixture of experts) is not supported yet", hp.Experts)
	}
	if hp.RopeDims != hp.HeadDimK || hp.HeadDimK != hp.HeadDimV {
		return nil, fmt.Errorf("model: llama needs rope.dimension_count (%d), key_length (%d) and value_length (%d) to be equal", hp.RopeDims, hp.HeadDimK, hp.HeadDimV)
	}
	d := &decoder{hp: hp, rope: hp.rope(false)}
	d.bindCommon(bd)
	d.bindRopeFactors(bd, hp.RopeScaling == "longrope")
	for i := range d.Blocks {
		l := &d.Blocks[i]
		l.Attn.bindQKV(bd, i, hp)
		l.Attn.bindOutput(bd, i, hp)
		l.FFN.bindGated(bd, i, hp, true)
	}
	return d, nil
}
