package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The exported functions of a k-quant weight type, built from kTile, and
// the tiled matmul driver shared with the float types.

// tileShapes are the tiles matmul uses, largest first: rows by 4, tokens
// by 8, then 4, then one by one; the last rows (fewer than 4) one row and
// one token at a time. Measured on 768×768 Q4_K and Q6_K weights at 16
// tokens (V8 in Node 20 and wazero), 4×8 tiles beat 4×4 by 5–20% and 2×4
// by 15–30%; at one token, 4 rows beat 2 by ~10% (8 rows: ±5%). Leftover
// rows only occur when a row range is not a multiple of 4, so they get no
// wider tiles of their own (which would add ~10 KB a type).
var tileShapes = []rowTiles{{4, []int{8, 4, 1}}, {1, []int{1}}}

// rowTiles are the tile functions for one row-tile height.
type rowTiles struct {
	rows   int
	tokens []int // token-tile widths, largest first, ending with 1
}

// dotTile is a tile of dot products of weight rows with activation rows
// (kTile, rkTile, floatTile): run emits them over n blocks (n is
// consumed), result pushes pair (i, j)'s value.
type dotTile interface {
	run(n Local)
	result(i, j int)
}

// newDotTile makes a tile of a function's rows at wp and tokens at xp.
type newDotTile func(f *Func, wp, xp []Local) dotTile

// defineVecDotK emits vec_dot_T(w_ptr, x_ptr, n) f32.
func defineVecDotK(m *Module, q *kFormat) *Func {
	return defineKVecDotOver(m, q.name, func(f *Func, wp, xp []Local) dotTile {
		return newKTile(f, q, 1, 1, wp, xp)
	})
}

// defineKVecDotOver emits vec_dot_<name>(w_ptr, x_ptr, n) f32 for a
// k-quant as the result of a one-row, one-token tile.
func defineKVecDotOver(m *Module, name string, newTile newDotTile) *Func {
	f := m.Func("vec_dot_"+name, []ValType{I32, I32, I32}, F32)
	w, x, n := f.Param(0), f.Param(1), f.Param(2)
	nb := f.NewLocal(I32)
	rejectBadKLength(f, n, func() { f.Do(F32Const(kNaN), Return) })
	f.Do(LocalGet(n), I32Const(qkKShift), I32ShrU, LocalSet(nb))
	k := newTile(f, []Local{w}, []Local{x})
	k.run(nb)
	k.result(0, 0)
	return f
}

// rejectBadKLength emits: if n < 0 or n is not a whole number of
// super-blocks, run onBad (which must end in a return).
func rejectBadKLength(f *Func, n Local, onBad func()) {
	f.Do(
		LocalGet(n), I32Const(qkK-1), I32And,
		LocalGet(n), I32Const(0), I32LtS, I32Or,
	)
	f.If(func(Label) { onBad() })
}

// tileParams are the parameters of a tile function:
//
//	tile(w, x, nb, dst, wstride, xstride, dstride)
//	dst_f32[(dst + j·dstride)/4 + i] = vec_dot(w + i·wstride, x + j·xstride)
//
// for its i < rows, j < tokens, over nb blocks (strides in bytes).
var tileParams = []ValType{I32, I32, I32, I32, I32, I32, I32}

// tilePointers emits the pointers of a tile's rows and tokens from its
// parameters.
func tilePointers(f *Func, r, t int) (wp, xp []Local) {
	wp, xp = []Local{f.Param(0)}, []Local{f.Param(1)}
	for i := 1; i < r; i++ {
		p := f.NewLocal(I32)
		f.Do(LocalGet(wp[i-1]), LocalGet(f.Param(4)), I32Add, LocalSet(p))
		wp = append(wp, p)
	}
	for j := 1; j < t; j++ {
		p := f.NewLocal(I32)
		f.Do(LocalGet(xp[j-1]), LocalGet(f.Param(5)), I32Add, LocalSet(p))
		xp = append(xp, p)
	}
	return wp, xp
}

// storeTile emits the stores of a tile's results, result(i, j) pushing
// pair (i, j)'s value.
func storeTile(f *Func, r, t int, result func(i, j int)) {
	dst, dstride := f.Param(3), f.Param(6)
	for j := range t {
		if j > 0 {
			f.Do(LocalGet(dst), LocalGet(dstride), I32Add, LocalSet(dst))
		}
		for i := range r {
			f.Do(LocalGet(dst))
			result(i, j)
			f.Do(F32Store(uint32(4 * i)).Align(0))
		}
	}
}

// defineKTileFunc emits an internal tile function (tileParams) of r rows
// and t tokens for k-quant q.
func defineKTileFunc(m *Module, q *kFormat, r, t int) *Func {
	return defineTileFuncOver(m, q.name, r, t, func(f *Func, wp, xp []Local) dotTile {
		return newKTile(f, q, r, t, wp, xp)
	})
}

// defineTileFuncOver emits the internal tile function <name>_tile
// (tileParams) of r rows and t tokens over the tile newTile makes.
func defineTileFuncOver(m *Module, name string, r, t int, newTile newDotTile) *Func {
	f := m.Func(name+"_tile", tileParams)
	wp, xp := tilePointers(f, r, t)
	k := newTile(f, wp, xp)
	k.run(f.Param(2))
	storeTile(f, r, t, k.result)
	return f
}

// matmulLayout is what the driver needs to know of a weight type.
type matmulLayout struct {
	name           string
	blockElems     int32 // elements per block (a power of two)
	blockShift     int32 // log2(blockElems)
	wBlock, xBlock int32 // bytes per block of weights and activations
	tileFunc       func(r, t int) *Func
}

// defineTiledMatmul emits matmul_T(dst, w, x, n, row0, row1, tokens,
// dst_stride): for t < tokens and row0 ≤ r < row1,
//
//	dst_f32[t·dst_stride + r] = vec_dot_T(w + r·rowBytes, x + t·xRowBytes, n)
//
// Rows go by tiles of tileShapes, and for each row tile the tokens by its
// token widths: a row tile's weights are read from memory once, the
// activations (small) again for each row tile. Nothing is written when
// tokens ≤ 0, row0 < 0 or row1 ≤ row0; a bad n (negative, not a whole
// number of blocks) writes NaN to every output, as quant.VecDot gives.
func defineTiledMatmul(m *Module, l matmulLayout) *Func {
	tiles := map[[2]int]*Func{}
	for _, rt := range tileShapes {
		for _, t := range rt.tokens {
			tiles[[2]int{rt.rows, t}] = l.tileFunc(rt.rows, t)
		}
	}
	f := m.Func("matmul_"+l.name, []ValType{I32, I32, I32, I32, I32, I32, I32, I32})
	dst, w, x, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3)
	row0, row1, tokens, dstStride := f.Param(4), f.Param(5), f.Param(6), f.Param(7)
	nb, wstride, xstride, dstride := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	rows, k, kt, xt, dt, rowDst := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	left := f.NewLocal(I32)

	f.Do(
		LocalGet(tokens), I32Const(0), I32LeS,
		LocalGet(row0), I32Const(0), I32LtS, I32Or,
		LocalGet(row1), LocalGet(row0), I32LeS, I32Or,
	)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(dstStride), I32Const(2), I32Shl, LocalSet(dstride))
	f.Do(
		LocalGet(n), I32Const(l.blockElems-1), I32And,
		LocalGet(n), I32Const(0), I32LtS, I32Or,
	)
	f.If(func(Label) {
		fillNaNRows(f, dst, row0, row1, tokens, dstride, k, kt, dt)
		f.Do(Return)
	})
	f.Do(
		LocalGet(n), I32Const(l.blockShift), I32ShrU, LocalTee(nb), I32Const(l.wBlock), I32Mul, LocalSet(wstride),
		LocalGet(nb), I32Const(l.xBlock), I32Mul, LocalSet(xstride),
		// w and dst at row0
		LocalGet(w), LocalGet(row0), LocalGet(wstride), I32Mul, I32Add, LocalSet(w),
		LocalGet(dst), LocalGet(row0), I32Const(2), I32Shl, I32Add, LocalSet(rowDst),
		LocalGet(row1), LocalGet(row0), I32Sub, LocalSet(rows),
	)
	// tokenLoop runs the tiles of the row tile of height rr at w over all
	// tokens, the largest tiles first.
	tokenLoop := func(rr int, widths []int) {
		f.Do(LocalGet(x), LocalSet(xt), LocalGet(rowDst), LocalSet(dt), LocalGet(tokens), LocalSet(left))
		for _, tt := range widths {
			f.Do(LocalGet(left), I32Const(int32(tt)), I32DivU, LocalSet(kt))
			countdown(f, kt, func() {
				f.Do(
					LocalGet(w), LocalGet(xt), LocalGet(nb), LocalGet(dt),
					LocalGet(wstride), LocalGet(xstride), LocalGet(dstride), Call(tiles[[2]int{rr, tt}]),
					LocalGet(xt), LocalGet(xstride), I32Const(int32(tt)), I32Mul, I32Add, LocalSet(xt),
					LocalGet(dt), LocalGet(dstride), I32Const(int32(tt)), I32Mul, I32Add, LocalSet(dt),
				)
			})
			f.Do(LocalGet(left), I32Const(int32(tt)), I32RemU, LocalSet(left))
		}
	}
	for _, rt := range tileShapes {
		rr := rt.rows
		f.Do(LocalGet(rows), I32Const(int32(rr)), I32DivU, LocalSet(k))
		countdown(f, k, func() {
			tokenLoop(rr, rt.tokens)
			f.Do(
				LocalGet(w), LocalGet(wstride), I32Const(int32(rr)), I32Mul, I32Add, LocalSet(w),
				LocalGet(rowDst), I32Const(int32(4*rr)), I32Add, LocalSet(rowDst),
			)
		})
		f.Do(LocalGet(rows), I32Const(int32(rr)), I32RemU, LocalSet(rows))
	}
	return f
}

// fillNaNRows emits: dst_f32[t·stride + r] = NaN for t < tokens, row0 ≤ r <
// row1 (dstride in bytes); k, kt and p are i32 scratch.
func fillNaNRows(f *Func, dst, row0, row1, tokens, dstride, k, kt, p Local) {
	f.Do(LocalGet(tokens), LocalSet(kt))
	countdown(f, kt, func() {
		f.Do(
			LocalGet(dst), LocalGet(row0), I32Const(2), I32Shl, I32Add, LocalSet(p),
			LocalGet(row1), LocalGet(row0), I32Sub, LocalSet(k),
		)
		countdown(f, k, func() {
			f.Do(LocalGet(p), F32Const(kNaN), F32Store(0).Align(0))
			advance(f, p, 4)
		})
		f.Do(LocalGet(dst), LocalGet(dstride), I32Add, LocalSet(dst))
	})
}

// registerK defines and exports vec_dot_T and matmul_T for k-quant q.
func registerK(m *Module, q *kFormat) {
	m.ExportFunc("vec_dot_"+q.name, defineVecDotK(m, q))
	m.ExportFunc("matmul_"+q.name, defineTiledMatmul(m, matmulLayout{
		name: q.name, blockElems: qkK, blockShift: qkKShift, wBlock: q.blockBytes, xBlock: q8KBlock,
		tileFunc: func(r, t int) *Func { return defineKTileFunc(m, q, r, t) },
	}))
}
