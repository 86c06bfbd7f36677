package kernels

import (
	"math"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q8_0 blocks (engine/quant/q8_0.go): 34 bytes, an IEEE half scale d then
// 32 signed bytes; element j is q[j]·d. The dot product of two rows is, as
// quant.VecDot computes it,
//
//	var sum float32
//	for each block pair (w, x) {
//		sumi := Σ int32(w.q[j]) * int32(x.q[j])  // exact
//		sum += float32(sumi) * (w.d * x.d)       // float32, block by block
//	}
//
// The integer sums are exact in any order, so SIMD may compute them as it
// likes: sign-extend bytes to i16, i32x4.dot_i16x8_s multiplies and adds
// pairs, lanes are then added. The float work is done lane-wise on four
// independent terms at a time (four blocks of one row, or one block of four
// rows), each with exactly the scalar code's operations in its order, so
// the results are bit-identical to quant.VecDot.

const (
	q8Block    = 34 // bytes per block
	q8Quants   = 2  // offset of the 32 quants in a block
	q8PerBlock = 32 // elements per block
	blockShift = 5  // log2(q8PerBlock)
)

// nanF32 is what a bad length gives, as from quant.VecDot.
var nanF32 = float32(math.NaN())

// blockDot pushes the i32x4 partial sums of Σ w.q[j]·x.q[j] for the blocks
// at w+woff and x+xoff (the four lanes add up to the block's integer sum);
// wv and xv are v128 scratch.
func blockDot(f *Func, wv, xv, w, x Local, woff, xoff uint32) {
	for half := uint32(0); half < 2; half++ {
		f.Do(
			LocalGet(w), V128Load(woff+q8Quants+16*half).Align(0), LocalSet(wv),
			LocalGet(x), V128Load(xoff+q8Quants+16*half).Align(0), LocalSet(xv),
			LocalGet(wv), I16x8ExtendLowI8x16S, LocalGet(xv), I16x8ExtendLowI8x16S, I32x4DotI16x8S,
			LocalGet(wv), I16x8ExtendHighI8x16S, LocalGet(xv), I16x8ExtendHighI8x16S, I32x4DotI16x8S,
			I32x4Add,
		)
		if half == 1 {
			f.Do(I32x4Add)
		}
	}
}

// blockDotWidened is blockDot with the activation block already widened to
// four i16x8 (low and high halves of its two 16-byte vectors); wv is v128
// scratch.
func blockDotWidened(f *Func, wv, w Local, xi [4]Local) {
	for half := uint32(0); half < 2; half++ {
		f.Do(
			LocalGet(w), V128Load(q8Quants+16*half).Align(0), LocalSet(wv),
			LocalGet(wv), I16x8ExtendLowI8x16S, LocalGet(xi[2*half]), I32x4DotI16x8S,
			LocalGet(wv), I16x8ExtendHighI8x16S, LocalGet(xi[2*half+1]), I32x4DotI16x8S,
			I32x4Add,
		)
		if half == 1 {
			f.Do(I32x4Add)
		}
	}
}

// rejectBadLength emits: if n < 0 or n is not a whole number of blocks,
// run onBad (which must end in a return).
func rejectBadLength(f *Func, n Local, onBad func()) {
	f.Do(
		LocalGet(n), I32Const(q8PerBlock-1), I32And,
		LocalGet(n), I32Const(0), I32LtS, I32Or,
	)
	f.If(func(Label) { onBad() })
}

// defineVecDotQ8_0 emits vec_dot_q8_0_q8_0(w_ptr, x_ptr, n) f32.
func defineVecDotQ8_0(m *Module) *Func {
	f := m.Func(VecDotQ8_0Q8_0, []ValType{I32, I32, I32}, F32)
	w, x, n := f.Param(0), f.Param(1), f.Param(2)
	nb, k, sum := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(F32)
	var acc [4]Local
	for i := range acc {
		acc[i] = f.NewLocal(V128)
	}
	p, q, terms := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	wv, xv := f.NewLocal(V128), f.NewLocal(V128)
	half := newF16(f)

	rejectBadLength(f, n, func() { f.Do(F32Const(nanF32), Return) })
	f.Do(LocalGet(n), I32Const(blockShift), I32ShrU, LocalSet(nb))

	// Four blocks a step: their integer sums side by side in one i32x4,
	// their four scale products in one f32x4, then the four terms added to
	// sum one after another.
	scales := func(ptr Local) {
		f.Do(LocalGet(ptr), I32Load16U(0).Align(0), I32x4Splat)
		for j := uint32(1); j < 4; j++ {
			f.Do(LocalGet(ptr), I32Load16U(j*q8Block).Align(0), I32x4ReplaceLane(byte(j)))
		}
		half.lanes()
	}
	f.Do(LocalGet(nb), I32Const(2), I32ShrU, LocalSet(k))
	countdown(f, k, func() {
		for j := range acc {
			blockDot(f, wv, xv, w, x, uint32(j*q8Block), uint32(j*q8Block))
			f.Do(LocalSet(acc[j]))
		}
		sumEachI32(f, acc[0], acc[1], acc[2], acc[3], p, q)
		f.Do(F32x4ConvertI32x4S)
		scales(w)
		scales(x)
		f.Do(F32x4Mul, F32x4Mul, LocalSet(terms))
		for j := byte(0); j < 4; j++ {
			f.Do(LocalGet(sum), LocalGet(terms), F32x4ExtractLane(j), F32Add, LocalSet(sum))
		}
		advance(f, w, 4*q8Block)
		advance(f, x, 4*q8Block)
	})

	// The remaining blocks one at a time.
	f.Do(LocalGet(nb), I32Const(3), I32And, LocalSet(k))
	countdown(f, k, func() {
		blockDot(f, wv, xv, w, x, 0, 0)
		f.Do(LocalSet(acc[0]))
		sumLanesI32(f, acc[0])
		f.Do(F32ConvertI32S)
		f.Do(LocalGet(w), I32Load16U(0).Align(0))
		half.scalar()
		f.Do(LocalGet(x), I32Load16U(0).Align(0))
		half.scalar()
		f.Do(F32Mul, F32Mul, LocalGet(sum), F32Add, LocalSet(sum))
		advance(f, w, q8Block)
		advance(f, x, q8Block)
	})
	f.Do(LocalGet(sum))
	return f
}

// defineMatvecQ8_0 emits matvec_q8_0(dst_ptr, w_ptr, x_ptr, rows, n): four
// rows at a time share each widened activation block and its scale; the
// four rows' running sums live in the lanes of one f32x4. Up to three
// leftover rows call vecDot. Measured under wazero (BenchmarkMatvecQ8_0):
// 10 GB/s of weights, against 7.2 GB/s calling vecDot for every row.
func defineMatvecQ8_0(m *Module, vecDot *Func) *Func {
	f := m.Func(MatvecQ8_0, []ValType{I32, I32, I32, I32, I32})
	dst, w0, x, rows, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4)
	nb, stride, groups, k := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	w1, w2, w3, xp := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	wr := [4]Local{w0, w1, w2, w3}
	var xi, acc [4]Local
	for i := range xi {
		xi[i], acc[i] = f.NewLocal(V128), f.NewLocal(V128)
	}
	xv, wv, p, q, sums := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	half := newF16(f)

	f.Do(LocalGet(rows), I32Const(0), I32LeS)
	f.If(func(Label) { f.Do(Return) })
	rejectBadLength(f, n, func() {
		countdown(f, rows, func() {
			f.Do(LocalGet(dst), F32Const(nanF32), F32Store(0).Align(0))
			advance(f, dst, 4)
		})
		f.Do(Return)
	})
	f.Do(
		LocalGet(n), I32Const(blockShift), I32ShrU, LocalTee(nb),
		I32Const(q8Block), I32Mul, LocalSet(stride),
		LocalGet(rows), I32Const(2), I32ShrU, LocalSet(groups),
	)

	countdown(f, groups, func() {
		for r := 1; r < 4; r++ {
			f.Do(LocalGet(wr[r-1]), LocalGet(stride), I32Add, LocalSet(wr[r]))
		}
		f.Do(
			LocalGet(x), LocalSet(xp),
			V128Const([16]byte{}), LocalSet(sums),
			LocalGet(nb), LocalSet(k),
		)
		countdown(f, k, func() {
			for h := uint32(0); h < 2; h++ {
				f.Do(
					LocalGet(xp), V128Load(q8Quants+16*h).Align(0), LocalSet(xv),
					LocalGet(xv), I16x8ExtendLowI8x16S, LocalSet(xi[2*h]),
					LocalGet(xv), I16x8ExtendHighI8x16S, LocalSet(xi[2*h+1]),
				)
			}
			for r := range wr {
				blockDotWidened(f, wv, wr[r], xi)
				f.Do(LocalSet(acc[r]))
			}
			sumEachI32(f, acc[0], acc[1], acc[2], acc[3], p, q)
			f.Do(F32x4ConvertI32x4S)
			f.Do(LocalGet(w0), I32Load16U(0).Align(0), I32x4Splat)
			for r := 1; r < 4; r++ {
				f.Do(LocalGet(wr[r]), I32Load16U(0).Align(0), I32x4ReplaceLane(byte(r)))
			}
			half.lanes()
			f.Do(LocalGet(xp), I32Load16U(0).Align(0))
			half.scalar()
			f.Do(F32x4Splat, F32x4Mul, F32x4Mul)
			f.Do(LocalGet(sums), F32x4Add, LocalSet(sums))
			for _, r := range wr {
				advance(f, r, q8Block)
			}
			advance(f, xp, q8Block)
		})
		f.Do(LocalGet(dst), LocalGet(sums), V128Store(0).Align(0))
		advance(f, dst, 16)
		// Row 3's pointer ran to its end, the start of the next group.
		f.Do(LocalGet(w3), LocalSet(w0))
	})

	f.Do(LocalGet(rows), I32Const(3), I32And, LocalSet(k))
	countdown(f, k, func() {
		f.Do(
			LocalGet(dst),
			LocalGet(w0), LocalGet(x), LocalGet(n), Call(vecDot),
			F32Store(0).Align(0),
		)
		advance(f, dst, 4)
		f.Do(LocalGet(w0), LocalGet(stride), I32Add, LocalSet(w0))
	})
	return f
}
