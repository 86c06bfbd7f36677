package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// IEEE half → float32 without an f16 instruction (SIMD128 has none), giving
// the bits quant.F16ToF32 gives for every one of the 65536 halves.
//
// With the sign cleared, shifting a half's exponent and mantissa left by
// 13 lines them up with a float32's; read as a float32 that is the value
// times 2⁻¹¹² (the exponent biases are 15 and 127), so multiplying by 2¹¹²
// gives the value exactly, subnormal halves included (wasm keeps float32
// subnormals). Infinity and NaN (exponent 31) instead get the float32
// exponent 255 by adding 0x70000000, and a NaN is made quiet, as F16C
// does. The sign goes back on last.

const (
	halfAbsMask  = 0x7fff
	halfInf      = 0x7c00     // exponent all ones, mantissa zero
	rebiasInfNaN = 0x70000000 // (255 − 31) << 23
	f32Quiet     = 0x00400000 // float32 quiet-NaN bit
)

// twoTo112 rescales a half's shifted bits read as a float32.
const twoTo112 = 0x1p112

// f16 emits half → float32 conversions inside one function, with its own
// scratch locals.
type f16 struct {
	f                  *Func
	h, abs, shifted    Local // scalar scratch (i32)
	hv, absv, shiftedv Local // vector scratch (v128)
}

func newF16(f *Func) *f16 {
	return &f16{f: f}
}

// scalar pops an i32 holding a half in its low 16 bits (the upper bits
// zero) and pushes its float32.
func (c *f16) scalar() {
	f := c.f
	if c.h == (Local{}) {
		c.h, c.abs, c.shifted = f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	}
	f.Do(
		LocalSet(c.h),
		LocalGet(c.h), I32Const(halfAbsMask), I32And, LocalTee(c.abs),
		I32Const(13), I32Shl, LocalSet(c.shifted),
		// infinity or NaN: exponent 255, the quiet bit set for a NaN
		LocalGet(c.shifted), I32Const(rebiasInfNaN), I32Add,
		LocalGet(c.abs), I32Const(halfInf), I32GtU, I32Const(22), I32Shl, I32Or,
		// finite: rescale
		LocalGet(c.shifted), F32ReinterpretI32, F32Const(twoTo112), F32Mul, I32ReinterpretF32,
		LocalGet(c.abs), I32Const(halfInf), I32GeU,
		Select,
		LocalGet(c.h), I32Const(0x8000), I32And, I32Const(16), I32Shl, I32Or,
		F32ReinterpretI32,
	)
}

// lanes pops an i32x4 holding a half in the low 16 bits of each lane (the
// upper bits zero) and pushes the f32x4 of their values.
func (c *f16) lanes() {
	f := c.f
	if c.hv == (Local{}) {
		c.hv, c.absv, c.shiftedv = f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	}
	f.Do(
		LocalSet(c.hv),
		LocalGet(c.hv), splatI32(halfAbsMask), V128And, LocalTee(c.absv),
		I32Const(13), I32x4Shl, LocalSet(c.shiftedv),
		// infinity or NaN
		LocalGet(c.shiftedv), splatI32(rebiasInfNaN), I32x4Add,
		LocalGet(c.absv), splatI32(halfInf), I32x4GtS, splatI32(f32Quiet), V128And, V128Or,
		// finite
		LocalGet(c.shiftedv), V128ConstF32x4(twoTo112, twoTo112, twoTo112, twoTo112), F32x4Mul,
		// pick per lane: all ones where the exponent is 31
		LocalGet(c.absv), splatI32(halfInf-1), I32x4GtS,
		V128Bitselect,
		LocalGet(c.hv), splatI32(0x8000), V128And, I32Const(16), I32x4Shl, V128Or,
	)
}
