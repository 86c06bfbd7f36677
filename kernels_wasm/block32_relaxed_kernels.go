package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The relaxed-SIMD vec_dot, matrix–vector and tile kernels of the
// 32-element formats: the plain kernels' loops and float work
// (block32_vecdot.go, block32_matmul.go) around relaxed integer sums
// (block32_relaxed.go).

// defineRelaxedVecDot emits vec_dot_<name>(w, x, n) f32 as defineVecDot,
// four blocks a step and the last n/32 mod 4 one at a time.
func (b *relaxedBlock32) defineRelaxedVecDot(m *Module) *Func {
	f := m.Func("vec_dot_"+b.name, []ValType{I32, I32, I32}, F32)
	w, x, n := f.Param(0), f.Param(1), f.Param(2)
	nb, k, sum, sumi := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(F32), f.NewLocal(F32)
	var acc [4]Local
	for i := range acc {
		acc[i] = f.NewLocal(V128)
	}
	p, q, sums, c := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	d := newBlockDecoder(f)
	half := newF16(f)
	wb, xb := b.bytes, b.act.bytes

	// blockSum pushes the integer sum lanes of the block at w+j·wb.
	blockSum := func(j uint32) {
		if b.offset != 0 {
			b.offsetTerm(f, x, j*xb+b.act.quants, c)
		}
		b.levels(d, w, j*wb)
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
		sumEachI32Unpacked(f, acc[0], acc[1], acc[2], acc[3], p, q)
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

// defineRelaxedMatvec emits <name>_matvec(dst, w, x, rows, n) as
// defineMatvec: four rows a step share each activation block (and its
// offset term) and scale.
func (b *relaxedBlock32) defineRelaxedMatvec(m *Module, vecDot *Func) *Func {
	f := m.Func(b.name+"_matvec", []ValType{I32, I32, I32, I32, I32})
	dst, w0, x, rows, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4)
	nb, stride, groups, k := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	w1, w2, w3, xp := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	wr := [4]Local{w0, w1, w2, w3}
	var acc [4]Local
	for i := range acc {
		acc[i] = f.NewLocal(V128)
	}
	p, q, sums, total, c := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	d := newBlockDecoder(f)
	half := newF16(f)

	f.Do(
		LocalGet(n), I32Const(blockShift), I32ShrU, LocalTee(nb),
		I32Const(int32(b.bytes)), I32Mul, LocalSet(stride),
		LocalGet(rows), I32Const(2), I32ShrU, LocalSet(groups),
	)
	splatHalf := func(off uint32) pushFn {
		return func() {
			f.Do(LocalGet(xp), V128Load16Splat(off).Align(0), splatI32(0xffff), V128And)
			half.lanes()
		}
	}
	countdown(f, groups, func() {
		for r := 1; r < 4; r++ {
			f.Do(LocalGet(wr[r-1]), LocalGet(stride), I32Add, LocalSet(wr[r]))
		}
		f.Do(
			LocalGet(x), LocalSet(xp),
			V128Const([16]byte{}), LocalSet(total),
			LocalGet(nb), LocalSet(k),
		)
		countdown(f, k, func() {
			if b.offset != 0 {
				b.offsetTerm(f, xp, b.act.quants, c)
			}
			for r := range wr {
				b.levels(d, wr[r], 0)
				b.blockSum(d, xp, b.act.quants, c)
				f.Do(LocalSet(acc[r]))
			}
			sumEachI32Unpacked(f, acc[0], acc[1], acc[2], acc[3], p, q)
			f.Do(F32x4ConvertI32x4S, LocalSet(sums))
			b.term(f, lanesF32,
				func() { f.Do(LocalGet(sums)) },
				func() { loadHalves(f, half, wr, [4]uint32{}) },
				splatHalf(0),
				func() { loadHalves(f, half, wr, [4]uint32{b.min, b.min, b.min, b.min}) },
				splatHalf(b.act.sum),
			)
			f.Do(LocalGet(total), F32x4Add, LocalSet(total))
			for _, r := range wr {
				advance(f, r, int32(b.bytes))
			}
			advance(f, xp, int32(b.act.bytes))
		})
		f.Do(LocalGet(dst), LocalGet(total), V128Store(0).Align(0))
		advance(f, dst, 16)
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

// defineRelaxedTile emits <name>_tile(dst, w, x, rows, n, x_row,
// dst_stride, tc) as defineTile: each row's decoded block is used for the
// four tokens, each token's offset term for all the rows.
func (b *relaxedBlock32) defineRelaxedTile(m *Module) *Func {
	f := m.Func(b.name+"_tile", []ValType{I32, I32, I32, I32, I32, I32, I32, I32})
	dst, w, x, rows, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4)
	xRow, stride, tc := f.Param(5), f.Param(6), f.Param(7)
	nb, wStride, k, groups := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	var xt, xp, dp, wr [4]Local
	var acc, total, c [4]Local
	for i := range xt {
		xt[i], xp[i], dp[i], wr[i] = f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
		acc[i], total[i], c[i] = f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	}
	p, q, sums := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	dx, sx, dw, mw := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	d := newBlockDecoder(f)
	half := newF16(f)

	f.Do(
		LocalGet(n), I32Const(blockShift), I32ShrU, LocalTee(nb),
		I32Const(int32(b.bytes)), I32Mul, LocalSet(wStride),
	)
	// Token j reads row min(j, tc−1); its outputs go to dst + j·stride.
	for j := range xt {
		jj := int32(j)
		f.Do(
			LocalGet(x), LocalGet(xRow),
			I32Const(jj), LocalGet(tc), I32Const(1), I32Sub, LocalGet(tc), I32Const(jj), I32GtS, Select,
			I32Mul, I32Add, LocalSet(xt[j]),
			LocalGet(dst), LocalGet(stride), I32Const(jj), I32Mul, I32Add, LocalSet(dp[j]),
		)
	}

	step := func(r int) {
		for i := 1; i < r; i++ {
			f.Do(LocalGet(wr[i-1]), LocalGet(wStride), I32Add, LocalSet(wr[i]))
		}
		for j := range xt {
			f.Do(LocalGet(xt[j]), LocalSet(xp[j]))
		}
		for i := 0; i < r; i++ {
			f.Do(V128Const([16]byte{}), LocalSet(total[i]))
		}
		f.Do(LocalGet(nb), LocalSet(k))
		countdown(f, k, func() {
			loadHalves(f, half, xp, [4]uint32{})
			f.Do(LocalSet(dx))
			wrs, mins := wr, [4]uint32{b.min, b.min, b.min, b.min}
			for i := r; i < 4; i++ {
				wrs[i] = wr[r-1]
			}
			loadHalves(f, half, wrs, [4]uint32{})
			f.Do(LocalSet(dw))
			if b.order == termMin {
				s := b.act.sum
				loadHalves(f, half, xp, [4]uint32{s, s, s, s})
				f.Do(LocalSet(sx))
				loadHalves(f, half, wrs, mins)
				f.Do(LocalSet(mw))
			}
			if b.offset != 0 {
				for j := range xp {
					b.offsetTerm(f, xp[j], b.act.quants, c[j])
				}
			}
			for i := 0; i < r; i++ {
				b.levels(d, wr[i], 0)
				for j := range xp {
					b.blockSum(d, xp[j], b.act.quants, c[j])
					f.Do(LocalSet(acc[j]))
				}
				sumEachI32Unpacked(f, acc[0], acc[1], acc[2], acc[3], p, q)
				f.Do(F32x4ConvertI32x4S, LocalSet(sums))
				lane := func(v Local) pushFn {
					return func() {
						ii := byte(i)
						f.Do(LocalGet(v), LocalGet(v), I8x16Shuffle(lanes32(ii, ii, ii, ii)))
					}
				}
				b.term(f, lanesF32,
					func() { f.Do(LocalGet(sums)) },
					lane(dw), func() { f.Do(LocalGet(dx)) },
					lane(mw), func() { f.Do(LocalGet(sx)) },
				)
				f.Do(LocalGet(total[i]), F32x4Add, LocalSet(total[i]))
				advance(f, wr[i], int32(b.bytes))
			}
			for j := range xp {
				advance(f, xp[j], int32(b.act.bytes))
			}
		})
		for j := range dp {
			store := func() {
				for i := 0; i < r; i++ {
					f.Do(LocalGet(dp[j]), LocalGet(total[i]), V128Store32Lane(uint32(4*i), byte(j)).Align(0))
				}
				advance(f, dp[j], int32(4*r))
			}
			if j < 2 {
				store()
				continue
			}
			f.Do(LocalGet(tc), I32Const(int32(j)), I32GtS)
			f.If(func(Label) { store() })
		}
		f.Do(LocalGet(wr[r-1]), LocalSet(wr[0]))
	}

	f.Do(LocalGet(w), LocalSet(wr[0]))
	f.Do(LocalGet(rows), I32Const(block32TileRows), I32DivU, LocalSet(groups))
	countdown(f, groups, func() { step(block32TileRows) })
	f.Do(LocalGet(rows), I32Const(block32TileRows), I32RemU, LocalSet(groups))
	countdown(f, groups, func() { step(1) })
	return f
}
