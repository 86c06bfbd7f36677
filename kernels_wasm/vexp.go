package kernels

import (
	"math"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// ggml's vectorised exp and silu (compute.Exp32, compute.SiLU32), four
// lanes at a time with the same float32 operations:
//
//	z = fma32(x, log₂e, 1.5·2²³);  n = z − 1.5·2²³         (n = round(x·log₂e))
//	b = fma32(−n, c₂, fma32(−n, c₁, x))                    (x − n·ln2 in two parts)
//	u = b·b
//	j = fma32(fma32(fma32(p₅, b, p₄), u, fma32(p₃, b, p₂)), u, fma32(p₁, b, 1))
//	exp = j·2ⁿ rounded once;  0 or +Inf when |n| > 192
//	silu(x) = x / (1 + exp(0 − x))
//
// Between the fused multiply-adds the values stay promoted to float64 (two
// lanes an f64x2), rounded to float32 where the reference rounds: a
// product of two float32s is exact in float64 and demoting it rounds it
// once, and n = z − 1.5·2²³ is exact in both precisions.

// The constants of ggml_v_expf, as float32 values.
const (
	vexpLog2e  float32 = 0x1.715476p+0
	vexpRound  float32 = 0x1.8p23
	vexpLn2Hi  float32 = 0x1.62e4p-1
	vexpLn2Lo  float32 = 0x1.7f7d1cp-20
	vexpP5     float32 = 0x1.0e4020p-7
	vexpP4     float32 = 0x1.573e2ep-5
	vexpP3     float32 = 0x1.555e66p-3
	vexpP2     float32 = 0x1.fffdb6p-2
	vexpP1     float32 = 0x1.ffffecp-1
	vexpMaxExp         = 192 // |n| beyond this gives 0 or +Inf
)

// vexp emits vexpf on f32x4 values inside one function.
type vexp struct {
	f                *Func
	fma              *exactFMA
	x, n, negN, b, u [2]Local // per pair of lanes, f64x2
	q1, q2           [2]Local
	in, lo, hi       Local // v128: the argument, scratch
}

func newVexp(f *Func, fma *exactFMA) *vexp {
	v := &vexp{f: f, fma: fma, in: f.NewLocal(V128), lo: f.NewLocal(V128), hi: f.NewLocal(V128)}
	for h := range 2 {
		v.x[h], v.n[h], v.negN[h], v.b[h], v.u[h] = f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
		v.q1[h], v.q2[h] = f.NewLocal(V128), f.NewLocal(V128)
	}
	return v
}

// get returns an emitFn pushing local l.
func get(f *Func, l Local) emitFn { return func() { f.Do(LocalGet(l)) } }

// constF64 returns an emitFn pushing the float32 c promoted, in both
// lanes.
func constF64(f *Func, c float32) emitFn { return func() { f.Do(splatF64(float64(c))) } }

// promoteHalves emits the f64x2 pairs of the f32x4 local v: lanes 0, 1
// into lo, lanes 2, 3 into hi (lo may be v).
func promoteHalves(f *Func, v Local, lo, hi Local) {
	f.Do(
		LocalGet(v), LocalGet(v), I8x16Shuffle(lanes32(2, 3, 0, 1)), F64x2PromoteLowF32x4, LocalSet(hi),
		LocalGet(v), F64x2PromoteLowF32x4, LocalSet(lo),
	)
}

// lanes pops an f32x4 x and pushes the f32x4 of vexpf(x).
func (v *vexp) lanes() {
	f, e := v.f, v.fma
	f.Do(LocalSet(v.in))
	promoteHalves(f, v.in, v.x[0], v.x[1])
	// two pairs of lanes a step, one tie test for both
	both := func(op func(h int) fmaPair, out [2]Local) {
		e.sums(op(0), op(1))
		for h := range 2 {
			e.rounded(h)
			f.Do(LocalSet(out[h]))
		}
	}
	both(func(h int) fmaPair {
		return fmaPair{get(f, v.x[h]), constF64(f, vexpLog2e), constF64(f, vexpRound)}
	}, v.n)
	for h := range 2 {
		f.Do(
			LocalGet(v.n[h]), splatF64(float64(vexpRound)), F64x2Sub, LocalTee(v.n[h]),
			F64x2Neg, LocalSet(v.negN[h]),
		)
	}
	both(func(h int) fmaPair { return fmaPair{get(f, v.negN[h]), constF64(f, vexpLn2Hi), get(f, v.x[h])} }, v.b)
	both(func(h int) fmaPair { return fmaPair{get(f, v.negN[h]), constF64(f, vexpLn2Lo), get(f, v.b[h])} }, v.b)
	for h := range 2 { // u = b·b, rounded once
		f.Do(LocalGet(v.b[h]), LocalGet(v.b[h]), F64x2Mul, F32x4DemoteF64x2Zero, F64x2PromoteLowF32x4, LocalSet(v.u[h]))
	}
	both(func(h int) fmaPair { return fmaPair{constF64(f, vexpP5), get(f, v.b[h]), constF64(f, vexpP4)} }, v.q1)
	both(func(h int) fmaPair { return fmaPair{constF64(f, vexpP3), get(f, v.b[h]), constF64(f, vexpP2)} }, v.q2)
	both(func(h int) fmaPair { return fmaPair{get(f, v.q1[h]), get(f, v.u[h]), get(f, v.q2[h])} }, v.q1)
	both(func(h int) fmaPair { return fmaPair{constF64(f, vexpP1), get(f, v.b[h]), constF64(f, 1)} }, v.q2)
	e.sums(
		fmaPair{get(f, v.q1[0]), get(f, v.u[0]), get(f, v.q2[0])},
		fmaPair{get(f, v.q1[1]), get(f, v.u[1]), get(f, v.q2[1])},
	)
	// j·2ⁿ, exact in float64 for |n| ≤ 192, rounded once; 0 or +Inf
	// beyond (2ⁿ is garbage there, and unused).
	for h := range 2 {
		e.rounded(h)
		f.Do(
			LocalGet(v.n[h]), I32x4TruncSatF64x2SZero, I64x2ExtendLowI32x4S,
			splatI64(1023), I64x2Add, I32Const(52), I64x2Shl,
			F64x2Mul, LocalSet(v.hi),
			// big exponent ? (n ≤ 0 ? 0 : +Inf) : j·2ⁿ
			splatF64(0), splatF64(math.Inf(1)), LocalGet(v.n[h]), splatF64(0), F64x2Le, V128Bitselect,
			LocalGet(v.hi),
			LocalGet(v.n[h]), F64x2Abs, splatF64(vexpMaxExp), F64x2Gt,
			V128Bitselect,
			F32x4DemoteF64x2Zero,
		)
		if h == 0 {
			f.Do(LocalSet(v.lo))
		}
	}
	f.Do(LocalSet(v.hi), LocalGet(v.lo), LocalGet(v.hi), I8x16Shuffle(lanes32(0, 1, 4, 5)))
}

// silu pops an f32x4 x and pushes x / (1 + vexpf(0 − x)); x is kept in
// the local keep.
func (v *vexp) silu(keep Local) {
	f := v.f
	f.Do(LocalSet(keep), splatF32(0), LocalGet(keep), F32x4Sub)
	v.lanes()
	f.Do(splatF32(1), F32x4Add, LocalSet(v.hi), LocalGet(keep), LocalGet(v.hi), F32x4Div)
}

// reduce16 pushes the float32 sum of the 16 lanes of v[0..3] (lanes 0–3,
// 4–7, 8–11, 12–15) in the order of _mm512_reduce_add_ps (compute.Sum16):
// halves added lane-wise, 16 → 8 → 4 → 2 → 1. v[0] and v[1] are
// overwritten.
func reduce16(f *Func, v [4]Local) {
	f.Do(
		LocalGet(v[2]), LocalGet(v[0]), F32x4Add, LocalSet(v[0]), // lanes 0–3 of 8
		LocalGet(v[3]), LocalGet(v[1]), F32x4Add, // lanes 4–7 of 8
		LocalGet(v[0]), F32x4Add, LocalTee(v[0]), // t4 = t8[4..7] + t8[0..3]
		LocalGet(v[0]), LocalGet(v[0]), I8x16Shuffle(lanes32(2, 3, 0, 1)), F32x4Add, LocalTee(v[1]), // t4[0]+t4[2], t4[1]+t4[3]
		F32x4ExtractLane(0), LocalGet(v[1]), F32x4ExtractLane(1), F32Add,
	)
}
