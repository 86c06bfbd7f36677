package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Byte-level helpers shared by the k-quant decoders.

// kBytes is a v128 constant of 16 bytes.
func kBytes(b ...byte) Instr {
	var v [16]byte
	copy(v[:], b)
	return V128Const(v)
}

// kRep repeats b in 16 bytes.
func kRep(b byte) Instr {
	return kBytes(b, b, b, b, b, b, b, b, b, b, b, b, b, b, b, b)
}

// kHalfFactors emits the conversion of the two F16 factors at p+off (d,
// then dmin) into the f32 locals d and dmin (widenHalves: exact, NaN stays
// NaN).
func kHalfFactors(f *Func, s *kScratch, p Local, off uint32, d, dmin Local) {
	f.Do(LocalGet(p), V128Load32Zero(off).Align(0), LocalSet(s.t))
	widenHalves(f, s.t, s.t, 0)
	f.Do(LocalTee(s.t), F32x4ExtractLane(0), LocalSet(d), LocalGet(s.t), F32x4ExtractLane(1), LocalSet(dmin))
}

// kHalfFactor emits the conversion of the F16 factor at p+off into the f32
// local d (a 2-byte load: it may end the block).
func kHalfFactor(f *Func, s *kScratch, p Local, off uint32, d Local) {
	f.Do(LocalGet(p), V128Load16Splat(off).Align(0), LocalSet(s.t))
	widenHalves(f, s.t, s.t, 0)
	f.Do(F32x4ExtractLane(0), LocalSet(d))
}

// kSplat16 pushes lane l of the i16x8 in v, in all lanes.
func kSplat16(f *Func, v Local, l int) {
	a, b := byte(2*l), byte(2*l+1)
	f.Do(LocalGet(v), LocalGet(v), I8x16Shuffle([16]byte{a, b, a, b, a, b, a, b, a, b, a, b, a, b, a, b}))
}

// kPermuted emits v = the 16 bytes at p+off in kInterleave order.
func kPermuted(f *Func, p Local, off int, v Local) {
	f.Do(LocalGet(p), V128Load(uint32(off)).Align(0), LocalTee(v), LocalGet(v), I8x16Shuffle(kInterleave), LocalSet(v))
}

// kShiftBits pushes v's bytes shifted left by k bits (right if k < 0) and
// masked with mask; mask must drop the bits that crossed a byte boundary
// (the shift is done on 16-bit lanes).
func kShiftBits(f *Func, v Local, k int, mask byte) {
	f.Do(LocalGet(v))
	switch {
	case k > 0:
		f.Do(I32Const(int32(k)), I16x8Shl)
	case k < 0:
		f.Do(I32Const(int32(-k)), I16x8ShrU)
	}
	f.Do(kRep(mask), V128And)
}

// kWidenSigned emits out = the signed bytes of v widened to i16: the even
// bytes, then the odd ones (shifts, no shuffles).
func kWidenSigned(f *Func, v Local, out [2]Local) {
	f.Do(
		LocalGet(v), I32Const(8), I16x8Shl, I32Const(8), I16x8ShrS, LocalSet(out[0]),
		LocalGet(v), I32Const(8), I16x8ShrS, LocalSet(out[1]),
	)
}

// kScaledGroup emits out = the levels in q (bytes, signed or not) times
// the i16 scale s, widened to i16: the even bytes, then the odd ones.
func kScaledGroup(f *Func, q, s Local, out [2]Local, signed bool) {
	if signed {
		f.Do(LocalGet(q), I32Const(8), I16x8Shl, I32Const(8), I16x8ShrS)
	} else {
		f.Do(LocalGet(q), splatI32(0x00ff00ff), V128And)
	}
	f.Do(LocalGet(s), I16x8Mul, LocalSet(out[0]), LocalGet(q), I32Const(8))
	if signed {
		f.Do(I16x8ShrS)
	} else {
		f.Do(I16x8ShrU)
	}
	f.Do(LocalGet(s), I16x8Mul, LocalSet(out[1]))
}
