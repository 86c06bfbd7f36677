package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The vision encoder's row-wise operations (compute.Backend.LayerNorm,
// GELU and GELUQuick, in the reference's arithmetic: engine/compute's
// LayerNormRow, GELU32 and GELUQuick32).
//
// layernorm(dst, x, w, b, rows, cols, eps f32)
//
//	for each row of cols floats (dst may be x):
//	    sum := float64(0); for c { sum += float64(x[c]) }
//	    mean := float32(sum) / float32(cols)
//	    sq := float64(0); for c { d[c] = x[c] − mean; sq += float64(d[c]·d[c]) }
//	    scale := 1 / float32(sqrt(float64(float32(sq/cols) + eps)))
//	    dst[c] = d[c]·scale, then ·w[c] unless w = 0, then +b[c] unless b = 0
//	The two sums are chains of float64 additions in element order; the
//	rest goes four lanes at a time. Nothing is written when rows or
//	cols ≤ 0.
//
// gelu(dst, x, n, table, clamp)
//
//	dst[i] = table[half(x[i])] for n floats (dst may be x), half(x) the
//	bits of x rounded to an IEEE half (quant.F32ToF16) and table 65536
//	float32s; with clamp ≠ 0, 0 where x ≤ −10 and x where x ≥ 10 instead
//	(ggml_vec_gelu_f32 with GGML_GELU_FP16; quick GELU has no clamp).
//	The Go side fills the table from the reference's own GELU32 or
//	GELUQuick32. Nothing is written when n ≤ 0.

// Names of the encoder's row kernels.
const (
	KernelLayerNorm = "layernorm"
	KernelGELU      = "gelu"
)

func defineLayerNorm(m *Module) *Func {
	f := m.Func(KernelLayerNorm, []ValType{I32, I32, I32, I32, I32, I32, F32})
	dst, x, w, b, rows, cols, eps := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4), f.Param(5), f.Param(6)
	k, p, q, pw, pb := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	mean, c := f.NewLocal(F32), f.NewLocal(F32)
	sum := f.NewLocal(F64)
	scale, v := f.NewLocal(V128), f.NewLocal(V128)

	f.Do(LocalGet(rows), I32Const(0), I32LeS, LocalGet(cols), I32Const(0), I32LeS, I32Or)
	f.If(func(Label) { f.Do(Return) })
	countdown(f, rows, func() {
		// the mean
		f.Do(F64Const(0), LocalSet(sum), LocalGet(x), LocalSet(p), LocalGet(cols), LocalSet(k))
		countdown(f, k, func() {
			f.Do(LocalGet(sum), LocalGet(p), F32Load(0).Align(0), F64PromoteF32, F64Add, LocalSet(sum))
			advance(f, p, 4)
		})
		f.Do(
			LocalGet(sum), F32DemoteF64, LocalGet(cols), F32ConvertI32U, F32Div, LocalSet(mean),
			// the differences, and the sum of their squares
			F64Const(0), LocalSet(sum), LocalGet(x), LocalSet(p), LocalGet(dst), LocalSet(q), LocalGet(cols), LocalSet(k),
		)
		countdown(f, k, func() {
			f.Do(
				LocalGet(q), LocalGet(p), F32Load(0).Align(0), LocalGet(mean), F32Sub, LocalTee(c), F32Store(0).Align(0),
				LocalGet(sum), LocalGet(c), LocalGet(c), F32Mul, F64PromoteF32, F64Add, LocalSet(sum),
			)
			advance(f, p, 4)
			advance(f, q, 4)
		})
		f.Do(
			F32Const(1),
			LocalGet(sum), LocalGet(cols), F64ConvertI32U, F64Div, F32DemoteF64,
			LocalGet(eps), F32Add, F64PromoteF32, F64Sqrt, F32DemoteF64,
			F32Div, F32x4Splat, LocalSet(scale),
			LocalGet(dst), LocalSet(q), LocalGet(w), LocalSet(pw), LocalGet(b), LocalSet(pb),
		)
		// scale, weight, bias: each a rounded float32 operation
		eachLane(f, cols, k, []Local{q, pw, pb}, func(load func(Local)) {
			load(q)
			f.Do(LocalGet(scale), F32x4Mul, LocalSet(v))
			f.Do(LocalGet(w))
			f.If(func(Label) {
				f.Do(LocalGet(v))
				load(pw)
				f.Do(F32x4Mul, LocalSet(v))
			})
			f.Do(LocalGet(b))
			f.If(func(Label) {
				f.Do(LocalGet(v))
				load(pb)
				f.Do(F32x4Add, LocalSet(v))
			})
			f.Do(LocalGet(v))
		})
		f.Do(LocalGet(x), LocalGet(cols), I32Const(2), I32Shl, I32Add, LocalSet(x))
		f.Do(LocalGet(dst), LocalGet(cols), I32Const(2), I32Shl, I32Add, LocalSet(dst))
	})
	return f
}

func defineGELU(m *Module) *Func {
	f := m.Func(KernelGELU, []ValType{I32, I32, I32, I32, I32})
	dst, x, n, table, clamp := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4)
	k := f.NewLocal(I32)
	xv, abs, t, hv, r := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	xs, rs := f.NewLocal(F32), f.NewLocal(F32)
	narrow := newF16Narrow(f)

	f.Do(LocalGet(n), I32Const(0), I32LeS)
	f.If(func(Label) { f.Do(Return) })
	// four at a time: the halves' table addresses, four loads
	f.Do(LocalGet(n), I32Const(2), I32ShrU, LocalSet(k))
	countdown(f, k, func() {
		f.Do(LocalGet(x), V128Load(0).Align(0))
		halfLanes(f, xv, abs, t)
		f.Do(I32Const(2), I32x4Shl, LocalGet(table), I32x4Splat, I32x4Add, LocalSet(hv))
		for l := range 4 {
			if l == 0 {
				f.Do(LocalGet(hv), I32x4ExtractLane(0), F32Load(0).Align(0), F32x4Splat)
			} else {
				f.Do(LocalGet(hv), I32x4ExtractLane(byte(l)), F32Load(0).Align(0), F32x4ReplaceLane(byte(l)))
			}
		}
		f.Do(LocalSet(r), LocalGet(clamp))
		f.If(func(Label) {
			f.Do(
				// x where x ≥ 10, 0 where x ≤ −10
				LocalGet(xv), LocalGet(r), LocalGet(xv), splatF32(10), F32x4Ge, V128Bitselect, LocalSet(r),
				V128Const([16]byte{}), LocalGet(r), LocalGet(xv), splatF32(-10), F32x4Le, V128Bitselect, LocalSet(r),
			)
		})
		f.Do(LocalGet(dst), LocalGet(r), V128Store(0).Align(0))
		advance(f, x, 16)
		advance(f, dst, 16)
	})
	f.Do(LocalGet(n), I32Const(3), I32And, LocalSet(k))
	countdown(f, k, func() {
		f.Do(
			LocalGet(x), F32Load(0).Align(0), LocalTee(xs),
		)
		narrow.scalar()
		f.Do(I32Const(2), I32Shl, LocalGet(table), I32Add, F32Load(0).Align(0), LocalSet(rs), LocalGet(clamp))
		f.If(func(Label) {
			f.Do(
				LocalGet(xs), LocalGet(rs), LocalGet(xs), F32Const(10), F32Ge, Select, LocalSet(rs),
				F32Const(0), LocalGet(rs), LocalGet(xs), F32Const(-10), F32Le, Select, LocalSet(rs),
			)
		})
		f.Do(LocalGet(dst), LocalGet(rs), F32Store(0).Align(0))
		advance(f, x, 4)
		advance(f, dst, 4)
	})
	return f
}

// registerEncoderRows defines and exports layernorm and gelu.
func registerEncoderRows(m *Module) {
	m.ExportFunc(KernelLayerNorm, defineLayerNorm(m))
	m.ExportFunc(KernelGELU, defineGELU(m))
}
