package kernels

import (
	"math"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// expfLanes emits expf (expf.go) on pairs of lanes, inline: the same
// steps in f64x2, so each lane gets the scalar expf's bits. Lanes below
// expUnderflow are computed from expUnderflow and then replaced by 0, as
// the scalar returns 0 there; a group with a lane that is NaN or at least
// expOverflow goes through the scalar expf instead (the vision encoder's
// softmax exponents are ≤ 0, so that happens only for NaN).
//
// The polynomial is a chain of dependent multiply-adds: several pairs go
// through each step together, so that their chains overlap. Measured
// under Node 20 on self_attention's 1024×1024 scores of one head: the
// exponentials take ~6 ms four pairs at a time, ~10 ms one pair at a
// time (and eight pairs gain ~1 ms more).
type expfLanes struct {
	f                                   *Func
	expf                                *Func
	X, k, rhi, rlo, r, s, p, t, H, L, S []Local // v128, one per pair
}

func newExpfLanes(f *Func, expf *Func, pairs int) *expfLanes {
	e := &expfLanes{f: f, expf: expf}
	for _, l := range []*[]Local{&e.X, &e.k, &e.rhi, &e.rlo, &e.r, &e.s, &e.p, &e.t, &e.H, &e.L, &e.S} {
		*l = make([]Local, pairs)
		for i := range *l {
			(*l)[i] = f.NewLocal(V128)
		}
	}
	return e
}

// group replaces the 2·pairs float32s x at p (pairs ≤ the pairs
// newExpfLanes was given) by expf(x − m), m an f32 local (the difference
// rounded to float32).
func (e *expfLanes) group(p, m Local, pairs int) {
	f := e.f
	for i := range pairs {
		f.Do(LocalGet(p), V128Load64Zero(uint32(8*i)).Align(0), LocalGet(m), F32x4Splat, F32x4Sub, F64x2PromoteLowF32x4, LocalTee(e.X[i]),
			splatF64(expOverflow), F64x2Lt)
		if i > 0 {
			f.Do(V128And)
		}
	}
	f.Do(I64x2AllTrue)
	f.IfElse(func(Label) {
		e.lanes(pairs)
		for i := range pairs {
			f.Do(LocalGet(p), LocalGet(e.S[i]), V128Store64Lane(uint32(8*i), 0).Align(0))
		}
	}, func(Label) {
		for i := range 2 * pairs {
			f.Do(LocalGet(p), LocalGet(p), F32Load(uint32(4*i)).Align(0), LocalGet(m), F32Sub, Call(e.expf), F32Store(uint32(4*i)).Align(0))
		}
	})
}

// lanes sets S[i] to the f32x4 whose lanes 0 and 1 are expf of X[i]'s
// two lanes (each finite or −∞, below expOverflow), for i < pairs.
func (e *expfLanes) lanes(pairs int) {
	f := e.f
	each := func(step func(i int)) {
		for i := range pairs {
			step(i)
		}
	}
	each(func(i int) {
		f.Do(
			LocalGet(e.X[i]), splatF64(expUnderflow), F64x2Max, LocalSet(e.r[i]), // the lane's input, clamped
			LocalGet(e.r[i]), splatF64(math.Log2E), F64x2Mul, F64x2Nearest, LocalSet(e.k[i]),
		)
	})
	each(func(i int) {
		f.Do(
			LocalGet(e.r[i]), LocalGet(e.k[i]), splatF64(expLn2Hi), F64x2Mul, F64x2Sub, LocalSet(e.rhi[i]),
			LocalGet(e.k[i]), splatF64(expLn2Lo), F64x2Mul, F64x2Neg, LocalSet(e.rlo[i]),
		)
	})
	each(func(i int) {
		f.Do(
			LocalGet(e.rhi[i]), LocalGet(e.rlo[i]), F64x2Add, LocalSet(e.r[i]),
			splatF64(1), LocalGet(e.rhi[i]), F64x2Add, LocalSet(e.s[i]),
			splatF64(expTaylor[len(expTaylor)-1]), LocalSet(e.p[i]),
		)
	})
	for c := len(expTaylor) - 2; c >= 2; c-- {
		each(func(i int) {
			f.Do(LocalGet(e.p[i]), LocalGet(e.r[i]), F64x2Mul, splatF64(expTaylor[c]), F64x2Add, LocalSet(e.p[i]))
		})
	}
	each(func(i int) {
		f.Do(
			splatF64(1), LocalGet(e.s[i]), F64x2Sub, LocalGet(e.rhi[i]), F64x2Add, LocalGet(e.rlo[i]), F64x2Add,
			LocalGet(e.r[i]), LocalGet(e.r[i]), F64x2Mul, LocalGet(e.p[i]), F64x2Mul, F64x2Add, LocalTee(e.t[i]),
			LocalGet(e.s[i]), F64x2Add, LocalSet(e.H[i]),
		)
	})
	each(func(i int) {
		f.Do(
			LocalGet(e.t[i]), LocalGet(e.H[i]), LocalGet(e.s[i]), F64x2Sub, F64x2Sub, LocalSet(e.L[i]),
			// 2^k (k fits an i32), in s
			LocalGet(e.k[i]), I32x4TruncSatF64x2SZero, I64x2ExtendLowI32x4S, splatI64(1023), I64x2Add, I32Const(52), I64x2Shl, LocalSet(e.s[i]),
		)
	})
	each(func(i int) {
		f.Do(
			LocalGet(e.H[i]), LocalGet(e.s[i]), F64x2Mul, LocalSet(e.H[i]),
			LocalGet(e.L[i]), LocalGet(e.s[i]), F64x2Mul, LocalSet(e.L[i]),
		)
	})
	each(func(i int) {
		f.Do(LocalGet(e.H[i]), LocalGet(e.L[i]), F64x2Add, LocalTee(e.S[i]), LocalGet(e.H[i]), F64x2Sub, LocalSet(e.t[i]))
	})
	each(func(i int) {
		f.Do(
			LocalGet(e.H[i]), LocalGet(e.S[i]), LocalGet(e.t[i]), F64x2Sub, F64x2Sub,
			LocalGet(e.L[i]), LocalGet(e.t[i]), F64x2Sub, F64x2Add, LocalSet(e.t[i]),
		)
	})
	each(func(i int) {
		S, t := e.S[i], e.t[i]
		f.Do(
			// round to odd: ±1 toward t's sign when t ≠ 0 and S's last bit is 0
			LocalGet(S),
			LocalGet(t), LocalGet(S), V128Xor, I32Const(signShift), I64x2ShrS, splatI64(1), V128Or,
			LocalGet(t), splatF64(0), F64x2Ne,
			LocalGet(S), splatI64(1), V128And, splatI64(0), I64x2Eq, V128And,
			V128And, I64x2Add,
			// 0 below the range
			splatF64(0), LocalGet(e.X[i]), splatF64(expUnderflow), F64x2Ge, V128Bitselect,
			F32x4DemoteF64x2Zero, LocalSet(S),
		)
	})
}
