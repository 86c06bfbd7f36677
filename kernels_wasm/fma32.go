package kernels

import (
	"math"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// A float32 fused multiply-add, a·b + c rounded once, which the reference
// backend uses everywhere ggml's x86 code does (compute.FMA32). WebAssembly
// has no FMA, but it has float64: for float32 a, b, c the product p = a·b
// is exact in float64, so s = p + c in float64 is the exact sum rounded
// once, and rounding s to float32 is right except when s falls exactly
// halfway between two float32s (the second rounding then breaks a tie the
// exact sum does not have). The kernels take the plain path and fix up
// only lanes that might be such ties:
//
//   - s might be a tie when its low 29 bits are 1 followed by 28 zeros
//     (halfway in the float32 grid of a normal float32) or when |s| <
//     2⁻¹²⁶ (where the float32 grid is the subnormal one; zero included,
//     harmlessly): one cheap test on the bits of a few lanes at a time;
//   - the fix is rounding to odd: when s is inexact (its two-sum error is
//     not zero) and its last bit is even, s moves one float64 step towards
//     the exact sum. Rounding that to float32 gives the correctly rounded
//     a·b + c, as 53 bits are at least 24 + 2 (Boldo and Melquiond's
//     round-to-odd theorem).
//
// compute.FMA32 rounds a sum at or above 2¹²⁸ − 2¹⁰³ (the float32
// overflow threshold) to infinity even when the exact sum is a little
// smaller; the fix leaves such sums alone to give the same bits.

const (
	midMask      = 1<<29 - 1          // the float64 bits below a float32's
	midBits      = 1 << 28            // … that make a float32 midpoint
	expMask      = 0x7ff0000000000000 // float64 exponent field
	f32TinyBits  = (1023 - 126) << 52 // exponent field of 2⁻¹²⁶
	f32Threshold = 0x1p128 - 0x1p103  // sums from here round to infinity
	oddShift     = 63                 // bit 0 to the sign and back: all ones in odd lanes
	signShift    = 63                 // the sign bit to an all-ones or zero mask
)

// splatI64 pushes an i64x2 with v in both lanes.
func splatI64(v uint64) Instr {
	var b [16]byte
	for i := 0; i < 16; i++ {
		b[i] = byte(v >> (8 * (i % 8)))
	}
	return V128Const(b)
}

// splatF64 pushes an f64x2 with v in both lanes.
func splatF64(v float64) Instr { return splatI64(math.Float64bits(v)) }

// splatF32 pushes an f32x4 with v in every lane.
func splatF32(v float32) Instr { return V128ConstF32x4(v, v, v, v) }

// emitFn emits code that pushes one value.
type emitFn func()

// fmaPair names the three f64x2 operands of two lanes' a·b + c; each must
// hold float32 values exactly (promoted float32s).
type fmaPair struct{ a, b, c emitFn }

// exactFMA emits exact float32 fused multiply-adds on pairs of lanes held
// as f64x2 (float32 values promoted to float64) inside one function.
type exactFMA struct {
	f       *Func
	p, c, s [maxFMAPairs]Local // per pair: product, addend, sum (f64x2)
	t       Local              // v128 scratch
}

// maxFMAPairs is how many pairs one sums call may take.
const maxFMAPairs = 4

func newExactFMA(f *Func) *exactFMA {
	e := &exactFMA{f: f, t: f.NewLocal(V128)}
	for i := range maxFMAPairs {
		e.p[i], e.c[i], e.s[i] = f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	}
	return e
}

// sums emits, for each pair i, s_i = a_i·b_i + c_i in float64 with the tie
// fix, left in e.s[i]: demoting it to float32 gives FMA32 in both lanes.
// One test covers all the pairs, so the fix-up branch is taken at most
// once.
func (e *exactFMA) sums(ops ...fmaPair) {
	f := e.f
	for i, op := range ops {
		op.a()
		op.b()
		f.Do(F64x2Mul, LocalSet(e.p[i]))
		op.c()
		f.Do(LocalTee(e.c[i]), LocalGet(e.p[i]), F64x2Add, LocalSet(e.s[i]))
	}
	for i := range ops {
		e.mightBeTie(e.s[i])
		if i > 0 {
			f.Do(V128Or)
		}
	}
	f.Do(V128AnyTrue)
	f.If(func(Label) {
		for i := range ops {
			e.roundToOdd(i)
		}
	})
}

// mightBeTie pushes an i64x2 mask of the lanes of the f64x2 in s whose
// rounding to float32 might be a tie.
func (e *exactFMA) mightBeTie(s Local) {
	e.f.Do(
		LocalGet(s), splatI64(midMask), V128And, splatI64(midBits), I64x2Eq,
		LocalGet(s), splatI64(expMask), V128And, splatI64(f32TinyBits), I64x2LtS,
		V128Or,
	)
}

// roundToOdd emits the fix of pair i: s moves one float64 step towards
// the exact sum where the sum was inexact, s is even and below the
// overflow threshold.
func (e *exactFMA) roundToOdd(i int) {
	f, p, c, s, t := e.f, e.p[i], e.c[i], e.s[i], e.t
	f.Do(
		// the two-sum error: t = (p − (s − bb)) + (c − bb), bb = s − p
		LocalGet(s), LocalGet(p), F64x2Sub, LocalSet(t),
		LocalGet(p), LocalGet(s), LocalGet(t), F64x2Sub, F64x2Sub,
		LocalGet(c), LocalGet(t), F64x2Sub, F64x2Add, LocalSet(t),
		LocalGet(s),
		// ±1: +1 moves away from zero (the error has the sum's sign)
		LocalGet(t), LocalGet(s), V128Xor, I32Const(signShift), I64x2ShrS, splatI64(1), V128Or,
		// where the error is not zero …
		LocalGet(t), splatF64(0), F64x2Ne, V128And,
		// … s is even …
		LocalGet(s), I32Const(oddShift), I64x2Shl, I32Const(oddShift), I64x2ShrS, V128Andnot,
		// … and below the threshold (not infinite nor NaN either)
		LocalGet(s), F64x2Abs, splatF64(f32Threshold), F64x2Lt, V128And,
		I64x2Add, LocalSet(s),
	)
}

// rounded pushes pair i's result as float32 values in an f64x2.
func (e *exactFMA) rounded(i int) {
	e.f.Do(LocalGet(e.s[i]), F32x4DemoteF64x2Zero, F64x2PromoteLowF32x4)
}

// demoted pushes the f32x4 of pairs i (lanes 0, 1) and j (lanes 2, 3).
func (e *exactFMA) demoted(i, j int) {
	e.f.Do(
		LocalGet(e.s[i]), F32x4DemoteF64x2Zero,
		LocalGet(e.s[j]), F32x4DemoteF64x2Zero,
		I8x16Shuffle(lanes32(0, 1, 4, 5)),
	)
}

// defineFMA32 emits the module's scalar fma32(a, b, c f32) f32, the same
// rounding for single elements (always through the fix, which is exact
// for every sum; a scalar branch would cost as much).
func defineFMA32(m *Module) *Func {
	f := m.Func("fma32", []ValType{F32, F32, F32}, F32)
	a, b, c := f.Param(0), f.Param(1), f.Param(2)
	p, cf, s, t := f.NewLocal(F64), f.NewLocal(F64), f.NewLocal(F64), f.NewLocal(F64)
	sb := f.NewLocal(I64)
	f.Do(
		LocalGet(a), F64PromoteF32, LocalGet(b), F64PromoteF32, F64Mul, LocalTee(p),
		LocalGet(c), F64PromoteF32, LocalTee(cf), F64Add, LocalTee(s),
		I64ReinterpretF64, LocalSet(sb),
		// t = two-sum error
		LocalGet(s), LocalGet(p), F64Sub, LocalSet(t),
		LocalGet(p), LocalGet(s), LocalGet(t), F64Sub, F64Sub,
		LocalGet(cf), LocalGet(t), F64Sub, F64Add, LocalSet(t),
		// sb += ±1 where the error is not zero, sb is even, |s| below the threshold
		LocalGet(sb),
		LocalGet(t), I64ReinterpretF64, LocalGet(sb), I64Xor, I64Const(signShift), I64ShrS, I64Const(1), I64Or,
		I64Const(0),
		LocalGet(t), F64Const(0), F64Ne,
		LocalGet(sb), I64Const(1), I64And, I64Eqz, I32And,
		LocalGet(s), F64Abs, F64Const(f32Threshold), F64Lt, I32And,
		Select,
		I64Add, F64ReinterpretI64, F32DemoteF64,
	)
	return f
}
