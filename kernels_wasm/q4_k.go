package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q4_K (engine/quant/q4_k.go): 256 elements in 144 bytes.
//
//	bytes 0–1    d (F16), bytes 2–3 dmin (F16)
//	bytes 4–15   eight 6-bit scales and minimums (engine/quant/k_scales.go)
//	bytes 16–143 4-bit levels: bytes 32k…32k+31 hold sub-block 2k in their
//	             low nibbles and sub-block 2k+1 in their high nibbles
//
// Element i of sub-block j = i/32 is d·scale_j·q_i − dmin·min_j.

const (
	q4KBlock  = 144
	q4KScales = 4
	q4KQs     = 16
)

// Names of the Q4_K kernels.
const (
	VecDotQ4K = "vec_dot_q4_k"
	MatmulQ4K = "matmul_q4_k"
)

// q4KFormat decodes in iterations k < 4 over the 32 bytes qs[32k…], in
// chunks of 16 bytes h: their low nibbles are group 4k+h (sub-block 2k),
// their high nibbles group 4k+2+h (sub-block 2k+1).
var q4KFormat = &kFormat{
	name:       "q4_k",
	blockBytes: q4KBlock,
	epilogue:   kLanesMins,
	iterations: 4,
	iterGroups: 4,
	chunks:     [][]int{{0, 2}, {1, 3}},
	newRow:     func(f *Func, s *kScratch) kRow { return newK4Row(f, s, q4KQs, -1) },
}

// k4Row decodes Q4_K rows, and Q5_K rows when qh ≥ 0 (the offset of the
// fifth bits).
type k4Row struct {
	f         *Func
	s         *kScratch
	qs, qh    int32
	wq        Local    // i32: the current iteration's levels
	sm        Local    // v128: scales in bytes 0–7 (rotated: the iteration's two first), minimums in 8–15
	dv, dminv Local    // f32
	minv      [2]Local // i16x8
	hbits     [2]Local // Q5_K: the permuted fifth bits of each half, shifted to the iteration's
	sc        [2]Local // i16x8: the iteration's two scales, each in every lane
}

func newK4Row(f *Func, s *kScratch, qs, qh int32) *k4Row {
	r := &k4Row{f: f, s: s, qs: qs, qh: qh, wq: f.NewLocal(I32),
		sm: f.NewLocal(V128), dv: f.NewLocal(F32), dminv: f.NewLocal(F32),
		minv: [2]Local{f.NewLocal(V128), f.NewLocal(V128)}, sc: [2]Local{f.NewLocal(V128), f.NewLocal(V128)}}
	if qh >= 0 {
		r.hbits = [2]Local{f.NewLocal(V128), f.NewLocal(V128)}
	}
	return r
}

func (r *k4Row) d() Local       { return r.dv }
func (r *k4Row) dmin() Local    { return r.dminv }
func (r *k4Row) mins() [2]Local { return r.minv }

// begin unpacks the 12 scale bytes q[0..11] (k_scales.go):
//
//	j < 4: scale_j = q[j] & 63,                  min_j = q[j+4] & 63
//	j ≥ 4: scale_j = q[j+4] & 15 | q[j−4]>>6<<4, min_j = q[j+4]>>4 | q[j]>>6<<4
func (r *k4Row) begin(p Local) {
	f, raw, low := r.f, r.s.v, r.s.q
	kHalfFactors(f, r.s, p, 0, r.dv, r.dminv)
	f.Do(
		LocalGet(p), I32Const(r.qs), I32Add, LocalSet(r.wq),
		LocalGet(p), V128Load(q4KScales).Align(0), LocalSet(raw),
		// low parts: q[j] for scales j<4, q[j+4] for j≥4 and for minimums
		LocalGet(raw), LocalGet(raw), I8x16Shuffle([16]byte{0, 1, 2, 3, 8, 9, 10, 11, 4, 5, 6, 7, 8, 9, 10, 11}), LocalTee(low),
		kBytes(63, 63, 63, 63, 15, 15, 15, 15, 63, 63, 63, 63, 0, 0, 0, 0), V128And,
		LocalGet(low), I32Const(4), I16x8ShrU, kBytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 15, 15, 15, 15), V128And,
		V128Or,
		// high parts: q[j−4]>>6<<4 for scales j≥4, q[j]>>6<<4 for minimums j≥4
		LocalGet(raw), LocalGet(raw), I8x16Shuffle([16]byte{0, 0, 0, 0, 0, 1, 2, 3, 0, 0, 0, 0, 4, 5, 6, 7}),
		I32Const(2), I16x8ShrU, kBytes(0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30, 0, 0, 0, 0, 0x30, 0x30, 0x30, 0x30), V128And,
		V128Or, LocalTee(r.sm),
		// minimums as i16, each twice (two groups per sub-block)
		V128Const([16]byte{}), I8x16Shuffle([16]byte{8, 16, 8, 16, 9, 16, 9, 16, 10, 16, 10, 16, 11, 16, 11, 16}), LocalSet(r.minv[0]),
		LocalGet(r.sm), V128Const([16]byte{}), I8x16Shuffle([16]byte{12, 16, 12, 16, 13, 16, 13, 16, 14, 16, 14, 16, 15, 16, 15, 16}), LocalSet(r.minv[1]),
	)
	r.splatScales()
	if r.qh >= 0 {
		for h := range 2 {
			kPermuted(f, p, int(r.qh)+16*h, r.hbits[h])
		}
	}
}

// splatScales emits sc = the first two scales of sm, as i16 splats.
func (r *k4Row) splatScales() {
	for j, sc := range r.sc {
		b := byte(j)
		r.f.Do(LocalGet(r.sm), V128Const([16]byte{}), I8x16Shuffle([16]byte{b, 16, b, 16, b, 16, b, 16, b, 16, b, 16, b, 16, b, 16}), LocalSet(sc))
	}
}

// chunk h decodes groups h (low nibbles) and 2+h (high nibbles) of the
// iteration from its bytes 16h … 16h+15.
func (r *k4Row) chunk(h int, out [][2]Local) {
	f, v, q := r.f, r.s.v, r.s.q
	kPermuted(f, r.wq, 16*h, v)
	if r.qh < 0 {
		// Q4_K: each nibble straight to its 16-bit lane: bits 0–3 (even
		// bytes' low nibbles), 8–11, 4–7, 12–15.
		for nib := range 2 {
			for half, shift := range [2]int32{int32(4 * nib), int32(8 + 4*nib)} {
				f.Do(LocalGet(v))
				if shift > 0 {
					f.Do(I32Const(shift), I16x8ShrU)
				}
				if shift < 12 {
					f.Do(splatI32(0x000f000f), V128And)
				}
				f.Do(LocalGet(r.sc[nib]), I16x8Mul, LocalSet(out[nib][half]))
			}
		}
		return
	}
	for nib := range 2 {
		// Q5_K: the nibble, and bit nib of the shifted qh moved to bit 4
		f.Do(LocalGet(v))
		if nib == 1 {
			f.Do(I32Const(4), I16x8ShrU)
		}
		f.Do(
			kRep(0x0f), V128And,
			LocalGet(r.hbits[h]), I32Const(int32(4-nib)), I16x8Shl, kRep(0x10), V128And, V128Or,
			LocalSet(q),
		)
		kScaledGroup(f, q, r.sc[nib], out[nib], false)
	}
}

// next moves to the next 32 bytes of levels, the next two scales and fifth
// bits.
func (r *k4Row) next() {
	f := r.f
	advance(f, r.wq, 32)
	f.Do(LocalGet(r.sm), LocalGet(r.sm), I8x16Shuffle([16]byte{2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 0, 1}), LocalSet(r.sm))
	r.splatScales()
	for _, hb := range r.hbits {
		if hb != (Local{}) {
			f.Do(LocalGet(hb), I32Const(2), I16x8ShrU, LocalSet(hb))
		}
	}
}

func registerQ4K(m *Module) { registerK(m, q4KFormat) }
