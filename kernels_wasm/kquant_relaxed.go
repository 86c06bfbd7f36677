package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The relaxed-SIMD build of the k-quant dot products (Options.Relaxed).
// The integer sums are the plain build's lane totals (kquant_epilogue.go:
// lane t = Σ_g scale_g·Σ_{i in group g, i%8 = t} q_i·y_i), and the float
// epilogue is the plain one, so the results are bit-identical to
// quant.VecDot.
//
// i16x8.relaxed_dot_i8x16_i7x16_s(y, q) adds neighbouring byte products
// into i16 lanes; it is exact and deterministic when every byte of q is in
// 0…127. So the weights go in as their unsigned levels u (Q2_K 0…3, Q3_K
// 0…7, Q4_K 0…15, Q5_K 0…31, Q6_K 0…63) and the activation bytes as y.
// Where a format's level is u − o (Q3_K: o = 4, Q6_K: o = 32), the same
// instruction with o in every byte of q gives o·(y_a + y_b) per pair,
// subtracted in i16 (|pair| ≤ 2·128·32: no overflow), once per token for
// all the rows.
//
// Every k-quant lays a super-block out in runs of 32 elements (two
// 16-element groups) whose bytes sit at the same offsets l = i mod 32 of
// their level bytes, so one byte permutation of a run's 32 level bytes
// and of its 32 activation bytes puts, in 16-byte vector A, the elements
// l, l+8, l+16, l+24 for l = 0…3 and in B those for l = 4…7. Read as i16
// lanes after the relaxed dot, A holds (group 2j, l), (group 2j+1, l) for
// l = 0…3, and i32x4.dot_i16x8_s with the two groups' scales alternating
// gives lane l = the run's contribution to lane total l: A to the lanes
// 0–3, B to 4–7, as the plain build's two accumulators hold them. A run
// costs two relaxed dots, two dot_i16x8_s and two adds per (row, token)
// (Q3_K, Q6_K: and two i16 subtractions), instead of four dot_i16x8_s and
// four adds on levels widened and multiplied by their scales beforehand.
// Q2_K keeps one integer sum per block, so its runs stay in natural order
// (A = elements 0–15, B = 16–31, one group each).

// kRunPermA and kRunPermB are the byte permutations of a run (bytes 0–15
// of the first operand, 16–31 of the second): A gets l, l+8, l+16, l+24
// for l < 4, B for 4 ≤ l < 8.
var kRunPermA, kRunPermB = kRunPerm(0), kRunPerm(4)

func kRunPerm(first byte) [16]byte {
	var p [16]byte
	for l := range byte(4) {
		for k := range byte(4) {
			p[4*l+k] = first + l + 8*k
		}
	}
	return p
}

// rkFormat describes a k-quant's relaxed-SIMD decoding.
type rkFormat struct {
	plain  *kFormat // layout, epilogue, iterations
	runs   int      // 32-element runs per iteration
	offset byte     // the level is u − offset
	// natural keeps the runs unpermuted (Q2_K): A is elements 0–15 of the
	// run, B elements 16–31, each one group with its own scale.
	natural bool
	// oneToken keeps the plain tiles for several tokens: only vec_dot and
	// the one-token tiles (decode) are relaxed (Q3_K: its relaxed tiles
	// measured no faster at 4 rows × 8 tokens).
	oneToken bool
	newRow   func(f *Func, s *kScratch) rkRow
}

// rkRow decodes the super-blocks of one weight row. Through kRow it gives
// the epilogue its factors and minimums (its chunk method is not used).
type rkRow interface {
	kRow
	// run emits the decoding of run c of the current iteration and
	// returns the locals that hold it.
	run(c int) rkRun
}

// rkRun is one decoded run of a row: the unsigned levels of A and B (one
// byte each, permuted as the activation), and the i16 scales to pair with
// A's and B's relaxed dot products.
type rkRun struct{ a, b, sa, sb Local }

// rkTile emits the dot products of R weight rows with T activation rows
// with relaxed dots; the embedded kTile holds the running sums and does
// the float epilogue.
type rkTile struct {
	*kTile
	rq   *rkFormat
	rows []rkRow
	runs []rkRun  // the current run of each row
	ya   [2]Local // the token's permuted activation bytes: A, B
	yo   [2]Local // offset·(pair sums) of A and B, for a format with an offset
	off  Local    // i8x16 splat of the offset
}

func newRKTile(f *Func, q *rkFormat, r, t int, wp, xp []Local) *rkTile {
	// The kTile's format: the plain one with the relaxed rows and no
	// chunk slots.
	kq := *q.plain
	kq.chunks = nil
	rows := make([]rkRow, 0, r)
	kq.newRow = func(f *Func, s *kScratch) kRow {
		row := q.newRow(f, s)
		rows = append(rows, row)
		return row
	}
	k := &rkTile{kTile: newKTile(f, &kq, r, t, wp, xp), rq: q, rows: rows}
	v128 := func() Local { return f.NewLocal(V128) }
	k.runs = make([]rkRun, r)
	k.ya = [2]Local{v128(), v128()}
	if q.offset != 0 {
		k.yo = [2]Local{v128(), v128()}
		k.off = v128()
	}
	return k
}

// block emits one super-block for every pair and advances the pointers.
func (k *rkTile) block() {
	f, q := k.f, k.rq
	k.beginBlock()
	if q.offset != 0 {
		f.Do(kRep(q.offset), LocalSet(k.off))
	}
	for j := range k.t {
		f.Do(LocalGet(k.xp[j]), LocalSet(k.xq[j]))
	}
	f.Do(I32Const(int32(q.plain.iterations)), LocalSet(k.iter))
	countdown(f, k.iter, func() {
		for c := range q.runs {
			for i := range k.r {
				k.runs[i] = k.rows[i].run(c)
			}
			for j := range k.t {
				k.prepare(j, c)
				for i := range k.r {
					k.dot(i, j)
				}
			}
		}
		for i := range k.r {
			k.rows[i].next()
		}
		for j := range k.t {
			advance(f, k.xq[j], int32(32*q.runs))
		}
	})
	k.endBlock()
}

// prepare emits token j's run c: its 32 bytes permuted into k.ya and,
// for a format with an offset, their offset pair sums into k.yo.
func (k *rkTile) prepare(j, c int) {
	f, q := k.f, k.rq
	off := uint32(q8KQuants + 32*c)
	if q.natural {
		f.Do(LocalGet(k.xq[j]), V128Load(off).Align(0), LocalSet(k.ya[0]))
		f.Do(LocalGet(k.xq[j]), V128Load(off+16).Align(0), LocalSet(k.ya[1]))
	} else {
		v, w := k.s.v, k.s.q
		f.Do(
			LocalGet(k.xq[j]), V128Load(off).Align(0), LocalSet(v),
			LocalGet(k.xq[j]), V128Load(off+16).Align(0), LocalSet(w),
		)
		kRunAB(f, v, w, k.ya[0], k.ya[1])
	}
	if q.offset != 0 {
		for h := range 2 {
			f.Do(LocalGet(k.ya[h]), LocalGet(k.off), I16x8RelaxedDotI8x16I7x16S, LocalSet(k.yo[h]))
		}
	}
}

// dot emits pair (i, j)'s products for the current run.
func (k *rkTile) dot(i, j int) {
	f, q, acc, run := k.f, k.rq, k.acc[i][j], k.runs[i]
	for h, lv := range [2]Local{run.a, run.b} {
		into := acc[h]
		if q.natural {
			into = acc[0] // one sum per block
		}
		f.Do(LocalGet(into), LocalGet(k.ya[h]), LocalGet(lv), I16x8RelaxedDotI8x16I7x16S)
		if q.offset != 0 {
			f.Do(LocalGet(k.yo[h]), I16x8Sub)
		}
		s := run.sa
		if h == 1 {
			s = run.sb
		}
		f.Do(LocalGet(s), I32x4DotI16x8S, I32x4Add, LocalSet(into))
	}
}

// run emits the whole tile over nb blocks (nb is consumed).
func (k *rkTile) run(nb Local) {
	k.zero()
	countdown(k.f, nb, k.block)
}

// defineRelaxedVecDotK emits vec_dot_T(w_ptr, x_ptr, n) f32 with relaxed
// dots.
func defineRelaxedVecDotK(m *Module, q *rkFormat) *Func {
	return defineKVecDotOver(m, q.plain.name, func(f *Func, wp, xp []Local) dotTile {
		return newRKTile(f, q, 1, 1, wp, xp)
	})
}

// defineRelaxedKTileFunc emits a tile function (tileParams) of r rows and
// t tokens with relaxed dots.
func defineRelaxedKTileFunc(m *Module, q *rkFormat, r, t int) *Func {
	return defineTileFuncOver(m, q.plain.name, r, t, func(f *Func, wp, xp []Local) dotTile {
		return newRKTile(f, q, r, t, wp, xp)
	})
}

// registerRelaxedK defines and exports vec_dot_T and matmul_T for k-quant
// q with relaxed dots.
func registerRelaxedK(m *Module, q *rkFormat) {
	p := q.plain
	m.ExportFunc("vec_dot_"+p.name, defineRelaxedVecDotK(m, q))
	m.ExportFunc("matmul_"+p.name, defineTiledMatmul(m, matmulLayout{
		name: p.name, blockElems: qkK, blockShift: qkKShift, wBlock: p.blockBytes, xBlock: q8KBlock,
		tileFunc: func(r, t int) *Func {
			if q.oneToken && t > 1 {
				return defineKTileFunc(m, p, r, t)
			}
			return defineRelaxedKTileFunc(m, q, r, t)
		},
	}))
}
