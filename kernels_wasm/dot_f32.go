package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// defineDotF32 emits dot_f32(a_ptr, b_ptr, n) f32, the float32 dot
// product. As a plain loop:
//
//	var s float32
//	for i := 0; i < n; i++ { s += a[i] * b[i] }
//
// but with four f32x4 accumulators over 16 elements a step (independent
// additions keep the vector unit busy), then 4 elements a step, then the
// lanes added, then a scalar tail of up to 3 elements.
func defineDotF32(m *Module) *Func {
	f := m.Func(DotF32, []ValType{I32, I32, I32}, F32)
	a, b, n := f.Param(0), f.Param(1), f.Param(2)
	k := f.NewLocal(I32)
	acc := [4]Local{f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)}
	sum := f.NewLocal(F32)

	f.Do(LocalGet(n), I32Const(0), I32LeS)
	f.If(func(Label) { f.Do(F32Const(0), Return) })

	mulAdd := func(acc Local, off uint32) {
		f.Do(
			LocalGet(acc),
			LocalGet(a), V128Load(off).Align(0),
			LocalGet(b), V128Load(off).Align(0),
			F32x4Mul, F32x4Add, LocalSet(acc),
		)
	}
	f.Do(LocalGet(n), I32Const(4), I32ShrU, LocalSet(k))
	countdown(f, k, func() {
		for j, acc := range acc {
			mulAdd(acc, uint32(16*j))
		}
		advance(f, a, 64)
		advance(f, b, 64)
	})
	f.Do(LocalGet(n), I32Const(2), I32ShrU, I32Const(3), I32And, LocalSet(k))
	countdown(f, k, func() {
		mulAdd(acc[0], 0)
		advance(f, a, 16)
		advance(f, b, 16)
	})

	v := acc[0]
	f.Do(
		LocalGet(acc[0]), LocalGet(acc[1]), F32x4Add,
		LocalGet(acc[2]), LocalGet(acc[3]), F32x4Add,
		F32x4Add, LocalSet(v),
		LocalGet(v), LocalGet(v), LocalGet(v), I8x16Shuffle(lanes32(2, 3, 0, 1)), F32x4Add, LocalSet(v),
		LocalGet(v), LocalGet(v), LocalGet(v), I8x16Shuffle(lanes32(1, 0, 3, 2)), F32x4Add,
		F32x4ExtractLane(0), LocalSet(sum),
	)

	f.Do(LocalGet(n), I32Const(3), I32And, LocalSet(k))
	countdown(f, k, func() {
		f.Do(
			LocalGet(a), F32Load(0).Align(0), LocalGet(b), F32Load(0).Align(0), F32Mul,
			LocalGet(sum), F32Add, LocalSet(sum),
		)
		advance(f, a, 4)
		advance(f, b, 4)
	})
	f.Do(LocalGet(sum))
	return f
}
