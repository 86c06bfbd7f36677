package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q6_K (engine/quant/q6_k.go): 256 elements in 210 bytes.
//
//	bytes 0–127    low 4 bits: element 128h+32s+l is the low nibble of
//	               ql[64h+l+32·(s%2)] for s < 2, the high nibble for s ≥ 2
//	bytes 128–191  top 2 bits: bits 2s, 2s+1 of qh[32h+l]
//	bytes 192–207  16 signed group scales
//	bytes 208–209  d (F16)
//
// Element i of group g = i/16 is d·scale_g·(q_i − 32).

const (
	q6KBlock  = 210
	q6KQh     = 128
	q6KScales = 192
	q6KD      = 208
)

// Names of the Q6_K kernels.
const (
	VecDotQ6K = "vec_dot_q6_k"
	MatmulQ6K = "matmul_q6_k"
)

// q6KFormat decodes in iterations h < 2 (elements 128h…), in chunks
// half < 2: bytes ql[64h+16·half…], ql[64h+32+16·half…] and
// qh[32h+16·half…] give the iteration's groups 2s+half, s < 4.
var q6KFormat = &kFormat{
	name:       "q6_k",
	blockBytes: q6KBlock,
	epilogue:   kLanes,
	iterations: 2,
	iterGroups: 8,
	chunks:     [][]int{{0, 2, 4, 6}, {1, 3, 5, 7}},
	newRow: func(f *Func, s *kScratch) kRow {
		return &k6Row{f: f, s: s, sc: [2]Local{f.NewLocal(V128), f.NewLocal(V128)}, dv: f.NewLocal(F32),
			lo: [2]Local{f.NewLocal(V128), f.NewLocal(V128)}, ql: f.NewLocal(I32), qh: f.NewLocal(I32)}
	},
}

type k6Row struct {
	f      *Func
	s      *kScratch
	sc     [2]Local // i16x8 scales of the iteration's groups, then the next's
	dv     Local
	lo     [2]Local // the chunk's two ql vectors, permuted
	ql, qh Local    // i32: the iteration's low and high bits
}

func (r *k6Row) d() Local       { return r.dv }
func (r *k6Row) dmin() Local    { return Local{} }
func (r *k6Row) mins() [2]Local { return [2]Local{} }

func (r *k6Row) begin(p Local) {
	f := r.f
	kHalfFactor(f, r.s, p, q6KD, r.dv)
	f.Do(
		LocalGet(p), LocalSet(r.ql),
		LocalGet(p), I32Const(q6KQh), I32Add, LocalSet(r.qh),
		LocalGet(p), V128Load(q6KScales).Align(0), LocalTee(r.s.v), I16x8ExtendLowI8x16S, LocalSet(r.sc[0]),
		LocalGet(r.s.v), I16x8ExtendHighI8x16S, LocalSet(r.sc[1]),
	)
}

func (r *k6Row) chunk(half int, out [][2]Local) {
	f, qh, q, s := r.f, r.s.v, r.s.q, r.s.s
	kPermuted(f, r.ql, 16*half, r.lo[0])
	kPermuted(f, r.ql, 32+16*half, r.lo[1])
	kPermuted(f, r.qh, 16*half, qh)
	for sub := range 4 {
		// low 4 bits from ql, bits 2s, 2s+1 of qh to bits 4, 5; minus 32
		kShiftBits(f, r.lo[sub%2], -4*(sub/2), 0x0f)
		kShiftBits(f, qh, 4-2*sub, 0x30)
		f.Do(V128Or, kRep(32), I8x16Sub, LocalSet(q))
		kSplat16(f, r.sc[0], 2*sub+half)
		f.Do(LocalSet(s))
		kScaledGroup(f, q, s, out[sub], true)
	}
}

func (r *k6Row) next() {
	advance(r.f, r.ql, 64)
	advance(r.f, r.qh, 32)
	r.f.Do(LocalGet(r.sc[1]), LocalSet(r.sc[0]))
}

func registerQ6K(m *Module) { registerK(m, q6KFormat) }
