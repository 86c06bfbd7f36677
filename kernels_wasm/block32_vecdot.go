package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// defineVecDot emits vec_dot_<name>(w, x, n) f32: the dot product of one
// weight row with one activation row, bit for bit quant.VecDot; NaN when n
// is negative or not a multiple of 32.
//
// Four blocks a step: their integer sums side by side in one i32x4, their
// terms computed lane-wise, then added to the total one after another.
// The last (n/32 mod 4) blocks go one at a time in scalar float.
func (b block32Build) defineVecDot(m *Module) *Func {
	f := m.Func("vec_dot_"+b.name, []ValType{I32, I32, I32}, F32)
	w, x, n := f.Param(0), f.Param(1), f.Param(2)
	nb, k, sum, sumi := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(F32), f.NewLocal(F32)
	var acc [4]Local
	for i := range acc {
		acc[i] = f.NewLocal(V128)
	}
	p, q, sums := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	c := b.newOffsetLocal(f)
	d := newBlockDecoder(f)
	half := newF16(f)
	wb, xb := b.bytes, b.act.bytes

	// blockSum pushes the integer sum lanes of the block at w+j·wb.
	blockSum := func(j uint32) {
		b.offsetTerm(f, x, j*xb+b.act.quants, c)
		b.decodeWeights(d, w, j*wb)
		b.blockSum(d, x, j*xb+b.act.quants, c)
	}

	rejectBadLength(f, n, func() { f.Do(F32Const(nanF32), Return) })
	f.Do(LocalGet(n), I32Const(blockShift), I32ShrU, LocalSet(nb))

	f.Do(LocalGet(nb), I32Const(2), I32ShrU, LocalSet(k))
	countdown(f, k, func() {
		for j := range acc {
			blockSum(uint32(j))
			f.Do(LocalSet(acc[j]))
		}
		b.sumEach(f, acc, p, q)
		f.Do(F32x4ConvertI32x4S, LocalSet(sums))
		b.term(f, lanesF32,
			func() { f.Do(LocalGet(sums)) },
			func() { loadHalves(f, half, same4(w), strided4(0, wb)) },
			func() { loadHalves(f, half, same4(x), strided4(0, xb)) },
			func() { loadHalves(f, half, same4(w), strided4(b.min, wb)) },
			func() { loadHalves(f, half, same4(x), strided4(b.act.sum, xb)) },
		)
		f.Do(LocalSet(sums))
		for j := byte(0); j < 4; j++ {
			f.Do(LocalGet(sum), LocalGet(sums), F32x4ExtractLane(j), F32Add, LocalSet(sum))
		}
		advance(f, w, int32(4*wb))
		advance(f, x, int32(4*xb))
	})

	scalarHalf := func(p Local, off uint32) pushFn {
		return func() {
			f.Do(LocalGet(p), I32Load16U(off).Align(0))
			half.scalar()
		}
	}
	f.Do(LocalGet(nb), I32Const(3), I32And, LocalSet(k))
	countdown(f, k, func() {
		blockSum(0)
		f.Do(LocalSet(acc[0]))
		sumLanesI32(f, acc[0])
		f.Do(F32ConvertI32S, LocalSet(sumi))
		b.term(f, scalarF32,
			func() { f.Do(LocalGet(sumi)) },
			scalarHalf(w, 0), scalarHalf(x, 0), scalarHalf(w, b.min), scalarHalf(x, b.act.sum),
		)
		f.Do(LocalGet(sum), F32Add, LocalSet(sum))
		advance(f, w, int32(wb))
		advance(f, x, int32(xb))
	})
	f.Do(LocalGet(sum))
	return f
}
