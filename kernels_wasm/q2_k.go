package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q2_K (engine/quant/q2_k.go): 256 elements in 84 bytes.
//
//	bytes 0–15   byte g: group g's scale (low nibble) and minimum (high)
//	bytes 16–79  2 bits per element: element 128h+32s+l is bits 2s, 2s+1
//	             of qs[32h+l]
//	bytes 80–81  d (F16), bytes 82–83 dmin (F16)
//
// Element i of group g = i/16 is d·scale_g·q_i − dmin·min_g. Its dot
// product keeps one integer sum per block (no lanes), so the elements stay
// in their natural order.

const (
	q2KBlock = 84
	q2KQs    = 16
	q2KD     = 80
)

// Names of the Q2_K kernels.
const (
	VecDotQ2K = "vec_dot_q2_k"
	MatmulQ2K = "matmul_q2_k"
)

// q2KFormat decodes in iterations h < 2 (elements 128h…), in chunks
// half < 2: bytes qs[32h+16·half…] give the iteration's groups 2s+half.
var q2KFormat = &kFormat{
	name:       "q2_k",
	blockBytes: q2KBlock,
	epilogue:   kWhole,
	iterations: 2,
	iterGroups: 8,
	chunks:     [][]int{{0, 2, 4, 6}, {1, 3, 5, 7}},
	newRow: func(f *Func, s *kScratch) kRow {
		return &k2Row{f: f, s: s, sc: [2]Local{f.NewLocal(V128), f.NewLocal(V128)},
			minv: [2]Local{f.NewLocal(V128), f.NewLocal(V128)},
			dv:   f.NewLocal(F32), dminv: f.NewLocal(F32), qs: f.NewLocal(I32)}
	},
}

type k2Row struct {
	f         *Func
	s         *kScratch
	sc        [2]Local // i16x8 scales of the iteration's groups, then the next's
	minv      [2]Local // i16x8 minimums of groups 0–7 and 8–15
	dv, dminv Local
	qs        Local // i32: the iteration's levels
}

func (r *k2Row) d() Local       { return r.dv }
func (r *k2Row) dmin() Local    { return r.dminv }
func (r *k2Row) mins() [2]Local { return r.minv }

func (r *k2Row) begin(p Local) {
	f, raw := r.f, r.s.v
	kHalfFactors(f, r.s, p, q2KD, r.dv, r.dminv)
	f.Do(
		LocalGet(p), I32Const(q2KQs), I32Add, LocalSet(r.qs),
		LocalGet(p), V128Load(0).Align(0), LocalTee(raw), kRep(15), V128And, LocalTee(r.s.q),
		I16x8ExtendLowI8x16U, LocalSet(r.sc[0]),
		LocalGet(r.s.q), I16x8ExtendHighI8x16U, LocalSet(r.sc[1]),
		LocalGet(raw), I32Const(4), I16x8ShrU, kRep(15), V128And, LocalTee(r.s.q),
		I16x8ExtendLowI8x16U, LocalSet(r.minv[0]),
		LocalGet(r.s.q), I16x8ExtendHighI8x16U, LocalSet(r.minv[1]),
	)
}

func (r *k2Row) chunk(half int, out [][2]Local) {
	f, v, q, s := r.f, r.s.v, r.s.q, r.s.s
	f.Do(LocalGet(r.qs), V128Load(uint32(16*half)).Align(0), LocalSet(v))
	for sub := range 4 {
		kShiftBits(f, v, -2*sub, 0x03)
		f.Do(LocalSet(q))
		kSplat16(f, r.sc[0], 2*sub+half)
		f.Do(LocalSet(s))
		kScaledGroup(f, q, s, out[sub], false)
	}
}

func (r *k2Row) next() {
	advance(r.f, r.qs, 32)
	r.f.Do(LocalGet(r.sc[1]), LocalSet(r.sc[0]))
}

func registerQ2K(m *Module) { registerK(m, q2KFormat) }
