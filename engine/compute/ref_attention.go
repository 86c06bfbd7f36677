package compute

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Attention is causal grouped-query attention over the cache (see
// Backend.Attention), in the arithmetic of llama.cpp's CPU graph. With an
// F32 cache: scores by DotF32, a padded SoftmaxRow, and values summed by
// DotF32 for one query row or DotF32Tiled for several (llama.cpp's
// single-row and GEMM paths). With an F16 cache the queries and the
// probabilities are first rounded to halves, and DotF16 / DotF16Tiled
// take the products (attentionF16).
func (b *Reference) Attention(dst, q, k, v Tensor, pos0 int, p Attention) {
	b.gen++
	n := q.rows
	if p.Heads <= 0 || p.KVHeads <= 0 || p.Heads%p.KVHeads != 0 ||
		q.cols%p.Heads != 0 || k.cols%p.KVHeads != 0 || v.cols%p.KVHeads != 0 {
		panic(fmt.Sprintf("compute: Attention: %d heads, %d kv heads do not fit q %v, k %v, v %v", p.Heads, p.KVHeads, q, k, v))
	}
	dk, dv := q.cols/p.Heads, v.cols/p.KVHeads
	if k.cols != p.KVHeads*dk || dst.rows != n || dst.cols != p.Heads*dv ||
		pos0 < 0 || k.rows < pos0+n || v.rows < pos0+n {
		panic(fmt.Sprintf("compute: Attention at position %d: q %v, k %v, v %v, out %v do not fit", pos0, q, k, v, dst))
	}
	if !AttentionCacheType(k.typ) || k.typ != v.typ {
		panic(fmt.Sprintf("compute: Attention: cache types %v and %v (want both F32 or both F16)", k.typ, v.typ))
	}
	t := &b.att
	t.q, t.dst = b.f32(q), b.f32(dst)
	t.heads, t.group, t.dk, t.dv, t.pos0, t.n, t.scale = p.Heads, p.Heads/p.KVHeads, dk, dv, pos0, n, p.Scale
	t.tiled = n >= 2 && dv%4 == 0
	t.wasm = b.order == OrderWllama
	t.half = k.typ == dtype.F16
	if t.half {
		t.k, t.v = nil, nil
		t.kh, t.vh = b.bytes(k), b.bytes(v)
		t.tiledK = n >= 2 && dk%16 == 0
		b.growScratch(pos0 + n + dk)
	} else {
		t.k, t.v = b.f32(k), b.f32(v)
		t.kh, t.vh = nil, nil
		b.growScratch(pos0 + n)
	}
	t.flash = p.Flash
	if t.flash {
		if err := b.flashAttention(); err != nil {
			panic("compute: Attention: " + err.Error())
		}
		b.growScratch(max(len(b.scratch[0]), t.flashScratch()))
	}
	b.pool.parallel(t, n*p.Heads, 1)
}

// AttentionCacheType reports whether Attention takes key and value caches
// of type t: F32, or F16 (llama.cpp's default cache type).
func AttentionCacheType(t dtype.Type) bool { return t == dtype.F32 || t == dtype.F16 }

type attentionTask struct {
	b            *Reference
	q, k, v, dst []float32
	kh, vh       []byte // the F16 caches' bytes
	heads, group int
	dk, dv       int
	pos0, n      int
	scale        float32
	tiled        bool // sum the values as llama.cpp's multi-row GEMM does
	half         bool // the cache is F16
	tiledK       bool // F16: the scores by the multi-row GEMM too
	wasm         bool // OrderWllama: wasm's dot products and softmax (runWasm)
	flash        bool // ggml's CPU flash attention (runFlash)
}

func (t *attentionTask) run(w, lo, hi int) {
	if t.flash {
		t.runFlash(w, lo, hi)
		return
	}
	if t.wasm {
		t.runWasm(w, lo, hi)
		return
	}
	if t.half {
		t.runF16(w, lo, hi)
		return
	}
	qc, kc, vc, oc := t.heads*t.dk, t.heads/t.group*t.dk, t.heads/t.group*t.dv, t.heads*t.dv
	for item := lo; item < hi; item++ {
		r, h := item/t.heads, item%t.heads
		kh := h / t.group
		nkv := t.pos0 + r + 1 // causal: keys 0 … pos0+r
		s := t.b.scratch[w][:nkv]
		qv := t.q[r*qc+h*t.dk : r*qc+(h+1)*t.dk]
		for j := range s {
			s[j] = dotF32x64(qv, t.k[j*kc+kh*t.dk:j*kc+(kh+1)*t.dk], 1, false) * t.scale
		}
		SoftmaxRow(s, s, true)
		out := t.dst[r*oc+h*t.dv : r*oc+(h+1)*t.dv]
		v := t.v[kh*t.dv:]
		for d := range out {
			if t.tiled {
				out[d] = dotF32x16(s, v[d:], vc)
			} else {
				out[d] = dotF32x64(s, v[d:], vc, true)
			}
		}
	}
}

// runF16 is run over an F16 cache, the steps of llama.cpp's graph
// (build_attn_mha without flash attention) with F16 K and V:
//
//	kq  = mul_mat(k, q):   q's head rounded to halves (RoundF16); each score
//	                       DotF16Tiled(q, k[j]) for several rows when dk is a
//	                       multiple of 16 (tinyBLAS), else DotF16(q, k[j], false)
//	p   = soft_max_ext(kq · scale), as with an F32 cache
//	kqv = mul_mat(vᵀ, p):  p rounded to halves; each output DotF16Tiled(p,
//	                       v[·][d]) for several rows when dv is a multiple of
//	                       4, else DotF16(p, v[·][d], padded)
func (t *attentionTask) runF16(w, lo, hi int) {
	qc, kc, vc, oc := t.heads*t.dk, t.heads/t.group*t.dk, t.heads/t.group*t.dv, t.heads*t.dv
	for item := lo; item < hi; item++ {
		r, h := item/t.heads, item%t.heads
		kh := h / t.group
		nkv := t.pos0 + r + 1
		s := t.b.scratch[w][:nkv]
		qr := t.b.scratch[w][t.pos0+t.n : t.pos0+t.n+t.dk] // after the longest row's scores
		for i, x := range t.q[r*qc+h*t.dk : r*qc+(h+1)*t.dk] {
			qr[i] = RoundF16(x)
		}
		for j := range s {
			kj := t.kh[2*(j*kc+kh*t.dk) : 2*(j*kc+(kh+1)*t.dk)]
			if t.tiledK {
				s[j] = dotHalves16(qr, kj, 1) * t.scale
			} else {
				s[j] = dotHalves64(qr, kj, 1, false) * t.scale
			}
		}
		SoftmaxRow(s, s, true)
		for j, x := range s {
			s[j] = RoundF16(x)
		}
		out := t.dst[r*oc+h*t.dv : r*oc+(h+1)*t.dv]
		v := t.vh[2*kh*t.dv:]
		for d := range out {
			if t.tiled {
				out[d] = dotHalves16(s, v[2*d:], vc)
			} else {
				out[d] = dotHalves64(s, v[2*d:], vc, true)
			}
		}
	}
}
