package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// defineMatmul emits matmul_<name>(dst, w, x, n, row0, row1, tokens,
// dst_stride):
//
//	for t in [0, tokens), r in [row0, row1):
//		dst_f32[t·dst_stride + r] = vec_dot(w + r·rowBytes, x + t·xRowBytes, n)
//
// Tokens go four at a time through a tile kernel that decodes each weight
// block once for the four of them; a last group of three goes through the
// same kernel (its spare lane repeats the last token and is not stored),
// one or two leftover tokens through the matrix–vector kernel, one call
// each. Measured under wazero (BenchmarkMatmulBlock32, 1536×576), per
// token: the tile is 1.6–1.9× faster than the matrix–vector kernel with
// four tokens, 1.2× with three, but 0.8× with two.
// Nothing is written when row1 ≤ row0 or tokens ≤ 0; a bad n writes NaN
// to every output, as quant.VecDot gives.
func (b block32Build) defineMatmul(m *Module, vecDot *Func) *Func {
	matvec := b.defineMatvec(m, vecDot)
	tile := b.defineTile(m)
	f := m.Func("matmul_"+b.name, []ValType{I32, I32, I32, I32, I32, I32, I32, I32})
	dst, w, x, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3)
	row0, row1, tokens, stride := f.Param(4), f.Param(5), f.Param(6), f.Param(7)
	rows, xRow, k, p := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)

	f.Do(LocalGet(row1), LocalGet(row0), I32LeS, LocalGet(tokens), I32Const(0), I32LeS, I32Or)
	f.If(func(Label) { f.Do(Return) })
	f.Do(
		LocalGet(row1), LocalGet(row0), I32Sub, LocalSet(rows),
		LocalGet(stride), I32Const(2), I32Shl, LocalSet(stride), // now in bytes
		LocalGet(dst), LocalGet(row0), I32Const(2), I32Shl, I32Add, LocalSet(dst),
	)
	rejectBadLength(f, n, func() {
		countdown(f, tokens, func() {
			f.Do(LocalGet(dst), LocalSet(p), LocalGet(rows), LocalSet(k))
			countdown(f, k, func() {
				f.Do(LocalGet(p), F32Const(nanF32), F32Store(0).Align(0))
				advance(f, p, 4)
			})
			f.Do(LocalGet(dst), LocalGet(stride), I32Add, LocalSet(dst))
		})
		f.Do(Return)
	})
	f.Do(
		LocalGet(n), I32Const(blockShift), I32ShrU, LocalSet(k), // blocks per row
		LocalGet(w), LocalGet(row0), LocalGet(k), I32Const(int32(b.bytes)), I32Mul, I32Mul, I32Add, LocalSet(w),
		LocalGet(k), I32Const(int32(b.act.bytes)), I32Mul, LocalSet(xRow),
	)
	f.Block(func(done Label) {
		f.Loop(func(top Label) {
			f.Do(LocalGet(tokens), I32Const(3), I32LtS, BrIf(done))
			f.Do(
				LocalGet(dst), LocalGet(w), LocalGet(x), LocalGet(rows), LocalGet(n),
				LocalGet(xRow), LocalGet(stride),
				LocalGet(tokens), I32Const(4), LocalGet(tokens), I32Const(4), I32LtS, Select,
				Call(tile),
				LocalGet(x), LocalGet(xRow), I32Const(2), I32Shl, I32Add, LocalSet(x),
				LocalGet(dst), LocalGet(stride), I32Const(2), I32Shl, I32Add, LocalSet(dst),
				LocalGet(tokens), I32Const(4), I32Sub, LocalTee(tokens),
				I32Const(0), I32GtS, BrIf(top),
			)
		})
	})
	// 0, 1 or 2 tokens left (or −1 after a tile of 3).
	f.Do(LocalGet(tokens), I32Const(0), LocalGet(tokens), I32Const(0), I32GtS, Select, LocalSet(tokens))
	countdown(f, tokens, func() {
		f.Do(LocalGet(dst), LocalGet(w), LocalGet(x), LocalGet(rows), LocalGet(n), Call(matvec))
		f.Do(LocalGet(x), LocalGet(xRow), I32Add, LocalSet(x))
		f.Do(LocalGet(dst), LocalGet(stride), I32Add, LocalSet(dst))
	})
	return f
}

// defineMatvec emits the one-token kernel <name>_matvec(dst, w, x, rows,
// n): dst[r] = vec_dot(w + r·rowBytes, x, n) for r < rows (rows ≥ 1, n a
// valid length). Four rows a step share each activation block (widened
// once in the plain build, its offset term taken once in the relaxed one)
// and its scale; their running sums live in the lanes of one f32x4, stored
// with one v128.store. Up to three leftover rows call vecDot.
func (b block32Build) defineMatvec(m *Module, vecDot *Func) *Func {
	f := m.Func(b.name+"_matvec", []ValType{I32, I32, I32, I32, I32})
	dst, w0, x, rows, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4)
	nb, stride, groups, k := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	w1, w2, w3, xp := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	wr := [4]Local{w0, w1, w2, w3}
	var xs, acc [4]Local // xs: the plain build's widened activation block
	for i := range acc {
		if b.relaxed == nil {
			xs[i] = f.NewLocal(V128)
		}
		acc[i] = f.NewLocal(V128)
	}
	p, q, sums, total := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	c := b.newOffsetLocal(f)
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
			b.readySharedActivation(f, xp, xs, c)
			for r := range wr {
				b.decodeWeights(d, wr[r], 0)
				b.sharedActivationSum(d, xp, xs, c)
				f.Do(LocalSet(acc[r]))
			}
			b.sumEach(f, acc, p, q)
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

// block32TileRows is how many weight rows the tile kernel takes per step
// (at most 4): each row's decoded block is used for four tokens, and the
// four tokens' scales are converted once for all the rows. Measured under
// wazero (1536×576, 16 tokens, Q4_0/Q8_0): 7.8/15.5 GB/s with 4 rows,
// 4.4/9.5 with 2, 3.5/6.8 with 1.
const block32TileRows = 4

// defineTile emits <name>_tile(dst, w, x, rows, n, x_row, dst_stride, tc):
// the outputs of tc ∈ {2, 3, 4} tokens (activation rows x, x + x_row, …)
// for rows ≥ 1 weight rows w…, stored at dst + t·dst_stride + 4·r (bytes).
// Tokens go in the lanes of the vectors: for each weight row, its decoded
// block is dotted with the four tokens' blocks, the four integer sums
// gathered into one i32x4 and turned into four terms at once, added to
// that row's f32x4 of running sums. With fewer than four tokens the spare
// lanes repeat the last token and are not stored. In the relaxed build
// each token's offset term is taken once for all the rows. For Q8_0 the
// rows of a step are not decoded one after another: directTileSums takes
// their sixteen integer sums together, each activation byte widened once.
func (b block32Build) defineTile(m *Module) *Func {
	f := m.Func(b.name+"_tile", []ValType{I32, I32, I32, I32, I32, I32, I32, I32})
	dst, w, x, rows, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4)
	xRow, stride, tc := f.Param(5), f.Param(6), f.Param(7)
	nb, wStride, k, groups := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	var xt, xp, dp, wr [4]Local
	var acc, total, c [4]Local
	for i := range xt {
		xt[i], xp[i], dp[i], wr[i] = f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
		acc[i], total[i] = f.NewLocal(V128), f.NewLocal(V128)
		c[i] = b.newOffsetLocal(f)
	}
	p, q, sums := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	// The direct tile's (Q8_0's) sums, for each row and token, and the
	// four tokens' widened activations (directTileSums).
	direct := b.relaxed == nil && b.direct != 0
	var accR [block32TileRows][4]Local
	var xw [4]Local
	accR[0] = acc
	if direct {
		for j := range xw {
			xw[j] = f.NewLocal(V128)
			for i := 1; i < block32TileRows; i++ {
				accR[i][j] = f.NewLocal(V128)
			}
		}
	}
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

	// step emits the loop over one group of r rows.
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
			for j := range xp {
				b.offsetTerm(f, xp[j], b.act.quants, c[j])
			}
			for i := 0; i < r; i++ {
				if direct {
					if i == 0 {
						b.directTileSums(f, d.w[0], wr[:r], xp, xw, accR[:r])
					}
					a := accR[i]
					sumEachI32Unpacked(f, a[0], a[1], a[2], a[3], p, q)
				} else {
					b.decodeWeights(d, wr[i], 0)
					for j := range xp {
						b.blockSum(d, xp[j], b.act.quants, c[j])
						f.Do(LocalSet(acc[j]))
					}
					b.sumEach(f, acc, p, q)
				}
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
		// Store lane j of each row's sums for the tc real tokens.
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
		// The last row's pointer ran to its end, the start of the next group.
		f.Do(LocalGet(wr[r-1]), LocalSet(wr[0]))
	}

	f.Do(LocalGet(w), LocalSet(wr[0]))
	f.Do(LocalGet(rows), I32Const(block32TileRows), I32DivU, LocalSet(groups))
	countdown(f, groups, func() { step(block32TileRows) })
	f.Do(LocalGet(rows), I32Const(block32TileRows), I32RemU, LocalSet(groups))
	countdown(f, groups, func() { step(1) })
	return f
}

// directTileSums sets accs[i][j] to an i32x4 whose lanes add up to the
// integer sum of the weight block at ws[i] with token j's activation block
// at xp[j], for a format whose levels are the block's signed bytes at
// offset b.direct (Q8_0), in the plain build. An eighth of the four
// tokens' blocks at a time is widened into xw and dotted with the same
// eighth of every row's block (widened into v), so each activation byte is
// widened once for all the rows rather than once per row. Sixteen sums stay
// live and V8 spills some of them, but loads and stores are cheaper than
// the widenings they replace: BenchmarkJSMatMul (Node 20, 1024×768 by
// 768×768 Q8_0, best of three) went from 32–34 to 42–44 GFLOP/s.
func (b block32Build) directTileSums(f *Func, v Local, ws []Local, xp, xw [4]Local, accs [][4]Local) {
	for k := uint32(0); k < 4; k++ {
		for j := range xp {
			f.Do(LocalGet(xp[j]), V128Load8x8S(b.act.quants+8*k).Align(0), LocalSet(xw[j]))
		}
		for i, w := range ws {
			f.Do(LocalGet(w), V128Load8x8S(b.direct+8*k).Align(0), LocalSet(v))
			for j := range xp {
				f.Do(LocalGet(v), LocalGet(xw[j]), I32x4DotI16x8S)
				if k > 0 {
					f.Do(LocalGet(accs[i][j]), I32x4Add)
				}
				f.Do(LocalSet(accs[i][j]))
			}
		}
	}
}
