package kernels

import (
	"math"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// expf is libm's expf as the reference takes it (compute.Expf,
// float32(math.Exp(float64(x)))), which ggml uses on the elements of a row
// beyond its last whole group of 16. WebAssembly has no exp, so the kernel
// computes e^x to about 2⁻⁵⁶ relative and rounds that once to float32:
//
//	k = round(x·log₂e), r = x − k·ln2 as rhi + rlo (ln2's high part has
//	    32 significant bits, so k·ln2hi and rhi are exact)
//	e^r = 1 + r + r²·P(r), P the Taylor polynomial of degree 12
//	    (|r| ≤ 0.35: truncation below 2⁻⁵⁷), its leading 1 + rhi and the
//	    small terms kept as an unevaluated sum H + L
//	2^k·(H + L) rounded to float32 through round-to-odd (see fma32.go)
//
// Tested against float32(math.Exp(float64(x))) on every float32 in
// [−104.5, 89] (expf_test.go; about 2.2·10⁹ values): identical.

var (
	// expLn2Hi is ln 2 with its low 21 significand bits cleared.
	expLn2Hi = math.Float64frombits(math.Float64bits(math.Ln2) &^ (1<<21 - 1))
	// expLn2Lo is ln 2 − expLn2Hi to double precision (math.Ln2 is ln 2
	// rounded; its error is ln2Error).
	expLn2Lo = (math.Ln2 - expLn2Hi) + ln2Error
)

const (
	ln2Error = 2.319046813846299558e-17 // ln 2 − float64(ln 2)
	// expOverflow and expUnderflow bound the computed range: e^x rounds
	// to +Inf above the first and to 0 below the second.
	expOverflow  = 89
	expUnderflow = -104.5
)

// expTaylor[i] = 1/i! for the polynomial's coefficients.
var expTaylor = [...]float64{
	1, 1, 1.0 / 2, 1.0 / 6, 1.0 / 24, 1.0 / 120, 1.0 / 720, 1.0 / 5040, 1.0 / 40320,
	1.0 / 362880, 1.0 / 3628800, 1.0 / 39916800, 1.0 / 479001600, 1.0 / 6227020800, 1.0 / 87178291200,
}

// defineExpf emits the module's expf(x f32) f32.
func defineExpf(m *Module) *Func {
	f := m.Func("expf", []ValType{F32}, F32)
	x := f.Param(0)
	X, k, rhi, rlo, r, s, p, H, L, sc, S, t := f.NewLocal(F64), f.NewLocal(F64), f.NewLocal(F64), f.NewLocal(F64),
		f.NewLocal(F64), f.NewLocal(F64), f.NewLocal(F64), f.NewLocal(F64), f.NewLocal(F64), f.NewLocal(F64),
		f.NewLocal(F64), f.NewLocal(F64)
	sb := f.NewLocal(I64)

	f.Do(LocalGet(x), F64PromoteF32, LocalTee(X), LocalGet(X), F64Ne)
	f.If(func(Label) { f.Do(LocalGet(x), Return) }) // NaN
	f.Do(LocalGet(X), F64Const(expOverflow), F64Ge)
	f.If(func(Label) { f.Do(F32Const(float32(math.Inf(1))), Return) })
	f.Do(LocalGet(X), F64Const(expUnderflow), F64Lt)
	f.If(func(Label) { f.Do(F32Const(0), Return) })
	f.Do(
		LocalGet(X), F64Const(math.Log2E), F64Mul, F64Nearest, LocalSet(k),
		LocalGet(X), LocalGet(k), F64Const(expLn2Hi), F64Mul, F64Sub, LocalSet(rhi),
		LocalGet(k), F64Const(expLn2Lo), F64Mul, F64Neg, LocalSet(rlo),
		LocalGet(rhi), LocalGet(rlo), F64Add, LocalSet(r),
		// s = 1 + rhi and its exact error (|rhi| < 1)
		F64Const(1), LocalGet(rhi), F64Add, LocalSet(s),
		F64Const(expTaylor[len(expTaylor)-1]), LocalSet(p),
	)
	for i := len(expTaylor) - 2; i >= 2; i-- {
		f.Do(LocalGet(p), LocalGet(r), F64Mul, F64Const(expTaylor[i]), F64Add, LocalSet(p))
	}
	f.Do(
		// tail = ((1 − s) + rhi) + rlo + r·r·p
		F64Const(1), LocalGet(s), F64Sub, LocalGet(rhi), F64Add, LocalGet(rlo), F64Add,
		LocalGet(r), LocalGet(r), F64Mul, LocalGet(p), F64Mul, F64Add, LocalTee(t),
		// H + L = s + tail exactly (|s| ≥ |tail|)
		LocalGet(s), F64Add, LocalSet(H),
		LocalGet(t), LocalGet(H), LocalGet(s), F64Sub, F64Sub, LocalSet(L),
		// times 2^k (k ≥ −151: exact)
		LocalGet(k), I64TruncF64S, I64Const(1023), I64Add, I64Const(52), I64Shl, F64ReinterpretI64, LocalSet(sc),
		LocalGet(H), LocalGet(sc), F64Mul, LocalSet(H),
		LocalGet(L), LocalGet(sc), F64Mul, LocalSet(L),
		// S = H + L, t its error
		LocalGet(H), LocalGet(L), F64Add, LocalTee(S), LocalGet(H), F64Sub, LocalSet(t),
		LocalGet(H), LocalGet(S), LocalGet(t), F64Sub, F64Sub,
		LocalGet(L), LocalGet(t), F64Sub, F64Add, LocalSet(t),
		// round to odd, then to float32
		LocalGet(S), I64ReinterpretF64, LocalTee(sb),
		LocalGet(t), I64ReinterpretF64, LocalGet(sb), I64Xor, I64Const(signShift), I64ShrS, I64Const(1), I64Or,
		I64Const(0),
		LocalGet(t), F64Const(0), F64Ne,
		LocalGet(sb), I64Const(1), I64And, I64Eqz, I32And,
		Select,
		I64Add, F64ReinterpretI64, F32DemoteF64,
	)
	return f
}
