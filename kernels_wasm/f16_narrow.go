package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// float32 → IEEE half with round to nearest even, giving the bits
// quant.F32ToF16 gives for every float32 (the quantizers store their
// scales this way):
//
//   - NaN: quiet, the top ten payload bits kept;
//   - |f| ≥ 65520: infinity;
//   - |f| ≥ 2⁻¹⁴: a normal half; rebiasing the exponent is a subtraction on
//     the bits, and adding 0xfff plus the lowest kept bit before dropping
//     13 bits rounds to nearest even (a carry into the exponent is right);
//   - smaller: a subnormal half, the value in units of 2⁻²⁴ (an exact
//     scaling) rounded to even by f32.nearest.
//
// Every case is computed and the right one selected: no branches.

// f16Narrow emits float32 → half conversions inside one function.
type f16Narrow struct {
	f         *Func
	bits, abs Local // i32 scratch
}

func newF16Narrow(f *Func) *f16Narrow {
	return &f16Narrow{f: f, bits: f.NewLocal(I32), abs: f.NewLocal(I32)}
}

// scalar pops an f32 and pushes an i32 holding its half in the low 16 bits
// (the upper bits zero).
func (c *f16Narrow) scalar() {
	c.f.Do(
		I32ReinterpretF32, LocalTee(c.bits),
		I32Const(0x7fffffff), I32And, LocalSet(c.abs),
		// NaN
		LocalGet(c.abs), I32Const(0x007fffff), I32And, I32Const(13), I32ShrU, I32Const(0x7e00), I32Or,
		// infinity
		I32Const(0x7c00),
		// normal
		LocalGet(c.abs), I32Const(0x38000000), I32Sub, LocalTee(c.abs),
		I32Const(0xfff), I32Add,
		LocalGet(c.abs), I32Const(13), I32ShrU, I32Const(1), I32And, I32Add,
		I32Const(13), I32ShrU,
		LocalGet(c.abs), I32Const(0x38000000), I32Add, LocalTee(c.abs), // abs again
		// subnormal
		F32ReinterpretI32, F32Const(0x1p24), F32Mul, F32Nearest, I32TruncSatF32U,
		LocalGet(c.abs), I32Const(0x38800000), I32GeU, Select,
		LocalGet(c.abs), I32Const(0x477ff000), I32GeU, Select,
		LocalGet(c.abs), I32Const(0x7f800000), I32GtU, Select,
		LocalGet(c.bits), I32Const(16), I32ShrU, I32Const(0x8000), I32And, I32Or,
	)
}
