// The relaxed-SIMD instructions (the WebAssembly relaxed-simd proposal,
// phase 5, in the 3.0 draft: prefix 0xfd, numbers 0x100–0x113). Each may
// give an engine-defined result for some inputs, so that engines can map
// it to one native instruction (x86 pmaddubsw or vpdpbusd, fused
// multiply-adds …). A function may only use them once its module has
// called Module.EnableRelaxedSIMD, and the module then needs an engine
// that implements the proposal.

package wasm

// relaxed is a relaxed-SIMD instruction without immediates.
func relaxed(code uint32, name string, in, out []ValType) Instr {
	op := newOp(0xfd, code, name, in, out, immNone, effPlain)
	op.relaxed = true
	return Instr{op: op}
}

// Relaxed swizzle, truncations, fused multiply-adds, lane selects,
// minimum/maximum and Q15 multiply: the plain forms' results where those
// are unambiguous, engine-defined otherwise (out-of-range indices, NaN or
// out-of-range floats, one rounding or two, mixed select masks, ±0,
// −32768·−32768).
var (
	I8x16RelaxedSwizzle         = relaxed(0x100, "i8x16.relaxed_swizzle", ts(V128, V128), ts(V128))
	I32x4RelaxedTruncF32x4S     = relaxed(0x101, "i32x4.relaxed_trunc_f32x4_s", ts(V128), ts(V128))
	I32x4RelaxedTruncF32x4U     = relaxed(0x102, "i32x4.relaxed_trunc_f32x4_u", ts(V128), ts(V128))
	I32x4RelaxedTruncF64x2SZero = relaxed(0x103, "i32x4.relaxed_trunc_f64x2_s_zero", ts(V128), ts(V128))
	I32x4RelaxedTruncF64x2UZero = relaxed(0x104, "i32x4.relaxed_trunc_f64x2_u_zero", ts(V128), ts(V128))
	F32x4RelaxedMadd            = relaxed(0x105, "f32x4.relaxed_madd", ts(V128, V128, V128), ts(V128))
	F32x4RelaxedNmadd           = relaxed(0x106, "f32x4.relaxed_nmadd", ts(V128, V128, V128), ts(V128))
	F64x2RelaxedMadd            = relaxed(0x107, "f64x2.relaxed_madd", ts(V128, V128, V128), ts(V128))
	F64x2RelaxedNmadd           = relaxed(0x108, "f64x2.relaxed_nmadd", ts(V128, V128, V128), ts(V128))
	I8x16RelaxedLaneselect      = relaxed(0x109, "i8x16.relaxed_laneselect", ts(V128, V128, V128), ts(V128))
	I16x8RelaxedLaneselect      = relaxed(0x10a, "i16x8.relaxed_laneselect", ts(V128, V128, V128), ts(V128))
	I32x4RelaxedLaneselect      = relaxed(0x10b, "i32x4.relaxed_laneselect", ts(V128, V128, V128), ts(V128))
	I64x2RelaxedLaneselect      = relaxed(0x10c, "i64x2.relaxed_laneselect", ts(V128, V128, V128), ts(V128))
	F32x4RelaxedMin             = relaxed(0x10d, "f32x4.relaxed_min", ts(V128, V128), ts(V128))
	F32x4RelaxedMax             = relaxed(0x10e, "f32x4.relaxed_max", ts(V128, V128), ts(V128))
	F64x2RelaxedMin             = relaxed(0x10f, "f64x2.relaxed_min", ts(V128, V128), ts(V128))
	F64x2RelaxedMax             = relaxed(0x110, "f64x2.relaxed_max", ts(V128, V128), ts(V128))
	I16x8RelaxedQ15mulrS        = relaxed(0x111, "i16x8.relaxed_q15mulr_s", ts(V128, V128), ts(V128))
)

// The integer dot products, of a (16 signed bytes), b (16 bytes) and c
// (i32x4):
//
//	i16x8.relaxed_dot_i8x16_i7x16_s(a, b):
//		lane k (i16) = a[2k]·b[2k] + a[2k+1]·b[2k+1]
//	i32x4.relaxed_dot_i8x16_i7x16_add_s(a, b, c):
//		lane k (i32) = c[k] + (a[4k]·b[4k] + a[4k+1]·b[4k+1])
//		                    + (a[4k+2]·b[4k+2] + a[4k+3]·b[4k+3])
//
// The engine may read b's bytes as signed or unsigned and may saturate or
// wrap the i16 pair sums; when every byte of b is in 0…127 the readings
// agree and no pair sum leaves the i16 range, so the result is exact and
// the same everywhere.
var (
	I16x8RelaxedDotI8x16I7x16S    = relaxed(0x112, "i16x8.relaxed_dot_i8x16_i7x16_s", ts(V128, V128), ts(V128))
	I32x4RelaxedDotI8x16I7x16AddS = relaxed(0x113, "i32x4.relaxed_dot_i8x16_i7x16_add_s", ts(V128, V128, V128), ts(V128))
)
