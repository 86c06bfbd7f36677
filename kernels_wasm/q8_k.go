package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Q8_K activations (engine/quant/q8_k.go): 256 elements in 292 bytes, a
// float32 scale d, 256 signed bytes and the 16 int16 sums of each group of
// 16 bytes. quantize_q8_k writes what quant.Quantize(dtype.Q8_K, …) writes,
// bit for bit (llama.cpp's quantize_row_q8_K_ref):
//
//	max := the first element of largest |x| (NaN never counts)
//	if |max| == 0 { the block is all zero bytes; continue }
//	iscale := −127 / max
//	q[j] = int8(min(127, nearestInt(iscale·x[j])))   (int8 keeps the low byte)
//	bsum[g] = Σ q[16g … 16g+15];  d = 1 / iscale
//
// nearestInt is quant's: the bits of float32(v + 1.5·2²³) below the
// exponent, minus 2²². SIMD computes it the same way, lane by lane, in
// float32 (wasm has no fused multiply-add). For a NaN element quant's x86
// arithmetic carries the NaN's payload through, so nearestInt gives its
// low 22 mantissa bits; wasm leaves a NaN result's payload to the engine,
// so those lanes are computed from the element's bits instead.

// QuantizeQ8K is the name of the Q8_K activation quantizer:
// quantize_q8_k(dst, src, n) converts n float32s at src to n/256 Q8_K
// blocks at dst; nothing is written when n is negative or not a multiple
// of 256 (quant.Quantize refuses those).
const QuantizeQ8K = "quantize_q8_k"

const (
	roundMagic = 12582912 // 1.5·2²³: adding it rounds to an integer, ties to even
	mantBits   = 0x007fffff
	mantHalf   = 0x00400000
)

func defineQuantizeQ8K(m *Module) *Func {
	f := m.Func(QuantizeQ8K, []ValType{I32, I32, I32})
	dst, src, n := f.Param(0), f.Param(1), f.Param(2)
	nb, k, p, idx := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	amax, iscale := f.NewLocal(F32), f.NewLocal(F32)
	var mx [4]Local
	for i := range mx {
		mx[i] = f.NewLocal(V128)
	}
	x, isv, qi := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	var qv, part [4]Local
	for i := range qv {
		qv[i], part[i] = f.NewLocal(V128), f.NewLocal(V128)
	}
	absMask := splatI32(0x7fffffff)

	f.Do(
		LocalGet(n), I32Const(qkK-1), I32And,
		LocalGet(n), I32Const(0), I32LtS, I32Or,
	)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(n), I32Const(qkKShift), I32ShrU, LocalSet(nb))

	countdown(f, nb, func() {
		// The largest |x|: pmax(m, a) is m < a ? a : m, so a NaN never
		// replaces m. Four running maxima, 16 elements a step.
		for _, v := range mx {
			f.Do(V128Const([16]byte{}), LocalSet(v))
		}
		f.Do(LocalGet(src), LocalSet(p), I32Const(qkK/16), LocalSet(k))
		countdown(f, k, func() {
			for i, v := range mx {
				f.Do(LocalGet(v), LocalGet(p), V128Load(uint32(16*i)).Align(0), absMask, V128And, F32x4Pmax, LocalSet(v))
			}
			advance(f, p, 64)
		})
		v := mx[0]
		f.Do(
			LocalGet(mx[0]), LocalGet(mx[1]), F32x4Pmax, LocalGet(mx[2]), LocalGet(mx[3]), F32x4Pmax, F32x4Pmax, LocalSet(v),
			LocalGet(v), LocalGet(v), LocalGet(v), I8x16Shuffle(lanes32(2, 3, 0, 1)), F32x4Pmax, LocalSet(v),
			LocalGet(v), LocalGet(v), LocalGet(v), I8x16Shuffle(lanes32(1, 0, 3, 2)), F32x4Pmax,
			F32x4ExtractLane(0), LocalTee(amax), F32Const(0), F32Eq,
		)
		f.IfElse(func(Label) {
			// all zero (or NaN): zero bytes
			f.Do(LocalGet(dst), I32Const(0), I32Const(q8KBlock), MemoryFill())
		}, func(Label) {
			quantizeQ8KBlock(f, dst, src, p, k, idx, f.NewLocal(I32), f.NewLocal(I32), amax, iscale, x, isv, qi, qv, part)
		})
		advance(f, src, 4*qkK)
		advance(f, dst, q8KBlock)
	})
	return f
}

// quantizeQ8KBlock emits the quantization of the block at src (whose
// largest |x| is amax > 0) into dst.
func quantizeQ8KBlock(f *Func, dst, src, p, k, idx, qp, bp, amax, iscale, x, isv, qi Local, qv, part [4]Local) {
	// The first element with |x| = amax: four at a time until one matches.
	f.Do(LocalGet(src), LocalSet(p), I32Const(0), LocalSet(idx))
	f.Block(func(found Label) {
		f.Loop(func(top Label) {
			f.Do(
				LocalGet(p), V128Load(0).Align(0), splatI32(0x7fffffff), V128And,
				LocalGet(amax), F32x4Splat, F32x4Eq, I32x4Bitmask, LocalTee(k),
				BrIf(found),
				LocalGet(idx), I32Const(4), I32Add, LocalSet(idx),
				LocalGet(p), I32Const(16), I32Add, LocalSet(p),
				// amax came from these elements: the loop ends on a match
				// first; the bound only guards against the impossible.
				LocalGet(idx), I32Const(qkK), I32LtU, BrIf(top),
			)
			f.Do(I32Const(0), LocalSet(idx), I32Const(1), LocalSet(k))
		})
	})
	f.Do(
		F32Const(-127),
		LocalGet(src), LocalGet(idx), LocalGet(k), I32Ctz, I32Add, I32Const(2), I32Shl, I32Add, F32Load(0).Align(0),
		F32Div, LocalTee(iscale), F32x4Splat, LocalSet(isv),
		LocalGet(dst), F32Const(1), LocalGet(iscale), F32Div, F32Store(0).Align(0),
	)
	// 64 elements a step: qp steps through the quants, bp through the sums
	f.Do(LocalGet(src), LocalSet(p), LocalGet(dst), LocalTee(qp), LocalSet(bp), I32Const(4), LocalSet(k))
	countdown(f, k, func() {
		// four groups of 16: their bytes, then their sums
		for g := range 4 {
			for l := range 4 {
				quantizeLanes(f, p, uint32(64*g+16*l), x, isv, qi)
				f.Do(LocalSet(qv[l]))
			}
			f.Do(
				LocalGet(qv[0]), LocalGet(qv[1]), I16x8NarrowI32x4U,
				LocalGet(qv[2]), LocalGet(qv[3]), I16x8NarrowI32x4U,
				I8x16NarrowI16x8U, LocalSet(x),
				LocalGet(qp), LocalGet(x), V128Store(uint32(q8KQuants+16*g)).Align(0),
				LocalGet(x), I16x8ExtaddPairwiseI8x16S, I32x4ExtaddPairwiseI16x8S, LocalSet(part[g]),
			)
		}
		sumEachI32(f, part[0], part[1], part[2], part[3], qv[0], qv[1])
		f.Do(LocalTee(x), LocalGet(x), I16x8NarrowI32x4S, LocalSet(x))
		f.Do(LocalGet(bp), LocalGet(x), V128Store64Lane(q8KBsums, 0).Align(0))
		advance(f, p, 4*64)
		advance(f, qp, 64)
		advance(f, bp, 8)
	})
}

// quantizeLanes pushes, for the four float32s at p+off, the low bytes of
// min(127, nearestInt(iscale·x)) as i32 lanes (0–255), as quant computes
// them; x and qi are v128 scratch.
func quantizeLanes(f *Func, p Local, off uint32, x, isv, qi Local) {
	f.Do(
		LocalGet(p), V128Load(off).Align(0), LocalTee(x),
		LocalGet(isv), F32x4Mul,
		V128ConstF32x4(roundMagic, roundMagic, roundMagic, roundMagic), F32x4Add,
		splatI32(mantBits), V128And, splatI32(mantHalf), I32x4Sub,
		splatI32(127), I32x4MinS, LocalSet(qi),
		// a NaN element: its own low 22 mantissa bits
		LocalGet(x), splatI32(mantHalf-1), V128And, splatI32(127), I32x4MinS,
		LocalGet(qi),
		LocalGet(x), LocalGet(x), F32x4Ne,
		V128Bitselect,
		splatI32(0xff), V128And,
	)
}

func registerQ8K(m *Module) { m.ExportFunc(QuantizeQ8K, defineQuantizeQ8K(m)) }
