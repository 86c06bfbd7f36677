package compute

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The row-wise operations: each output row depends on the same row of the
// inputs only, so they split across workers by rows.

type rowOp int

const (
	opAdd rowOp = iota
	opMul
	opScale
	opSiLU
	opSwiGLU
	opSoftmax
	opCopy
	opRMSNorm
)

type rowTask struct {
	op        rowOp
	dst, a, b []float32
	cols      int
	bcast     bool // b has one row
	s         float32
	group     int  // RMSNorm group size
	wasm      bool // OrderWllama: scalar silu and softmax (arith_wllama.go)
}

// runRows splits the row task across the pool; rows of at least ~16k
// elements per share, so one-token steps stay on the calling goroutine.
func (r *Reference) runRows(n int) {
	r.gen++
	r.rows.wasm = r.order == OrderWllama
	grain := max(1, 16384/max(1, r.rows.cols))
	r.pool.parallel(&r.rows, n, grain)
}

func (r *Reference) binary(op rowOp, name string, dst, a, b Tensor) {
	sameShape(name, dst, a)
	if b.cols != a.cols || (b.rows != a.rows && b.rows != 1) {
		panic(fmt.Sprintf("compute: %s: %v and %v do not fit", name, a, b))
	}
	t := &r.rows
	*t = rowTask{op: op, dst: r.f32(dst), a: r.f32(a), b: r.f32(b), cols: a.cols, bcast: b.rows == 1 && a.rows != 1}
	r.runRows(a.rows)
}

// Add is dst = a + b, b broadcast over rows when it has one.
func (r *Reference) Add(dst, a, b Tensor) { r.binary(opAdd, "Add", dst, a, b) }

// Mul is dst = a · b, b broadcast over rows when it has one.
func (r *Reference) Mul(dst, a, b Tensor) { r.binary(opMul, "Mul", dst, a, b) }

// SwiGLU is dst = silu(gate) · up.
func (r *Reference) SwiGLU(dst, gate, up Tensor) {
	sameShape("SwiGLU", gate, up)
	r.binary(opSwiGLU, "SwiGLU", dst, gate, up)
}

func (r *Reference) unary(op rowOp, name string, dst, a Tensor, s float32) {
	sameShape(name, dst, a)
	t := &r.rows
	*t = rowTask{op: op, dst: r.f32(dst), a: r.f32(a), cols: a.cols, s: s}
	r.runRows(a.rows)
}

// Scale is dst = a · s.
func (r *Reference) Scale(dst, a Tensor, s float32) { r.unary(opScale, "Scale", dst, a, s) }

// SiLU is dst = x / (1 + exp(−x)).
func (r *Reference) SiLU(dst, x Tensor) { r.unary(opSiLU, "SiLU", dst, x, 0) }

// Softmax normalises each row (see Backend.Softmax).
func (r *Reference) Softmax(dst, x Tensor) { r.unary(opSoftmax, "Softmax", dst, x, 0) }

// Copy copies src into dst, rounding F32 rows into an F16 dst (see
// Backend.Copy).
func (r *Reference) Copy(dst, src Tensor) {
	if dst.typ == dtype.F32 {
		r.unary(opCopy, "Copy", dst, src, 0)
		return
	}
	r.gen++
	sameShape("Copy", dst, src)
	switch {
	case dst.typ == dtype.F16 && src.typ == dtype.F32:
		d := r.bytes(dst)
		for i, x := range r.f32(src) {
			binary.LittleEndian.PutUint16(d[2*i:], quant.F32ToF16(x))
		}
	case dst.typ == dtype.F16 && src.typ == dtype.F16:
		copy(r.bytes(dst), r.bytes(src))
	default:
		panic(fmt.Sprintf("compute: Copy of %v into %v: want F32 into F32 or F16, or F16 into F16", src, dst))
	}
}

// RMSNorm normalises each group of w.Cols elements and multiplies by w.
func (r *Reference) RMSNorm(dst, x, w Tensor, eps float32) {
	sameShape("RMSNorm", dst, x)
	if w.rows != 1 || w.cols == 0 || x.cols%w.cols != 0 {
		panic(fmt.Sprintf("compute: RMSNorm: weight %v does not divide the rows of %v", w, x))
	}
	t := &r.rows
	*t = rowTask{op: opRMSNorm, dst: r.f32(dst), a: r.f32(x), b: r.f32(w), cols: x.cols, group: w.cols, s: eps}
	r.runRows(x.rows)
}

func (t *rowTask) run(_, lo, hi int) {
	c := t.cols
	for row := lo; row < hi; row++ {
		d := t.dst[row*c : (row+1)*c]
		a := t.a[row*c : (row+1)*c]
		var b []float32
		if t.b != nil {
			if t.bcast || t.op == opRMSNorm {
				b = t.b[:len(t.b):len(t.b)]
			} else {
				b = t.b[row*c : (row+1)*c]
			}
		}
		switch t.op {
		case opAdd:
			for i := range d {
				d[i] = a[i] + b[i]
			}
		case opMul:
			for i := range d {
				d[i] = a[i] * b[i]
			}
		case opScale:
			for i := range d {
				d[i] = a[i] * t.s
			}
		case opSiLU:
			if t.wasm {
				siluRowWasm(d, a)
			} else {
				siluRow(d, a)
			}
		case opSwiGLU:
			if t.wasm {
				swigluRowWasm(d, a, b)
			} else {
				swigluRow(d, a, b)
			}
		case opSoftmax:
			if t.wasm {
				SoftmaxRowWasm(d, a)
			} else {
				SoftmaxRow(d, a, false)
			}
		case opCopy:
			copy(d, a)
		case opRMSNorm:
			for g := 0; g < c; g += t.group {
				rmsNorm(d[g:g+t.group], a[g:g+t.group], b, t.s)
			}
		}
	}
}

func expf(x float32) float32 { return float32(math.Exp(float64(x))) }

// silu is x/(1+e^−x) with libm's expf, as ggml's scalar silu.
func silu(x float32) float32 { return x / (1 + expf(-x)) }

// rmsNorm is ggml's rms_norm followed by the weight multiply: squares
// rounded to float32, summed in float64; the mean rounded to float32.
func rmsNorm(d, x, w []float32, eps float32) {
	var sum float64
	for _, v := range x {
		sum += float64(v * v)
	}
	mean := float32(sum / float64(len(x)))
	scale := 1 / float32(math.Sqrt(float64(mean+eps)))
	for i, v := range x {
		d[i] = (v * scale) * w[i]
	}
}
