package compute

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/quant"
)

// The vision encoder's operations on the reference backend: row-wise
// LayerNorm, GELU and quick GELU, and SelfAttention split across workers
// by (row, head) pairs.

type encRowOp int

const (
	encLayerNorm encRowOp = iota
	encGELU
	encGELUQuick
)

type encRowTask struct {
	op     encRowOp
	dst, x []float32
	w, b   []float32
	cols   int
	eps    float32
}

func (t *encRowTask) run(_, lo, hi int) {
	c := t.cols
	for r := lo; r < hi; r++ {
		d, x := t.dst[r*c:(r+1)*c], t.x[r*c:(r+1)*c]
		switch t.op {
		case encLayerNorm:
			LayerNormRow(d, x, t.w, t.b, t.eps)
		case encGELU:
			for i, v := range x {
				d[i] = GELU32(v)
			}
		case encGELUQuick:
			for i, v := range x {
				d[i] = GELUQuick32(v)
			}
		}
	}
}

func (r *Reference) encRows(t encRowTask, rows int) {
	r.gen++
	r.enc = t
	r.pool.parallel(&r.enc, rows, max(1, 16384/max(1, t.cols)))
}

// LayerNorm normalises each row, then multiplies by w and adds b (see
// Backend.LayerNorm).
func (r *Reference) LayerNorm(dst, x, w, b Tensor, eps float32) {
	sameShape("LayerNorm", dst, x)
	t := encRowTask{op: encLayerNorm, dst: r.f32(dst), x: r.f32(x), cols: x.cols, eps: eps}
	if w.Valid() {
		if w.rows != 1 || w.cols != x.cols {
			panic(fmt.Sprintf("compute: LayerNorm: weight %v does not fit rows of %v", w, x))
		}
		t.w = r.f32(w)
	}
	if b.Valid() {
		if b.rows != 1 || b.cols != x.cols {
			panic(fmt.Sprintf("compute: LayerNorm: bias %v does not fit rows of %v", b, x))
		}
		t.b = r.f32(b)
	}
	r.encRows(t, x.rows)
}

// GELU is dst = GELU32(x).
func (r *Reference) GELU(dst, x Tensor) {
	sameShape("GELU", dst, x)
	r.encRows(encRowTask{op: encGELU, dst: r.f32(dst), x: r.f32(x), cols: x.cols}, x.rows)
}

// GELUQuick is dst = GELUQuick32(x).
func (r *Reference) GELUQuick(dst, x Tensor) {
	sameShape("GELUQuick", dst, x)
	r.encRows(encRowTask{op: encGELUQuick, dst: r.f32(dst), x: r.f32(x), cols: x.cols}, x.rows)
}

type selfAttentionTask struct {
	b            *Reference
	q, k, v, dst []float32
	heads, d, n  int
	scale        float32
	flash        bool
	wasm         bool       // OrderWllama's plain attention (selfAttentionRowWasm)
	kh           []uint16   // flash, one-chunk: the keys as halves
	qh           [][]uint16 // per worker: the query head as halves
	// Flash: the keys and values rounded to halves (kept between calls).
	kr, vr []float32
	khBuf  []uint16
}

func (t *selfAttentionTask) run(w, lo, hi int) {
	stride := t.heads * t.d
	for item := lo; item < hi; item++ {
		row, h := item/t.heads, item%t.heads
		o := row*stride + h*t.d
		if t.wasm && !t.flash {
			selfAttentionRowWasm(t.dst[o:o+t.d], t.q[o:o+t.d], t.k[h*t.d:], t.v[h*t.d:], t.n, stride, t.scale, t.b.scratch[w])
			continue
		}
		var kh []uint16
		if t.kh != nil {
			kh = t.kh[h*t.d:]
		}
		selfAttentionRow(t.dst[o:o+t.d], t.q[o:o+t.d], t.k[h*t.d:], t.v[h*t.d:], kh, t.n, stride,
			t.scale, t.flash, t.b.scratch[w], t.qh[w])
	}
}

// SelfAttention is full multi-head attention of the rows of q over the
// rows of k and v (see Backend.SelfAttention and the SelfAttention type).
// For flash attention the keys and values are rounded to halves once per
// call, as ggml_cast does before the kernel.
func (r *Reference) SelfAttention(dst, q, k, v Tensor, p SelfAttention) {
	r.gen++
	n := q.rows
	if p.Heads <= 0 || q.cols%p.Heads != 0 {
		panic(fmt.Sprintf("compute: SelfAttention: %d heads do not divide rows of %v", p.Heads, q))
	}
	sameShape("SelfAttention", k, q)
	sameShape("SelfAttention", v, q)
	sameShape("SelfAttention", dst, q)
	if dst.buf == q.buf || dst.buf == k.buf || dst.buf == v.buf {
		panic(fmt.Sprintf("compute: SelfAttention: output %v shares a buffer with its inputs", dst))
	}
	d := q.cols / p.Heads
	t := &r.selfAtt
	t.b, t.q, t.k, t.v, t.dst = r, r.f32(q), r.f32(k), r.f32(v), r.f32(dst)
	t.heads, t.d, t.n, t.scale, t.flash = p.Heads, d, n, p.Scale, p.Flash
	t.wasm = r.order == OrderWllama
	t.kh = nil
	if p.Flash {
		size := n * q.cols
		t.kr, t.vr = growF32(t.kr, size), growF32(t.vr, size)
		for i, x := range t.k {
			t.kr[i] = RoundF16(x)
		}
		for i, x := range t.v {
			t.vr[i] = RoundF16(x)
		}
		t.k, t.v = t.kr, t.vr
		if !FlashTiled(n, d) {
			if cap(t.khBuf) < size {
				t.khBuf = make([]uint16, size)
			}
			t.kh = t.khBuf[:size]
			for i, x := range t.kr {
				t.kh[i] = quant.F32ToF16(x)
			}
		}
	}
	r.growScratch(max(n, FlashTileRows))
	if len(t.qh) != len(r.scratch) {
		t.qh = make([][]uint16, len(r.scratch))
	}
	for w := range t.qh {
		if cap(t.qh[w]) < d {
			t.qh[w] = make([]uint16, d)
		}
	}
	r.pool.parallel(t, n*p.Heads, 1)
}

func growF32(s []float32, n int) []float32 {
	if cap(s) < n {
		return make([]float32, n)
	}
	return s[:n]
}
