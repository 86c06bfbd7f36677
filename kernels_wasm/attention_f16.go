package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// attention_f16(dst, q, k, v, n, pos0, heads, kv_heads, dk, dv, k_stride,
// v_stride, scale f32, scratch) is compute.Backend's Attention over an F16
// key/value cache, as llama.cpp's CPU graph computes it (the reference's
// runF16 in engine/compute/ref_attention.go):
//
//	for r < n, h < heads:  kh = h / (heads/kv_heads), nkv = pos0 + r + 1
//	    qh = RoundF16(q[r][h])
//	    s[j] = DotF16Tiled(qh, k[j][kh]) · scale      if n ≥ 2 and dk mod 16 = 0
//	         = DotF16(qh, k[j][kh], false) · scale    otherwise
//	    p = RoundF16(SoftmaxRow(s, padded))
//	    dst[r][h][d] = DotF16Tiled(p, v[·][kh][d])    if n ≥ 2 and dv mod 4 = 0
//	                 = DotF16(p, v[·][kh][d], padded) otherwise
//
// k and v hold IEEE halves: cache row j of k starts at k + 2·j·k_stride
// (k_stride in halves, ≥ kv_heads·dk), of v at v + 2·j·v_stride. q, dst
// and scale are as attention's. scratch is working memory of
// 4·(⌈(pos0+n)/16⌉·16 + 64·dv + dk + (pos0+n)·(dk+dv)) bytes
// (AttentionF16ScratchFloats): the scores, one accumulator row of dv
// floats per lane of the value sums, the rounded query head, and one key
// head's keys and values widened to float32. dst must not overlap q, k, v
// or scratch. Nothing is written unless n, heads, kv_heads, dk, dv > 0,
// pos0 ≥ 0 and kv_heads divides heads.
//
// The work goes by key/value head: its keys and values are widened to
// float32 once (into scratch), then every query row and every query head
// of its group reads them, so a half is converted once per call rather
// than once per query head. A product of two halves is exact in float32,
// so the reference's fused multiply-adds are plain additions here, and the
// lanes are the reference's: 64 (four accumulators of 16) or 16 of them,
// summed in its order; DotF16's remainder after 64 is added in float64.
// As attention does, the value sums go by key: lane l's accumulator row
// takes every key e with e mod L = l (L = 64 or 16), for all dv outputs
// at once.

// KernelAttentionF16 is the F16-cache attention kernel's name.
const KernelAttentionF16 = "attention_f16"

// AttentionF16ScratchFloats is the size of attention_f16's scratch, in
// float32s, for n query rows at pos0 with head sizes dk and dv.
func AttentionF16ScratchFloats(n, pos0, dk, dv int) int {
	return (pos0+n+15)/16*16 + 64*dv + dk + (pos0+n)*(dk+dv)
}

// attentionF16 holds the kernel's locals.
type attentionF16 struct {
	f    *Func
	half *f16
	attentionParams

	group, nAll, accBase, qr, kf, vf, rb, kh, hg, r, h, nkv, qp, dp Local // i32
	cnt, cnt2, first, pe, pv, row, pr, ph, e, src, dstp             Local // i32
	tiledK, tiledV                                                  Local // i32 flags
	s64                                                             Local // f64
	vs, w, ws, lo, hi, x, abs, t                                    Local // v128
	acc                                                             [16]Local
}

func defineAttentionF16(m *Module, fn *actFuncs) *Func {
	f, params := newAttentionFunc(m, KernelAttentionF16)
	a := &attentionF16{f: f, half: newF16(f), attentionParams: params}
	for _, l := range []*Local{&a.group, &a.nAll, &a.accBase, &a.qr, &a.kf, &a.vf, &a.rb, &a.kh, &a.hg, &a.r, &a.h, &a.nkv, &a.qp, &a.dp,
		&a.cnt, &a.cnt2, &a.first, &a.pe, &a.pv, &a.row, &a.pr, &a.ph, &a.e, &a.src, &a.dstp, &a.tiledK, &a.tiledV} {
		*l = f.NewLocal(I32)
	}
	a.s64 = f.NewLocal(F64)
	for _, l := range []*Local{&a.vs, &a.w, &a.ws, &a.lo, &a.hi, &a.x, &a.abs, &a.t} {
		*l = f.NewLocal(V128)
	}
	for i := range a.acc {
		a.acc[i] = f.NewLocal(V128)
	}

	a.returnUnlessValid(f)
	f.Do(
		LocalGet(a.heads), LocalGet(a.kvHeads), I32DivU, LocalSet(a.group),
		LocalGet(a.pos0), LocalGet(a.n), I32Add, LocalSet(a.nAll),
		// scratch: the scores (padded to 16), the accumulators, the query
		// head, then the widened keys and values
		LocalGet(a.nAll), I32Const(15), I32Add, I32Const(-16), I32And, I32Const(2), I32Shl,
		LocalGet(a.scratch), I32Add, LocalTee(a.accBase),
		LocalGet(a.dv), I32Const(8), I32Shl, I32Add, LocalTee(a.qr),
		LocalGet(a.dk), I32Const(2), I32Shl, I32Add, LocalTee(a.kf),
		LocalGet(a.nAll), LocalGet(a.dk), I32Mul, I32Const(2), I32Shl, I32Add, LocalSet(a.vf),
		LocalGet(a.dv), I32Const(2), I32Shl, LocalSet(a.rb),
		// llama.cpp's GEMM takes several rows when the lengths suit it
		LocalGet(a.n), I32Const(2), I32GeS, LocalGet(a.dv), I32Const(3), I32And, I32Eqz, I32And, LocalSet(a.tiledV),
		LocalGet(a.n), I32Const(2), I32GeS, LocalGet(a.dk), I32Const(15), I32And, I32Eqz, I32And, LocalSet(a.tiledK),
		I32Const(0), LocalSet(a.kh),
	)
	f.Loop(func(kvHeads Label) {
		// this key/value head's keys and values, widened
		f.Do(LocalGet(a.kh), LocalGet(a.dk), I32Mul, I32Const(1), I32Shl, LocalGet(a.k), I32Add, LocalSet(a.pv))
		a.widenRows(a.kf, a.dk, a.kStride)
		f.Do(LocalGet(a.kh), LocalGet(a.dv), I32Mul, I32Const(1), I32Shl, LocalGet(a.v), I32Add, LocalSet(a.pv))
		a.widenRows(a.vf, a.dv, a.vStride)
		f.Do(I32Const(0), LocalSet(a.r))
		f.Loop(func(rows Label) {
			f.Do(
				LocalGet(a.pos0), LocalGet(a.r), I32Add, I32Const(1), I32Add, LocalSet(a.nkv),
				I32Const(0), LocalSet(a.hg),
			)
			f.Loop(func(group Label) {
				f.Do(
					// h = kh·group + hg; q[r][h], dst[r][h]
					LocalGet(a.kh), LocalGet(a.group), I32Mul, LocalGet(a.hg), I32Add, LocalSet(a.h),
					LocalGet(a.r), LocalGet(a.heads), I32Mul, LocalGet(a.h), I32Add, LocalTee(a.e),
					LocalGet(a.dk), I32Mul, I32Const(2), I32Shl, LocalGet(a.q), I32Add, LocalSet(a.qp),
					LocalGet(a.e), LocalGet(a.dv), I32Mul, I32Const(2), I32Shl, LocalGet(a.dst), I32Add, LocalSet(a.dp),
				)
				a.roundQuery()
				f.Do(LocalGet(a.tiledK))
				f.IfElse(func(Label) { a.scores(a.dotTiled) }, func(Label) { a.scores(a.dotVec) })
				f.Do(LocalGet(a.scratch), LocalGet(a.scratch), LocalGet(a.nkv), I32Const(1), Call(fn.softmaxRow))
				a.roundProbabilities()
				f.Do(LocalGet(a.tiledV))
				f.IfElse(func(Label) { a.values(16) }, func(Label) { a.values(64) })
				f.Do(LocalGet(a.hg), I32Const(1), I32Add, LocalTee(a.hg), LocalGet(a.group), I32LtS, BrIf(group))
			})
			f.Do(LocalGet(a.r), I32Const(1), I32Add, LocalTee(a.r), LocalGet(a.n), I32LtS, BrIf(rows))
		})
		f.Do(LocalGet(a.kh), I32Const(1), I32Add, LocalTee(a.kh), LocalGet(a.kvHeads), I32LtS, BrIf(kvHeads))
	})
	return f
}

// widen8 sets a.lo and a.hi to the float32 values of halves 0–3 and 4–7
// of the v128 in a.w (quant.F16ToF32's, up to NaN payloads). Most groups
// hold no infinity or NaN: their halves take the short path (with the
// half in a lane's top 16 bits, an arithmetic shift by 3 and a mask leave
// sign | exponent·2²³ | mantissa·2¹³, the float32 of the half's value
// times 2⁻¹¹², subnormals included; times 2¹¹² is the value); a group
// with one takes widenHalves, which also handles exponent 31.
func (a *attentionF16) widen8() {
	f := a.f
	f.Do(LocalGet(a.w), splatI32(0x7c007c00), V128And, splatI32(0x7c007c00), I16x8Eq, V128AnyTrue)
	f.IfElse(func(Label) {
		widenHalves(f, a.w, a.ws, 0)
		f.Do(LocalSet(a.lo))
		widenHalves(f, a.w, a.ws, 1)
		f.Do(LocalSet(a.hi))
	}, func(Label) {
		for i, ext := range []Instr{I32x4ExtendLowI16x8U, I32x4ExtendHighI16x8U} {
			f.Do(
				LocalGet(a.w), ext, I32Const(16), I32x4Shl, I32Const(3), I32x4ShrS, splatI32(0x8fffe000), V128And,
				V128ConstF32x4(0x1p112, 0x1p112, 0x1p112, 0x1p112), F32x4Mul,
				LocalSet([]Local{a.lo, a.hi}[i]),
			)
		}
	})
}

// widenRows widens nAll cache rows of cols halves, the first at pv and
// the next every 2·stride bytes, into float32 rows one after another at
// into.
func (a *attentionF16) widenRows(into, cols, stride Local) {
	f := a.f
	f.Do(LocalGet(into), LocalSet(a.dstp), LocalGet(a.nAll), LocalSet(a.cnt))
	countdown(f, a.cnt, func() {
		f.Do(LocalGet(a.pv), LocalSet(a.src))
		for _, w := range []struct {
			width int
			count func()
		}{
			{8, func() { f.Do(LocalGet(cols), I32Const(3), I32ShrU) }},
			{4, func() { f.Do(LocalGet(cols), I32Const(2), I32ShrU, I32Const(1), I32And) }},
			{1, func() { f.Do(LocalGet(cols), I32Const(3), I32And) }},
		} {
			w.count()
			f.Do(LocalSet(a.cnt2))
			countdown(f, a.cnt2, func() {
				switch w.width {
				case 8:
					f.Do(LocalGet(a.src), V128Load(0).Align(0), LocalSet(a.w))
					a.widen8()
					f.Do(LocalGet(a.dstp), LocalGet(a.lo), V128Store(0).Align(0), LocalGet(a.dstp), LocalGet(a.hi), V128Store(16).Align(0))
				case 4:
					f.Do(LocalGet(a.src), V128Load64Zero(0).Align(0), LocalSet(a.w))
					a.widen8()
					f.Do(LocalGet(a.dstp), LocalGet(a.lo), V128Store(0).Align(0))
				case 1:
					f.Do(LocalGet(a.dstp), LocalGet(a.src), I32Load16U(0).Align(0))
					a.half.scalar()
					f.Do(F32Store(0).Align(0))
				}
				advance(f, a.src, int32(2*w.width))
				advance(f, a.dstp, int32(4*w.width))
			})
		}
		f.Do(LocalGet(a.pv), LocalGet(stride), I32Const(1), I32Shl, I32Add, LocalSet(a.pv))
	})
}

// roundLanes pops an f32x4 and pushes its lanes rounded to halves and
// widened back (RoundF16).
func (a *attentionF16) roundLanes() {
	halfLanes(a.f, a.x, a.abs, a.t)
	a.half.lanes()
}

// roundQuery writes RoundF16 of q[r][h] (dk floats at qp) to qr.
func (a *attentionF16) roundQuery() {
	f := a.f
	f.Do(LocalGet(a.qr), LocalSet(a.pr), LocalGet(a.qp), LocalSet(a.pe))
	eachChunk(f, a.dk, a.cnt2, []Local{a.pr, a.pe}, func(c chunkOps) {
		f.Do(LocalGet(a.pr), LocalGet(a.pe), c.load)
		a.roundLanes()
		f.Do(c.store)
	})
}

// roundProbabilities rounds the nkv probabilities at scratch to halves in
// place, in whole groups of 16 (softmax_row wrote zeros up to the next
// multiple of 16; they stay zeros).
func (a *attentionF16) roundProbabilities() {
	f := a.f
	f.Do(LocalGet(a.scratch), LocalSet(a.pe), LocalGet(a.nkv), I32Const(15), I32Add, I32Const(2), I32ShrU, I32Const(-4), I32And, LocalSet(a.cnt))
	countdown(f, a.cnt, func() {
		f.Do(LocalGet(a.pe), LocalGet(a.pe), V128Load(0).Align(0))
		a.roundLanes()
		f.Do(V128Store(0).Align(0))
		advance(f, a.pe, 16)
	})
}

// scores writes s[j] = dot(qh, k[j])·scale for j < nkv at scratch, dot
// pushing the product of qr and the widened key row at pv.
func (a *attentionF16) scores(dot func()) {
	f := a.f
	f.Do(LocalGet(a.scratch), LocalSet(a.pe), LocalGet(a.nkv), LocalSet(a.cnt), LocalGet(a.kf), LocalSet(a.pv))
	countdown(f, a.cnt, func() {
		f.Do(LocalGet(a.pe))
		dot()
		f.Do(
			LocalGet(a.scale), F32Mul, F32Store(0).Align(0),
			LocalGet(a.pv), LocalGet(a.dk), I32Const(2), I32Shl, I32Add, LocalSet(a.pv),
		)
		advance(f, a.pe, 4)
	})
}

// dotBlocks emits the lanes of a dot product of qr and the key row at pv
// over cnt2 blocks of 4·vectors floats into acc[0 … vectors−1]: the first
// block's products as they are, the later ones added. A lane of the
// reference starts at +0, so its first term is 0 + q·k: it differs from
// the plain product only in giving +0 for a −0 product, which can reach
// the dot product only as the sign of a zero sum, and adding +0 to the
// sum (the caller does) settles that the same way.
func (a *attentionF16) dotBlocks(vectors int) {
	f := a.f
	block := func(first bool) {
		for m := range vectors {
			if !first {
				f.Do(LocalGet(a.acc[m]))
			}
			f.Do(LocalGet(a.pr), V128Load(16*uint32(m)).Align(0), LocalGet(a.ph), V128Load(16*uint32(m)).Align(0), F32x4Mul)
			if !first {
				f.Do(F32x4Add)
			}
			f.Do(LocalSet(a.acc[m]))
		}
		advance(f, a.pr, int32(16*vectors))
		advance(f, a.ph, int32(16*vectors))
	}
	f.Do(LocalGet(a.cnt2))
	f.IfElse(func(Label) {
		block(true)
		f.Do(LocalGet(a.cnt2), I32Const(1), I32Sub, LocalSet(a.cnt2))
		countdown(f, a.cnt2, func() { block(false) })
	}, func(Label) {
		for m := range vectors {
			f.Do(V128Const([16]byte{}), LocalSet(a.acc[m]))
		}
	})
}

// dotVec pushes DotF16(qr, the key row at pv, false) over dk elements: 64
// lanes (acc[m] holds lanes 4m … 4m+3; accumulator j of the reference is
// acc[4j … 4j+3]) over whole blocks of 64, combined as (0+2)+(1+3) and
// summed by Sum16, then the remaining dk mod 64 products added in float64.
func (a *attentionF16) dotVec() {
	f := a.f
	f.Do(LocalGet(a.qr), LocalSet(a.pr), LocalGet(a.pv), LocalSet(a.ph), LocalGet(a.dk), I32Const(6), I32ShrU, LocalSet(a.cnt2))
	a.dotBlocks(16)
	for t := range 4 {
		f.Do(
			LocalGet(a.acc[t]), LocalGet(a.acc[8+t]), F32x4Add,
			LocalGet(a.acc[4+t]), LocalGet(a.acc[12+t]), F32x4Add,
			F32x4Add, LocalSet(a.acc[t]),
		)
	}
	reduce16(f, [4]Local{a.acc[0], a.acc[1], a.acc[2], a.acc[3]})
	f.Do(F32Const(0), F32Add, F64PromoteF32, LocalSet(a.s64), LocalGet(a.dk), I32Const(63), I32And, LocalSet(a.cnt2))
	countdown(f, a.cnt2, func() {
		f.Do(
			LocalGet(a.s64), LocalGet(a.pr), F32Load(0).Align(0), LocalGet(a.ph), F32Load(0).Align(0),
			F32Mul, F64PromoteF32, F64Add, LocalSet(a.s64),
		)
		advance(f, a.pr, 4)
		advance(f, a.ph, 4)
	})
	f.Do(LocalGet(a.s64), F32DemoteF64)
}

// dotTiled pushes DotF16Tiled(qr, the key row at pv) over dk elements (a
// multiple of 16): 16 lanes in acc[0 … 3], summed by Sum16.
func (a *attentionF16) dotTiled() {
	f := a.f
	f.Do(LocalGet(a.qr), LocalSet(a.pr), LocalGet(a.pv), LocalSet(a.ph), LocalGet(a.dk), I32Const(4), I32ShrU, LocalSet(a.cnt2))
	a.dotBlocks(4)
	reduce16(f, [4]Local{a.acc[0], a.acc[1], a.acc[2], a.acc[3]})
	f.Do(F32Const(0), F32Add)
}

// thirtyTwoLanes is a step of eight vectors (32 floats).
var thirtyTwoLanes = chunkOps{128, 8, V128Load(0).Align(0), V128Store(0).Align(0)}

// values emits the value sums of one (row, head) with L lanes (16: the
// tiled order, 64: DotF16's, padded), from the rounded probabilities at
// scratch and the widened values at vf into dp. Lane l's accumulator row
// is built in registers, a step of up to 32 outputs at a time: keys l,
// l+L, l+2L … added in order to zeros (so a lane's first term is 0 + p·v,
// as the reference's; a lane no key reaches stays zero), then stored.
func (a *attentionF16) values(L int32) {
	f := a.f
	f.Do(LocalGet(a.accBase), LocalSet(a.pr), LocalGet(a.vf), LocalSet(a.ph))
	eachChunk(f, a.dv, a.cnt2, []Local{a.pr, a.ph}, func(c chunkOps) {
		f.Do(LocalGet(a.pr), LocalSet(a.row), I32Const(0), LocalSet(a.first), I32Const(L), LocalSet(a.cnt))
		countdown(f, a.cnt, func() { // lane first = 0 … L−1, its row at row
			for j := range c.vectors {
				f.Do(V128Const([16]byte{}), LocalSet(a.acc[j]))
			}
			f.Do(
				LocalGet(a.first), LocalSet(a.e),
				LocalGet(a.first), I32Const(2), I32Shl, LocalGet(a.scratch), I32Add, LocalSet(a.pe),
				LocalGet(a.first), LocalGet(a.rb), I32Mul, LocalGet(a.ph), I32Add, LocalSet(a.pv),
			)
			f.Block(func(done Label) {
				f.Loop(func(keys Label) {
					f.Do(LocalGet(a.e), LocalGet(a.nkv), I32GeS, BrIf(done))
					f.Do(LocalGet(a.pe), V128Load32Splat(0).Align(0), LocalSet(a.vs))
					for j := range c.vectors {
						f.Do(LocalGet(a.acc[j]), LocalGet(a.pv), c.at(c.load, j), LocalGet(a.vs), F32x4Mul, F32x4Add, LocalSet(a.acc[j]))
					}
					f.Do(
						LocalGet(a.e), I32Const(L), I32Add, LocalSet(a.e),
						LocalGet(a.pe), I32Const(4*L), I32Add, LocalSet(a.pe),
						LocalGet(a.pv), LocalGet(a.rb), I32Const(L), I32Mul, I32Add, LocalSet(a.pv),
						Br(keys),
					)
				})
			})
			for j := range c.vectors {
				f.Do(LocalGet(a.row), LocalGet(a.acc[j]), c.at(c.store, j))
			}
			f.Do(LocalGet(a.row), LocalGet(a.rb), I32Add, LocalSet(a.row))
			advance(f, a.first, 1)
		})
	}, thirtyTwoLanes, fourLanes, oneLane)
	// the lanes summed, for all outputs at once
	sumValueLanes(f, L, a.accBase, a.dp, a.dv, a.rb, a.pr, a.ph, a.cnt2, a.acc)
}
