package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q3_K (engine/quant/q3_k.go): 256 elements in 110 bytes.
//
//	bytes 0–31     third bits: element i's is bit i/32 of hmask[i%32]
//	bytes 32–95    low 2 bits: element 128h+32s+l is bits 2s, 2s+1 of
//	               qs[32h+l]
//	bytes 96–107   16 scales of 6 bits, stored +32: the low nibble of
//	               scale g is nibble g/8 of byte g%8, its top two bits are
//	               bits 2·(g/4), 2·(g/4)+1 of byte 8+g%4
//	bytes 108–109  d (F16)
//
// Element i of group g = i/16 is d·(scale_g − 32)·(q_i − 4), q_i the low
// bits plus the third bit times 4.

const (
	q3KBlock = 110
	q3KQs    = 32
	// q3KScalesLoad is where the 16-byte load of the scales starts: two
	// bytes early, so that it ends with the block (at d) and never reads
	// past the last block of a row.
	q3KScalesLoad = 94
	q3KD          = 108
)

// Names of the Q3_K kernels.
const (
	VecDotQ3K = "vec_dot_q3_k"
	MatmulQ3K = "matmul_q3_k"
)

// q3KFormat decodes in iterations h < 2 (elements 128h…), in chunks
// half < 2: bytes qs[32h+16·half…] and hmask[16·half…] give the
// iteration's groups 2s+half, s < 4.
var q3KFormat = &kFormat{
	name:       "q3_k",
	blockBytes: q3KBlock,
	epilogue:   kLanes,
	iterations: 2,
	iterGroups: 8,
	chunks:     [][]int{{0, 2, 4, 6}, {1, 3, 5, 7}},
	newRow: func(f *Func, s *kScratch) kRow {
		return &k3Row{f: f, s: s, sc: [2]Local{f.NewLocal(V128), f.NewLocal(V128)}, dv: f.NewLocal(F32),
			hm: [2]Local{f.NewLocal(V128), f.NewLocal(V128)}, qs: f.NewLocal(I32)}
	},
}

type k3Row struct {
	f  *Func
	s  *kScratch
	sc [2]Local // i16x8 scales − 32 of the iteration's groups, then the next's
	dv Local
	hm [2]Local // the permuted third bits of each half, shifted to the iteration's
	qs Local    // i32: the iteration's low bits
}

func (r *k3Row) d() Local       { return r.dv }
func (r *k3Row) dmin() Local    { return Local{} }
func (r *k3Row) mins() [2]Local { return [2]Local{} }

func (r *k3Row) begin(p Local) {
	r.beginScales(p)
	for h := range 2 {
		kPermuted(r.f, p, 16*h, r.hm[h])
	}
}

// beginScales emits the block's factor d, levels pointer and scales (the
// relaxed-SIMD rows share it: kquant_relaxed_rows.go).
func (r *k3Row) beginScales(p Local) {
	f, raw, lo := r.f, r.s.v, r.s.q
	kHalfFactor(f, r.s, p, q3KD, r.dv)
	f.Do(
		LocalGet(p), I32Const(q3KQs), I32Add, LocalSet(r.qs),
		// raw[2+j] is scale byte j
		LocalGet(p), V128Load(q3KScalesLoad).Align(0), LocalSet(raw),
		// low nibbles: byte g for g < 8, byte g−8's high nibble for g ≥ 8
		LocalGet(raw), LocalGet(raw), I8x16Shuffle([16]byte{2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5, 6, 7, 8, 9}), LocalTee(lo),
		kBytes(15, 15, 15, 15, 15, 15, 15, 15), V128And,
		LocalGet(lo), I32Const(4), I16x8ShrU, kBytes(0, 0, 0, 0, 0, 0, 0, 0, 15, 15, 15, 15, 15, 15, 15, 15), V128And,
		V128Or,
		// top bits: byte 8+g%4, bits 2·(g/4) moved to bits 4, 5
		LocalGet(raw), LocalGet(raw), I8x16Shuffle([16]byte{10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13, 10, 11, 12, 13}), LocalSet(lo),
		LocalGet(lo), I32Const(4), I16x8Shl, LocalGet(lo), I32Const(2), I16x8Shl,
		I8x16Shuffle([16]byte{0, 1, 2, 3, 20, 21, 22, 23, 0, 0, 0, 0, 0, 0, 0, 0}),
		LocalGet(lo), LocalGet(lo), I32Const(2), I16x8ShrU,
		I8x16Shuffle([16]byte{8, 9, 10, 11, 28, 29, 30, 31, 0, 0, 0, 0, 0, 0, 0, 0}),
		I8x16Shuffle([16]byte{0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23}),
		kRep(0x30), V128And,
		V128Or, kRep(32), I8x16Sub, LocalTee(raw),
		I16x8ExtendLowI8x16S, LocalSet(r.sc[0]),
		LocalGet(raw), I16x8ExtendHighI8x16S, LocalSet(r.sc[1]),
	)
}

func (r *k3Row) chunk(half int, out [][2]Local) {
	f, v, q, s := r.f, r.s.v, r.s.q, r.s.s
	kPermuted(f, r.qs, 16*half, v)
	for sub := range 4 {
		// bits 2s, 2s+1 of qs, bit s of hmask to bit 2; minus 4
		kShiftBits(f, v, -2*sub, 0x03)
		kShiftBits(f, r.hm[half], 2-sub, 0x04)
		f.Do(V128Or, kRep(4), I8x16Sub, LocalSet(q))
		kSplat16(f, r.sc[0], 2*sub+half)
		f.Do(LocalSet(s))
		kScaledGroup(f, q, s, out[sub], true)
	}
}

func (r *k3Row) next() {
	f := r.f
	advance(f, r.qs, 32)
	f.Do(LocalGet(r.sc[1]), LocalSet(r.sc[0]))
	for _, hm := range r.hm {
		f.Do(LocalGet(hm), I32Const(4), I16x8ShrU, LocalSet(hm))
	}
}

func registerQ3K(m *Module) { registerK(m, q3KFormat) }
