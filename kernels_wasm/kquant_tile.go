package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The k-quant dot products, as quant.VecDot computes them (llama.cpp's
// generic kernels, engine/quant/k_dot.go): per 256-element super-block, the
// integer sums Σ scale_g·q_i·y_i are kept in eight lanes, element i in lane
// i mod 8; each lane total is scaled by d = d_w·d_x to float32 and added
// to that lane's running float32 sum; the row's result is the eight running
// sums added in lane order onto the minimums' running sum (Q4_K, Q5_K),
// or onto zero (Q3_K, Q6_K). Q2_K instead keeps one integer sum per block
// (engine/quant/q2_k.go).
//
// The integer sums are exact in any order, so SIMD may compute them as it
// likes, as long as each lane total only holds elements of its residue:
// i32x4.dot_i16x8_s adds neighbouring products, so the 16 bytes of each
// group are permuted (kInterleave) on both sides so that, read as eight
// 16-bit lanes, their low bytes are elements 0,8,1,9,2,10,3,11 and their
// high bytes 4,12,5,13,6,14,7,15: widened to i16 by shifts (no shuffles),
// each holds pairs of one residue. The weights are decoded to int16
// already multiplied by their group's scale, so a group costs two
// dot_i16x8_s and two adds per (row, token) pair. The float work is then
// done per pair with exactly the scalar code's operations, in its order.
//
// matmul_T works on tiles of R rows × T tokens: each super-block of the R
// rows is decoded once per tile and used for all T tokens, each activation
// block prepared once and used for all R rows.

// Q8_K activation blocks (engine/quant/q8_k.go): a float32 scale, 256
// signed bytes, 16 int16 group sums.
const (
	q8KBlock    = 292
	q8KQuants   = 4
	q8KBsums    = 260
	qkK         = 256
	qkKShift    = 8 // log2(qkK)
	kGroupElems = 16
)

// kInterleave orders a group's 16 bytes so that the even bytes are
// elements 0,8,1,9,2,10,3,11 (pairs of residues 0–3) and the odd bytes
// 4,12,5,13,6,14,7,15 (residues 4–7).
var kInterleave = [16]byte{0, 4, 8, 12, 1, 5, 9, 13, 2, 6, 10, 14, 3, 7, 11, 15}

// kEpilogue is how a format's integer sums become the float result.
type kEpilogue int

const (
	kLanes     kEpilogue = iota // eight lanes scaled by d (Q3_K, Q6_K)
	kLanesMins                  // eight lanes, minus dmin·d_x·Σ bsum·min (Q4_K, Q5_K)
	kWhole                      // one sum per block: d·d_x·isum − dmin·d_x·Σ bsum·min (Q2_K)
)

// kFormat describes a k-quant weight type to the tile generator.
type kFormat struct {
	name       string // lower-case GGML name
	blockBytes int32
	epilogue   kEpilogue
	// A super-block is decoded in iterations (a loop, to keep the code
	// small), each in chunks; chunks lists, for each chunk, the groups it
	// decodes, numbered from the iteration's first group; an iteration
	// covers iterGroups groups.
	iterations, iterGroups int
	chunks                 [][]int
	// newRow declares the locals of one row slot of a tile.
	newRow func(f *Func, s *kScratch) kRow
}

// kRow decodes the super-blocks of one weight row inside a tile function.
type kRow interface {
	// begin emits the per-block work for the block at p: scales unpacked,
	// factors converted to float32, the state of the first iteration.
	begin(p Local)
	// chunk emits the decoding of chunk c of the current iteration: for
	// each of its groups, two i16x8 (the group's 16 levels times the group
	// scale: the even bytes in kInterleave order, then the odd ones; in
	// natural order, even then odd elements, for kWhole).
	chunk(c int, out [][2]Local)
	// next emits the move to the next iteration.
	next()
	// d is the block's float32 scale factor, dmin its minimums' factor.
	d() Local
	dmin() Local
	// mins holds the minimum of each group as i16x8, groups 0–7 and 8–15,
	// to pair with the activation's bsums.
	mins() [2]Local
}

// kScratch is scratch space shared by the rows of one function.
type kScratch struct {
	v, q, s, t Local // v128
}

func newKScratch(f *Func) *kScratch {
	return &kScratch{v: f.NewLocal(V128), q: f.NewLocal(V128), s: f.NewLocal(V128), t: f.NewLocal(V128)}
}

// kTile emits the dot products of R weight rows with T activation rows.
type kTile struct {
	f    *Func
	q    *kFormat
	r, t int
	wp   []Local // i32: the current block of each row
	xp   []Local // i32: the current block of each token
	xq   []Local // i32: the current iteration's groups of each token
	iter Local   // i32: iterations left
	rows []kRow
	acc  [][][2]Local // i32x4 lane totals of the block, per pair
	sums [][][2]Local // f32x4 running lane sums, per pair
	sumf [][]Local    // f32 running sum of the minimums' terms (or Q2_K's blocks)
	// With four rows and minimums, the minimums' running sums of token j
	// are the lanes of sumfv[j] (row i in lane i), their factors dmin_i in
	// dminv: the four rows' terms are computed side by side.
	sumfv []Local
	dminv Local
	mt    [4]Local     // i32x4 scratch
	wv    [][][2]Local // decoded chunk, per row
	yv    [][2]Local   // prepared activation groups of one token
	xd    []Local      // f32 scale of each token's block
	bs    [2]Local     // i16x8 bsums of one token
	ddv   Local        // v128 scratch
	s     *kScratch
}

func newKTile(f *Func, q *kFormat, r, t int, wp, xp []Local) *kTile {
	k := &kTile{f: f, q: q, r: r, t: t, wp: wp, xp: xp, s: newKScratch(f)}
	k.iter = f.NewLocal(I32)
	k.xq = make([]Local, t)
	for j := range t {
		k.xq[j] = f.NewLocal(I32)
	}
	maxGroups := 0
	for _, c := range q.chunks {
		maxGroups = max(maxGroups, len(c))
	}
	v128 := func() Local { return f.NewLocal(V128) }
	pair := func() [2]Local { return [2]Local{v128(), v128()} }
	k.rows = make([]kRow, r)
	k.acc = make([][][2]Local, r)
	k.sums = make([][][2]Local, r)
	k.sumf = make([][]Local, r)
	k.wv = make([][][2]Local, r)
	for i := range r {
		k.rows[i] = q.newRow(f, k.s)
		k.acc[i] = make([][2]Local, t)
		k.sums[i] = make([][2]Local, t)
		k.sumf[i] = make([]Local, t)
		for j := range t {
			k.acc[i][j] = pair()
			if q.epilogue != kWhole {
				k.sums[i][j] = pair()
			}
			k.sumf[i][j] = f.NewLocal(F32)
		}
		k.wv[i] = make([][2]Local, maxGroups)
		for g := range maxGroups {
			k.wv[i][g] = pair()
		}
	}
	k.yv = make([][2]Local, maxGroups)
	for g := range maxGroups {
		k.yv[g] = pair()
	}
	if k.vectorMins() {
		k.sumfv = make([]Local, t)
		for j := range t {
			k.sumfv[j] = v128()
		}
		k.dminv = v128()
		k.mt = [4]Local{v128(), v128(), v128(), v128()}
	}
	k.xd = make([]Local, t)
	for j := range t {
		k.xd[j] = f.NewLocal(F32)
	}
	k.bs = pair()
	k.ddv = v128()
	return k
}

// vectorMins reports whether the minimums' terms go four rows a vector.
func (k *kTile) vectorMins() bool { return k.r == 4 && k.q.epilogue == kLanesMins }

// zero emits the clearing of the running sums (locals start at zero, but a
// tile may run more than once per function).
func (k *kTile) zero() {
	f := k.f
	for i := range k.r {
		for j := range k.t {
			if k.q.epilogue != kWhole {
				f.Do(V128Const([16]byte{}), LocalTee(k.sums[i][j][0]), LocalSet(k.sums[i][j][1]))
			}
			f.Do(F32Const(0), LocalSet(k.sumf[i][j]))
		}
	}
	for _, v := range k.sumfv {
		f.Do(V128Const([16]byte{}), LocalSet(v))
	}
}

// beginBlock emits the start of a super-block: each row's per-block work,
// every pair's lane totals zeroed and, with vector minimums, the rows'
// dmin factors gathered into dminv.
func (k *kTile) beginBlock() {
	f := k.f
	for i := range k.r {
		k.rows[i].begin(k.wp[i])
		for j := range k.t {
			f.Do(V128Const([16]byte{}), LocalTee(k.acc[i][j][0]), LocalSet(k.acc[i][j][1]))
		}
	}
	if k.vectorMins() {
		f.Do(LocalGet(k.rows[0].dmin()), F32x4Splat)
		for i := 1; i < 4; i++ {
			f.Do(LocalGet(k.rows[i].dmin()), F32x4ReplaceLane(byte(i)))
		}
		f.Do(LocalSet(k.dminv))
	}
}

// endBlock emits the end of a super-block: each token's float epilogue,
// then every row's and token's pointer moved to its next block.
func (k *kTile) endBlock() {
	for j := range k.t {
		k.epilogue(j)
	}
	for i := range k.r {
		advance(k.f, k.wp[i], k.q.blockBytes)
	}
	for j := range k.t {
		advance(k.f, k.xp[j], q8KBlock)
	}
}

// block emits one super-block for every pair and advances the pointers.
func (k *kTile) block() {
	f := k.f
	k.beginBlock()
	for j := range k.t {
		f.Do(LocalGet(k.xp[j]), LocalSet(k.xq[j]))
	}
	f.Do(I32Const(int32(k.q.iterations)), LocalSet(k.iter))
	countdown(f, k.iter, func() {
		for c, groups := range k.q.chunks {
			for i := range k.r {
				k.rows[i].chunk(c, k.wv[i])
			}
			for j := range k.t {
				for gi, g := range groups {
					k.prepare(j, g, k.yv[gi])
				}
				for i := range k.r {
					for gi := range groups {
						k.dot(i, j, gi)
					}
				}
			}
		}
		for i := range k.r {
			k.rows[i].next()
		}
		for j := range k.t {
			advance(f, k.xq[j], int32(kGroupElems*k.q.iterGroups))
		}
	})
	k.endBlock()
}

// prepare emits token j's group g as two i16x8, in the weights' order.
func (k *kTile) prepare(j, g int, y [2]Local) {
	f, v := k.f, k.s.v
	f.Do(LocalGet(k.xq[j]), V128Load(uint32(q8KQuants+kGroupElems*g)).Align(0))
	if k.q.epilogue != kWhole {
		f.Do(LocalTee(v), LocalGet(v), I8x16Shuffle(kInterleave))
	}
	f.Do(LocalSet(v))
	kWidenSigned(f, v, y)
}

// dot emits pair (i, j)'s products for the group decoded in slot gi.
func (k *kTile) dot(i, j, gi int) {
	f, acc, w, y := k.f, k.acc[i][j], k.wv[i][gi], k.yv[gi]
	if k.q.epilogue == kWhole {
		f.Do(
			LocalGet(acc[0]),
			LocalGet(w[0]), LocalGet(y[0]), I32x4DotI16x8S, I32x4Add,
			LocalGet(w[1]), LocalGet(y[1]), I32x4DotI16x8S, I32x4Add,
			LocalSet(acc[0]),
		)
		return
	}
	for h := range 2 {
		f.Do(LocalGet(acc[h]), LocalGet(w[h]), LocalGet(y[h]), I32x4DotI16x8S, I32x4Add, LocalSet(acc[h]))
	}
}

// run emits the whole tile over nb blocks (nb is consumed).
func (k *kTile) run(nb Local) {
	k.zero()
	countdown(k.f, nb, k.block)
}
