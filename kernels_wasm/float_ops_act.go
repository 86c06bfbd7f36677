package kernels

import (
	"math"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The activation kernels, row by row as ggml splits them (compute's
// siluRow, swigluRow, SoftmaxRow):
//
//	silu(dst, x, rows, cols)
//	    dst = SiLU32(x) on each row's whole groups of 16,
//	          x / (1 + Expf(−x)) on its last cols mod 16
//	swiglu(dst, gate, up, rows, cols)
//	    dst = silu(gate)·up, silu grouped as above
//	softmax(dst, x, rows, cols)
//	    each row: m = max; e = Exp32(x − m) on whole groups of 16, each
//	    group's Sum16 added to a float64 sum; Expf(x − m) on the rest,
//	    added one by one; dst = e · float32(1/sum)
//
// dst may be x (or gate, up). Nothing is written when rows or cols ≤ 0.

// Names of the activation kernels.
const (
	KernelSiLU    = "silu"
	KernelSwiGLU  = "swiglu"
	KernelSoftmax = "softmax"
)

// actFuncs are the module's internal functions the float kernels share.
type actFuncs struct {
	expf, fma32, softmaxRow *Func
	vexp, vsilu             *Func // (x v128) v128: four lanes of vexpf, vsilu
}

// defineVexpFuncs emits the internal vexp_lanes and vsilu_lanes: one copy
// of each (about 5 KB) called by the kernels, rather than one inlined at
// every use.
func defineVexpFuncs(m *Module, fn *actFuncs) {
	for _, silu := range []bool{false, true} {
		name := "vexp_lanes"
		if silu {
			name = "vsilu_lanes"
		}
		f := m.Func(name, []ValType{V128}, V128)
		v := newVexp(f, newExactFMA(f))
		f.Do(LocalGet(f.Param(0)))
		if silu {
			v.silu(f.NewLocal(V128))
			fn.vsilu = f
		} else {
			v.lanes()
			fn.vexp = f
		}
	}
}

// defineSiLU emits silu, or swiglu when gated.
func defineSiLU(m *Module, fn *actFuncs, gated bool) *Func {
	params := []ValType{I32, I32, I32, I32}
	name := KernelSiLU
	if gated {
		params, name = append(params, I32), KernelSwiGLU
	}
	f := m.Func(name, params)
	dst, x := f.Param(0), f.Param(1)
	var up, rows, cols Local
	if gated {
		up, rows, cols = f.Param(2), f.Param(3), f.Param(4)
	} else {
		rows, cols = f.Param(2), f.Param(3)
	}
	k, v := f.NewLocal(I32), f.NewLocal(F32)

	f.Do(LocalGet(rows), I32Const(0), I32LeS, LocalGet(cols), I32Const(0), I32LeS, I32Or)
	f.If(func(Label) { f.Do(Return) })
	countdown(f, rows, func() {
		f.Do(LocalGet(cols), I32Const(4), I32ShrU, LocalSet(k))
		countdown(f, k, func() {
			for q := uint32(0); q < 4; q++ {
				f.Do(LocalGet(dst), LocalGet(x), V128Load(16*q).Align(0), Call(fn.vsilu))
				if gated {
					f.Do(LocalGet(up), V128Load(16*q).Align(0), F32x4Mul)
				}
				f.Do(V128Store(16 * q).Align(0))
			}
			advance(f, dst, 64)
			advance(f, x, 64)
			if gated {
				advance(f, up, 64)
			}
		})
		f.Do(LocalGet(cols), I32Const(15), I32And, LocalSet(k))
		countdown(f, k, func() {
			// x / (1 + expf(−x))
			f.Do(
				LocalGet(dst),
				LocalGet(x), F32Load(0).Align(0), LocalTee(v),
				F32Const(1), LocalGet(v), F32Neg, Call(fn.expf), F32Add,
				F32Div,
			)
			if gated {
				f.Do(LocalGet(up), F32Load(0).Align(0), F32Mul)
				advance(f, up, 4)
			}
			f.Do(F32Store(0).Align(0))
			advance(f, dst, 4)
			advance(f, x, 4)
		})
	})
	return f
}

// defineSoftmaxRow emits the internal softmax_row(dst, x, n, padded),
// compute.SoftmaxRow on one row of n > 0 elements. padded (attention's
// rows) takes Exp32 on every element, its last group summed as if filled
// with zeros; it then reads x and writes dst up to the next multiple of
// 16 elements (zeros past n).
func defineSoftmaxRow(m *Module, fn *actFuncs) *Func {
	f := m.Func("softmax_row", []ValType{I32, I32, I32, I32})
	dst, x, n, padded := f.Param(0), f.Param(1), f.Param(2), f.Param(3)
	k, px, pd, left := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	mv, mx, inv := f.NewLocal(V128), f.NewLocal(F32), f.NewLocal(F32)
	sum := f.NewLocal(F64)
	var e [4]Local
	for i := range e {
		e[i] = f.NewLocal(V128)
	}

	// m = max(x): four lanes, then one at a time (max is exact and
	// order-free: NaN wins, +0 beats −0, as Go's max)
	f.Do(splatF32(float32(math.Inf(-1))), LocalSet(mv), LocalGet(x), LocalSet(px))
	f.Do(LocalGet(n), I32Const(2), I32ShrU, LocalSet(k))
	countdown(f, k, func() {
		f.Do(LocalGet(mv), LocalGet(px), V128Load(0).Align(0), F32x4Max, LocalSet(mv))
		advance(f, px, 16)
	})
	f.Do(
		LocalGet(mv), F32x4ExtractLane(0), LocalGet(mv), F32x4ExtractLane(1), F32Max,
		LocalGet(mv), F32x4ExtractLane(2), LocalGet(mv), F32x4ExtractLane(3), F32Max, F32Max, LocalSet(mx),
		LocalGet(n), I32Const(3), I32And, LocalSet(k),
	)
	countdown(f, k, func() {
		f.Do(LocalGet(mx), LocalGet(px), F32Load(0).Align(0), F32Max, LocalSet(mx))
		advance(f, px, 4)
	})

	// whole groups of 16 (all of them, the last one partial, when padded)
	f.Do(
		LocalGet(mx), F32x4Splat, LocalSet(mv),
		LocalGet(x), LocalSet(px), LocalGet(dst), LocalSet(pd), LocalGet(n), LocalSet(left),
		LocalGet(n), I32Const(15), I32Add, LocalGet(n), LocalGet(padded), Select,
		I32Const(4), I32ShrU, LocalSet(k),
	)
	countdown(f, k, func() {
		for q := range e {
			f.Do(LocalGet(px), V128Load(16*uint32(q)).Align(0), LocalGet(mv), F32x4Sub, Call(fn.vexp))
			// lanes at or past n are zero (only when padded can there be any)
			f.Do(
				V128ConstI32x4(uint32(4*q), uint32(4*q+1), uint32(4*q+2), uint32(4*q+3)),
				LocalGet(left), I32x4Splat, I32x4LtS, V128And, LocalSet(e[q]),
				LocalGet(pd), LocalGet(e[q]), V128Store(16*uint32(q)).Align(0),
			)
		}
		f.Do(LocalGet(sum))
		reduce16(f, e)
		f.Do(F64PromoteF32, F64Add, LocalSet(sum))
		advance(f, px, 64)
		advance(f, pd, 64)
		advance(f, left, -16)
	})
	// the rest one by one with expf (none when padded: left ≤ 0)
	f.Do(LocalGet(left), I32Const(0), LocalGet(left), I32Const(0), I32GtS, Select, LocalSet(k))
	countdown(f, k, func() {
		f.Do(
			LocalGet(pd),
			LocalGet(px), F32Load(0).Align(0), LocalGet(mx), F32Sub, Call(fn.expf), LocalTee(inv),
			F32Store(0).Align(0),
			LocalGet(sum), LocalGet(inv), F64PromoteF32, F64Add, LocalSet(sum),
		)
		advance(f, px, 4)
		advance(f, pd, 4)
	})
	// dst ·= float32(1/sum)
	f.Do(F64Const(1), LocalGet(sum), F64Div, F32DemoteF64, LocalTee(inv), F32x4Splat, LocalSet(mv))
	f.Do(LocalGet(dst), LocalSet(pd))
	eachLane(f, n, k, []Local{pd}, func(load func(Local)) {
		load(pd)
		f.Do(LocalGet(mv), F32x4Mul)
	})
	return f
}

// defineSoftmax emits softmax(dst, x, rows, cols).
func defineSoftmax(m *Module, fn *actFuncs) *Func {
	f := m.Func(KernelSoftmax, []ValType{I32, I32, I32, I32})
	dst, x, rows, cols := f.Param(0), f.Param(1), f.Param(2), f.Param(3)
	step := f.NewLocal(I32)
	f.Do(LocalGet(rows), I32Const(0), I32LeS, LocalGet(cols), I32Const(0), I32LeS, I32Or)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(cols), I32Const(2), I32Shl, LocalSet(step))
	countdown(f, rows, func() {
		f.Do(
			LocalGet(dst), LocalGet(x), LocalGet(cols), I32Const(0), Call(fn.softmaxRow),
			LocalGet(dst), LocalGet(step), I32Add, LocalSet(dst),
			LocalGet(x), LocalGet(step), I32Add, LocalSet(x),
		)
	})
	return f
}
