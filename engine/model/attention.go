package model

import (
	"math"

	"github.com/hearth-ai/hearth/engine/compute"
)

// selfAttention is a block's attention: blk.N.attn_*.
type selfAttention struct {
	// attn_q.weight [n_embd, n_head·d_k], attn_k.weight [n_embd, n_head_kv·d_k],
	// attn_v.weight [n_embd, n_head_kv·d_v]; or row views of the fused
	// attn_qkv.weight [n_embd, (n_head + 2·n_head_kv)·d].
	Q, K, V compute.Tensor
	// attn_q.bias, attn_k.bias, attn_v.bias (qwen2; optional elsewhere),
	// or the parts of attn_qkv.bias.
	QBias, KBias, VBias compute.Tensor
	// attn_q_norm.weight, attn_k_norm.weight [d_k] (qwen3): an RMS norm of
	// each head before the rotation.
	QNorm, KNorm compute.Tensor
	// attn_output.weight [n_head·d_v, n_embd] and attn_output.bias.
	Output, OutputBias compute.Tensor

	// kqScale, when not 0, replaces 1/sqrt(d_k) as the scale of the
	// scores (granite's attention.scale).
	kqScale float32

	// scaleQ multiplies the rotated queries by 1/sqrt(d_k) and leaves the
	// scores unscaled (phi3); otherwise the scores are scaled.
	scaleQ bool
}

// bindQKV binds attn_qkv.weight when present, else attn_q/k/v, and their
// optional biases, as llama.cpp's create_tensor_qkv does.
func (at *selfAttention) bindQKV(bd *binder, i int, hp *Hyperparameters) {
	nq, nk, nv := hp.Heads*hp.HeadDimK, hp.KVHeads*hp.HeadDimK, hp.KVHeads*hp.HeadDimV
	if qkv := bd.optWeight(blk(i, "attn_qkv.weight"), hp.Embd, nq+nk+nv); qkv.Valid() {
		at.Q, at.K, at.V = qkv.Slice(0, nq), qkv.Slice(nq, nq+nk), qkv.Slice(nq+nk, nq+nk+nv)
		if bias := blk(i, "attn_qkv.bias"); bd.Has(bias) {
			at.QBias = bd.vectorPart(bias, nq+nk+nv, 0, nq)
			at.KBias = bd.vectorPart(bias, nq+nk+nv, nq, nk)
			at.VBias = bd.vectorPart(bias, nq+nk+nv, nq+nk, nv)
		}
		return
	}
	at.Q = bd.weight(blk(i, "attn_q.weight"), hp.Embd, nq)
	at.K = bd.weight(blk(i, "attn_k.weight"), hp.Embd, nk)
	at.V = bd.weight(blk(i, "attn_v.weight"), hp.Embd, nv)
	at.QBias = bd.optVector(blk(i, "attn_q.bias"), nq)
	at.KBias = bd.optVector(blk(i, "attn_k.bias"), nk)
	at.VBias = bd.optVector(blk(i, "attn_v.bias"), nv)
}

// bindOutput binds attn_output.weight and its optional bias.
func (at *selfAttention) bindOutput(bd *binder, i int, hp *Hyperparameters) {
	at.Output = bd.weight(blk(i, "attn_output.weight"), hp.Heads*hp.HeadDimV, hp.Embd)
	at.OutputBias = bd.optVector(blk(i, "attn_output.bias"), hp.Embd)
}

// forward projects a.xn to queries, keys and values, rotates them, appends
// keys and values to layer il's cache and leaves the attention output (not
// yet projected by Output) in a.att. With an F32 cache the keys and values
// are computed in place in the cache; with an F16 one in a.kNew and
// a.vNew, then stored (rounded to halves) after the rotation, as llama.cpp
// stores them.
func (at *selfAttention) forward(s *Session, il int, a activations, pos0 int, rope compute.Rope) {
	b, hp := s.b, &s.m.HP
	n := a.x.Rows()
	kc := s.k[il].Slice(pos0, pos0+n)
	vc := s.v[il].Slice(pos0, pos0+n)
	k, v := kc, vc
	if a.kNew.Valid() {
		k, v = a.kNew, a.vNew
	}
	linear(b, a.q, at.Q, at.QBias, a.xn)
	linear(b, k, at.K, at.KBias, a.xn)
	linear(b, v, at.V, at.VBias, a.xn)
	if at.QNorm.Valid() {
		b.RMSNorm(a.q, a.q, at.QNorm, hp.Eps)
	}
	if at.KNorm.Valid() {
		b.RMSNorm(k, k, at.KNorm, hp.Eps)
	}
	b.Rope(a.q, a.q, pos0, rope)
	b.Rope(k, k, pos0, rope)
	if a.kNew.Valid() {
		b.Copy(kc, k)
		b.Copy(vc, v)
	}
	scale := 1 / float32(math.Sqrt(float64(hp.HeadDimK)))
	if at.kqScale != 0 {
		scale = at.kqScale
	}
	if at.scaleQ {
		b.Scale(a.q, a.q, scale)
		scale = 1
	}
	b.Attention(a.att, a.q, s.k[il].Slice(0, pos0+n), s.v[il].Slice(0, pos0+n), pos0,
		compute.Attention{Heads: hp.Heads, KVHeads: hp.KVHeads, Scale: scale, Flash: s.flash})
}
