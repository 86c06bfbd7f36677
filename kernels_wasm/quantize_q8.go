package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// quantize_q8_0(dst, src, n) and quantize_q8_1(dst, src, n) convert one
// activation row of n float32s to Q8_0 or Q8_1 blocks, bit for bit
// quant.Quantize, which reproduces llama.cpp's x86 AVX quantizers. Per
// block of 32:
//
//	amax := the largest |x[j]|, found by AVX maxps (a > b ? a : b) over
//	        two groups of four lanes, then a tree (the order decides which
//	        NaN, if any, wins)
//	d    := amax/127, stored as F16
//	id   := 127/amax, or 0 when amax is 0
//	q[j] := round half to even of x[j]·id, as cvtps2dq: NaN and values
//	        out of the int32 range give math.MinInt32; then saturated to
//	        int8 as packssdw + packsswb do
//	Q8_1 also stores d·Σq as F16, the sum taken over the int32 values
//	before saturation.
//
// maxps(a, b) is f32x4.pmax(b, a). f32x4.nearest rounds like cvtps2dq; its
// out-of-range results are fixed up to math.MinInt32 after
// i32x4.trunc_sat_f32x4_s (which would give 0 or math.MaxInt32), and the
// two narrowings saturate like the x86 packs. Nothing is written when n is
// negative or not a multiple of 32.

// registerQuantizeQ8 defines and exports quantize_q8_0 and quantize_q8_1.
func registerQuantizeQ8(m *Module) {
	m.ExportFunc(QuantizeQ8_0, defineQuantizeQ8(m, QuantizeQ8_0, actQ8_0, false))
	m.ExportFunc(QuantizeQ8_1, defineQuantizeQ8(m, QuantizeQ8_1, actQ8_1, true))
}

func defineQuantizeQ8(m *Module, name string, act actFormat, withSum bool) *Func {
	f := m.Func(name, []ValType{I32, I32, I32})
	dst, src, n := f.Param(0), f.Param(1), f.Param(2)
	nb, amax, a, b := f.NewLocal(I32), f.NewLocal(F32), f.NewLocal(F32), f.NewLocal(F32)
	var v, qi [8]Local
	for i := range v {
		v[i], qi[i] = f.NewLocal(V128), f.NewLocal(V128)
	}
	lo, hi, id, r, sum := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	narrow := newF16Narrow(f)

	rejectBadLength(f, n, func() { f.Do(Return) })
	f.Do(LocalGet(n), I32Const(blockShift), I32ShrU, LocalSet(nb))
	maxps := func(acc Local, operand func()) { // acc = maxps(acc, operand)
		operand()
		f.Do(LocalGet(acc), F32x4Pmax, LocalSet(acc))
	}
	countdown(f, nb, func() {
		for i, vi := range v {
			f.Do(LocalGet(src), V128Load(uint32(16*i)).Align(0), LocalSet(vi))
		}
		// Lanes 0–3 and 4–7 of the 8-wide AVX maximum.
		f.Do(LocalGet(v[0]), F32x4Abs, LocalSet(lo), LocalGet(v[1]), F32x4Abs, LocalSet(hi))
		for i := 2; i < 8; i += 2 {
			maxps(lo, func() { f.Do(LocalGet(v[i]), F32x4Abs) })
			maxps(hi, func() { f.Do(LocalGet(v[i+1]), F32x4Abs) })
		}
		// m4 = maxps(hi, lo); then maxps(m4[0], m4[2]), maxps(m4[1], m4[3]);
		// then maxps of those two.
		maxps(hi, func() { f.Do(LocalGet(lo)) })
		maxps(hi, func() { f.Do(LocalGet(hi), LocalGet(hi), I8x16Shuffle(lanes32(2, 3, 2, 3))) })
		f.Do(
			LocalGet(hi), F32x4ExtractLane(0), LocalTee(a),
			LocalGet(hi), F32x4ExtractLane(1), LocalTee(b),
			LocalGet(a), LocalGet(b), F32Gt, Select, LocalSet(amax),
		)
		// d as F16; id.
		f.Do(LocalGet(dst), LocalGet(amax), F32Const(127), F32Div)
		narrow.scalar()
		f.Do(I32Store16(0).Align(0))
		f.Do(
			F32Const(127), LocalGet(amax), F32Div, F32Const(0),
			LocalGet(amax), F32Const(0), F32Ne, Select,
			F32x4Splat, LocalSet(id),
		)
		for i, vi := range v {
			f.Do(
				LocalGet(vi), LocalGet(id), F32x4Mul, F32x4Nearest, LocalTee(r),
				I32x4TruncSatF32x4S,
				splatI32(0x80000000),
				LocalGet(r), V128ConstF32x4(0x1p31, 0x1p31, 0x1p31, 0x1p31), F32x4Lt,
				V128Bitselect, LocalSet(qi[i]),
			)
		}
		for h := 0; h < 2; h++ {
			q := qi[4*h:]
			f.Do(
				LocalGet(dst),
				LocalGet(q[0]), LocalGet(q[1]), I16x8NarrowI32x4S,
				LocalGet(q[2]), LocalGet(q[3]), I16x8NarrowI32x4S,
				I8x16NarrowI16x8S,
				V128Store(act.quants+16*uint32(h)).Align(0),
			)
		}
		if withSum {
			f.Do(LocalGet(qi[0]))
			for _, q := range qi[1:] {
				f.Do(LocalGet(q), I32x4Add)
			}
			f.Do(LocalSet(sum))
			f.Do(LocalGet(dst))
			sumLanesI32(f, sum)
			f.Do(F32ConvertI32S, LocalGet(amax), F32Const(127), F32Div, F32Mul)
			narrow.scalar()
			f.Do(I32Store16(act.sum).Align(0))
		}
		advance(f, src, 4*blockElems)
		advance(f, dst, int32(act.bytes))
	})
	return f
}
