package arena

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/compute"
)

// The vision encoder's operations (LayerNorm, GELU, GELUQuick,
// SelfAttention) have no kernel in kernels.wasm yet: they run in Go on
// the backend's private reference backend (hostOps), their operands copied
// out of the arena and the result copied back. So they give the
// reference's bits exactly, at the cost of two copies of the activations
// per call (an image encode does a few dozen such calls, against hundreds
// of matrix rows per call in MatMul, which stays on the kernels).

// writeBack copies the reference tensor ht into the F32 arena tensor t.
func (h *hostOps) writeBack(t, ht compute.Tensor) {
	h.stage = grow(h.stage, t.Rows()*t.Cols())
	h.ref.Read(ht, h.stage)
	h.b.dev.Write(h.b.f32(t), f32Bytes(h.stage))
}

// LayerNorm normalises each row, multiplies by w and adds b, in Go (see
// compute.Backend.LayerNorm).
func (b *Backend) LayerNorm(dst, x, w, bias compute.Tensor, eps float32) {
	b.gen++
	sameShape("LayerNorm", dst, x)
	for _, p := range []compute.Tensor{w, bias} {
		if p.Valid() && (p.Rows() != 1 || p.Cols() != x.Cols()) {
			panic(fmt.Sprintf("arena: LayerNorm: %v does not fit rows of %v", p, x))
		}
	}
	b.f32(dst)
	if x.Rows() == 0 || x.Cols() == 0 {
		return
	}
	h := b.host
	hx := h.in(0, x)
	var hw, hb compute.Tensor
	if w.Valid() {
		hw = h.in(1, w)
	}
	if bias.Valid() {
		hb = h.in(2, bias)
	}
	h.ref.LayerNorm(hx, hx, hw, hb, eps)
	h.writeBack(dst, hx)
}

// GELU is dst = compute.GELU32(x), in Go.
func (b *Backend) GELU(dst, x compute.Tensor) { b.hostUnary("GELU", dst, x, false) }

// GELUQuick is dst = compute.GELUQuick32(x), in Go.
func (b *Backend) GELUQuick(dst, x compute.Tensor) { b.hostUnary("GELUQuick", dst, x, true) }

func (b *Backend) hostUnary(name string, dst, x compute.Tensor, quick bool) {
	b.gen++
	sameShape(name, dst, x)
	b.f32(dst)
	if x.Rows() == 0 || x.Cols() == 0 {
		return
	}
	h := b.host
	hx := h.in(0, x)
	if quick {
		h.ref.GELUQuick(hx, hx)
	} else {
		h.ref.GELU(hx, hx)
	}
	h.writeBack(dst, hx)
}

// SelfAttention is full multi-head attention of the rows over themselves,
// in Go (see compute.Backend.SelfAttention).
func (b *Backend) SelfAttention(dst, q, k, v compute.Tensor, p compute.SelfAttention) {
	b.gen++
	if p.Heads <= 0 || q.Cols()%p.Heads != 0 {
		panic(fmt.Sprintf("arena: SelfAttention: %d heads do not divide rows of %v", p.Heads, q))
	}
	sameShape("SelfAttention", k, q)
	sameShape("SelfAttention", v, q)
	sameShape("SelfAttention", dst, q)
	if dst.Buffer() == q.Buffer() || dst.Buffer() == k.Buffer() || dst.Buffer() == v.Buffer() {
		panic(fmt.Sprintf("arena: SelfAttention: output %v shares a buffer with its inputs", dst))
	}
	b.f32(dst)
	if q.Rows() == 0 || q.Cols() == 0 {
		return
	}
	h := b.host
	hq, hk, hv := h.in(0, q), h.in(1, k), h.in(2, v)
	ho := h.tensor(3, q.Rows(), q.Cols())
	h.ref.SelfAttention(ho, hq, hk, hv, p)
	h.writeBack(dst, ho)
}
