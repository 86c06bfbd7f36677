package arena

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// hostOps is the backend's Go-side work, done on a private one-thread
// reference backend (the numerical truth): the RoPE angles the rope_apply
// kernel rotates by, and MatMul in the reference's order when
// Options.ReferenceMatMul asks for it. Only activations pass through Go
// this way; a Go MatMul copies one weight row at a time.
type hostOps struct {
	b     *Backend
	ref   *compute.Reference
	slots map[[2]int]*hostSlot // by operand position and row length
	stage []float32            // floats on their way between the arena and ref
	out   []float32
	raw   []byte // converted activation rows
	row   []byte // one weight row
}

// hostSlot is a reference tensor kept for one operand position and row
// length, reused while the rows fit.
type hostSlot struct {
	t          compute.Tensor
	rows, cols int
}

func newHostOps(b *Backend) *hostOps {
	return &hostOps{b: b, ref: compute.NewReference(1), slots: map[[2]int]*hostSlot{}}
}

func (h *hostOps) close() { h.ref.Close() }

// tensor is a reference tensor of rows × cols for operand slot.
func (h *hostOps) tensor(slot, rows, cols int) compute.Tensor {
	s := h.slots[[2]int{slot, cols}]
	if s == nil {
		s = &hostSlot{cols: cols}
		h.slots[[2]int{slot, cols}] = s
	}
	if s.t.Valid() && s.rows >= rows {
		return s.t.Slice(0, rows)
	}
	n := rows
	if s.t.Valid() {
		n = max(n, 2*s.rows)
		h.ref.Free(s.t)
	}
	t, err := h.ref.Alloc(dtype.F32, n, cols)
	if err != nil {
		panic(fmt.Sprintf("arena: %v", err))
	}
	s.t, s.rows = t, n
	return t.Slice(0, rows)
}

func grow[T any](s []T, n int) []T {
	if cap(s) < n {
		s = make([]T, n, max(n, 2*cap(s)))
	}
	return s[:n]
}

// in copies the F32 arena tensor t into slot's reference tensor.
func (h *hostOps) in(slot int, t compute.Tensor) compute.Tensor {
	ht := h.tensor(slot, t.Rows(), t.Cols())
	h.stage = grow(h.stage, t.Rows()*t.Cols())
	h.b.dev.Read(h.b.f32(t), f32Bytes(h.stage))
	h.ref.Write(ht, h.stage)
	return ht
}

// ropeAngles writes, for each of rows positions pos0 …, the Dims/2 (cos,
// sin) pairs RoPE rotates by into the arena at cs, computed by the
// reference's own angle code so the kernel's rotation gives its bits: a
// row of unit pairs (1, 0) rotated by the reference comes out as exactly
// (cos, sin) (x0·c − 0·s = c and x0·s + 0·c = s, rounded once each).
func (h *hostOps) ropeAngles(cs uint32, rows, pos0 int, p compute.Rope) {
	d := p.Dims
	unit := compute.Rope{HeadDim: d, Dims: d, Base: p.Base, Scale: p.Scale,
		ExtFactor: p.ExtFactor, AttnFactor: p.AttnFactor, BetaFast: p.BetaFast, BetaSlow: p.BetaSlow, OrigCtx: p.OrigCtx}
	if p.Factors.Valid() {
		unit.Factors = h.in(1, p.Factors)
	}
	ht := h.tensor(0, rows, d)
	h.stage = grow(h.stage, rows*d)
	for i := range h.stage {
		h.stage[i] = float32(1 - i%2)
	}
	h.ref.Write(ht, h.stage)
	h.ref.Rope(ht, ht, pos0, unit)
	h.ref.Read(ht, h.stage)
	h.b.dev.Write(cs, f32Bytes(h.stage))
}

// matmul multiplies in Go with the reference backend's kernel for the
// whole weight's shape (compute.KernelFor).
func (h *hostOps) matmul(dst, w, x compute.Tensor) { h.matmulWith(dst, w, x, false) }

// matmulWith is matmul with MatMul's kernel, or MatMulExperts' (experts).
func (h *hostOps) matmulWith(dst, w, x compute.Tensor, experts bool) {
	b := h.b
	n, in, out := x.Rows(), x.Cols(), w.Rows()
	act, dot, ok := compute.KernelFor(w.Type(), b.wholeRows(w), in, n)
	if experts {
		act, dot, ok = compute.OrderLlamaCppX86.ExpertKernelFor(w.Type(), out, b.wholeRows(w), in)
	}
	if !ok {
		panic(fmt.Sprintf("arena: MatMul: no reference kernel for %v", w))
	}
	xrb64, _ := act.RowSize(int64(in))
	xrb := int(xrb64)
	h.stage = grow(h.stage, n*in)
	b.dev.Read(b.f32(x), f32Bytes(h.stage))
	h.raw = grow(h.raw, n*xrb)
	for r := 0; r < n; r++ {
		if err := quant.Quantize(act, h.stage[r*in:(r+1)*in], h.raw[r*xrb:(r+1)*xrb]); err != nil {
			panic("arena: " + err.Error()) // shapes were checked by MatMul
		}
	}
	wrb := w.RowBytes()
	woff := b.off(w)
	h.row = grow(h.row, wrb)
	h.out = grow(h.out, n*out)
	for o := 0; o < out; o++ {
		b.dev.Read(woff+uint32(o*wrb), h.row)
		for r := 0; r < n; r++ {
			h.out[r*out+o] = dot(h.row, h.raw[r*xrb:(r+1)*xrb], in)
		}
	}
	b.dev.Write(b.f32(dst), f32Bytes(h.out))
}
