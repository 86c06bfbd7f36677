package compute

import "fmt"

// Attention is causal grouped-query attention over the cache (see
// Backend.Attention), in the arithmetic of llama.cpp's CPU graph: scores by
// DotF32, a padded SoftmaxRow, and values summed by DotF32 for one query
// row or DotF32Tiled for several (llama.cpp's single-row and GEMM paths).
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
	t := &b.att
	t.q, t.k, t.v, t.dst = b.f32(q), b.f32(k), b.f32(v), b.f32(dst)
	t.heads, t.group, t.dk, t.dv, t.pos0, t.scale = p.Heads, p.Heads/p.KVHeads, dk, dv, pos0, p.Scale
	t.tiled = n >= 2 && dv%4 == 0
	b.growScratch(pos0 + n)
	b.pool.parallel(t, n*p.Heads, 1)
}

type attentionTask struct {
	b            *Reference
	q, k, v, dst []float32
	heads, group int
	dk, dv       int
	pos0         int
	scale        float32
	tiled        bool // sum the values as llama.cpp's multi-row GEMM does
}

func (t *attentionTask) run(w, lo, hi int) {
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
