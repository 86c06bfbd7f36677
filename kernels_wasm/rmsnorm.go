package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// rmsnorm(dst, x, w, rows, cols, group, eps f32) is compute.Backend's
// RMSNorm: each run of group consecutive elements of each row (group =
// cols for a whole-row norm, the head size for a per-head norm) is
// normalised and multiplied by the group weights w[0..group):
//
//	sum := float64(0); for c := range group { sum += float64(x[c]·x[c]) }
//	scale := 1 / float32(sqrt(float64(float32(sum/group) + eps)))
//	dst[c] = (x[c]·scale)·w[c]
//
// The sum of squares is a chain of float64 additions in element order, as
// the reference adds them (a different order would change bits); the
// rest takes four lanes at a time. dst may be x. Nothing is written when
// rows, cols or group ≤ 0 or group does not divide cols.

// KernelRMSNorm is the RMS norm kernel's name.
const KernelRMSNorm = "rmsnorm"

func defineRMSNorm(m *Module) *Func {
	f := m.Func(KernelRMSNorm, []ValType{I32, I32, I32, I32, I32, I32, F32})
	dst, x, w, rows, cols, group, eps := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4), f.Param(5), f.Param(6)
	groups, g, k, pw := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	v, scale := f.NewLocal(F32), f.NewLocal(V128)
	sum := f.NewLocal(F64)

	f.Do(
		LocalGet(rows), I32Const(0), I32LeS,
		LocalGet(cols), I32Const(0), I32LeS, I32Or,
		LocalGet(group), I32Const(0), I32LeS, I32Or,
	)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(cols), LocalGet(group), I32RemU)
	f.If(func(Label) { f.Do(Return) })
	// groups of all rows, one after another
	f.Do(LocalGet(cols), LocalGet(group), I32DivU, LocalGet(rows), I32Mul, LocalSet(groups))
	countdown(f, groups, func() {
		// the sum of squares, element by element
		f.Do(F64Const(0), LocalSet(sum), LocalGet(group), LocalSet(k), LocalGet(x), LocalSet(pw))
		countdown(f, k, func() {
			f.Do(
				LocalGet(sum), LocalGet(pw), F32Load(0).Align(0), LocalTee(v), LocalGet(v), F32Mul,
				F64PromoteF32, F64Add, LocalSet(sum),
			)
			advance(f, pw, 4)
		})
		f.Do(
			F32Const(1),
			LocalGet(sum), LocalGet(group), F64ConvertI32U, F64Div, F32DemoteF64,
			LocalGet(eps), F32Add, F64PromoteF32, F64Sqrt, F32DemoteF64,
			F32Div, F32x4Splat, LocalSet(scale),
			LocalGet(w), LocalSet(pw), LocalGet(group), LocalSet(g),
		)
		eachLane(f, g, k, []Local{dst, x, pw}, func(load func(Local)) {
			load(x)
			f.Do(LocalGet(scale), F32x4Mul)
			load(pw)
			f.Do(F32x4Mul)
		})
	})
	return f
}
