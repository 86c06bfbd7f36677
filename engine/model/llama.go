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
//
// With llama.expert_count > 0 (Mixtral-style), every block's feed-forward
// network is a mixture of experts (see mixtureOfExperts):
//
//	blk.N.ffn_gate_inp.weight [n_embd, n_expert]
//	blk.N.ffn_gate_exps/ffn_up_exps.weight [n_embd, n_ff, n_expert], ffn_down_exps.weight [n_ff, n_embd, n_expert]
//
// Routing: softmax over the router logits, the top expert_used_count,
// their weights renormalised to sum to 1, not scaled (llama.cpp reads no
// expert_weights_scale for llama); no shared expert (llama.cpp's llama
// graph uses none). An expert is feed_forward_length wide.
func init() { register("llama", loadLlama) }

func loadLlama(hp *Hyperparameters, bd *binder) (network, error) {
	var r routing
	if hp.Experts > 0 {
		if err := readExperts(hp, bd, false, false, hp.FF, 0); err != nil {
			return nil, err
		}
		r = routing{experts: hp.Experts, used: hp.ExpertsUsed, ffExp: hp.FFExp, normalize: true}
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
		if hp.Experts > 0 {
			l.MoE = &mixtureOfExperts{}
			l.MoE.bind(bd, i, hp, r, 0, false)
		} else {
			l.FFN.bindGated(bd, i, hp, true)
		}
	}
	return d, nil
}
