package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// attention(dst, q, k, v, n, pos0, heads, kv_heads, dk, dv, k_stride,
// v_stride, scale f32, scratch) is compute.Backend's Attention: causal
// grouped-query attention of n query rows at positions pos0 … pos0+n−1
// over the key and value cache rows, in the float operations of
// ref_attention.go:
//
//	for r < n, h < heads:  kh = h / (heads/kv_heads), nkv = pos0 + r + 1
//	    s[j] = DotF32(q[r][h], k[j][kh], false) · scale      for j < nkv
//	    p = SoftmaxRow(s, padded)
//	    dst[r][h][d] = DotF32Tiled(p, v[·][kh][d])       if n ≥ 2 and dv mod 4 = 0
//	                 = DotF32(p, v[·][kh][d], padded)    otherwise
//
// q rows hold heads·dk floats, dst rows heads·dv; cache row j of k starts
// at k + 4·j·k_stride (k_stride in floats, ≥ kv_heads·dk), of v at
// v + 4·j·v_stride. scratch is working memory of
// 4·(⌈(pos0+n)/16⌉·16 + 64·dv) bytes: the scores, then one accumulator row
// of dv floats per lane of the value sums. dst must not overlap q, k, v or
// scratch. Nothing is written unless n, heads, kv_heads, dk, dv > 0,
// pos0 ≥ 0 and kv_heads divides heads.
//
// The value sums go by key instead of by output: lane l of the reference's
// dot product (key e with e mod 64 = l, or mod 16 when tiled) is row l of
// the accumulators, updated for all dv outputs at once with four-lane
// fused multiply-adds; the lanes are then summed in the reference's order,
// again across outputs. A lane's first term is a plain rounded product
// (FMA32(p, v, 0)), the later ones exact FMA32s.

// KernelAttention is the attention kernel's name.
const KernelAttention = "attention"

// defineDotF32x64 emits the internal dot_f32x64(x, y, n) f32, the
// reference's DotF32(x, y, false): four 16-lane accumulators over blocks
// of 64 elements (element e in lane e mod 16 of accumulator e/16 mod 4),
// combined as (0+2)+(1+3) and summed by Sum16, then the last n mod 64
// products added one by one, all with FMA32.
//
// The first block's FMA32(x, y, +0) are plain products: they differ from
// it only in giving −0 where it gives +0, a difference that can only reach
// the sum as the sign of a zero, which adding +0 to the sum then undoes.
func defineDotF32x64(m *Module, fma32 *Func) *Func {
	f := m.Func("dot_f32x64", []ValType{I32, I32, I32}, F32)
	x, y, n := f.Param(0), f.Param(1), f.Param(2)
	blocks, s := f.NewLocal(I32), f.NewLocal(F32)
	var acc [16]Local // accumulator j, lanes 4t…4t+3 in acc[4j+t]
	for i := range acc {
		acc[i] = f.NewLocal(V128)
	}
	var hx, hy, hc [4]Local // promoted halves of two vectors
	for i := range hx {
		hx[i], hy[i], hc[i] = f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	}
	e := newExactFMA(f)

	f.Do(LocalGet(n), I32Const(6), I32ShrS, LocalTee(blocks), I32Const(0), I32GtS)
	f.If(func(Label) {
		for i := range acc {
			f.Do(LocalGet(x), V128Load(16*uint32(i)).Align(0), LocalGet(y), V128Load(16*uint32(i)).Align(0), F32x4Mul, LocalSet(acc[i]))
		}
		f.Do(LocalGet(blocks), I32Const(1), I32Sub, LocalSet(blocks))
		countdown(f, blocks, func() {
			advance(f, x, 256)
			advance(f, y, 256)
			for i := 0; i < len(acc); i += 2 {
				for j := range 2 {
					f.Do(LocalGet(x), V128Load(16*uint32(i+j)).Align(0), LocalSet(hx[2*j]))
					f.Do(LocalGet(y), V128Load(16*uint32(i+j)).Align(0), LocalSet(hy[2*j]))
					promoteHalves(f, hx[2*j], hx[2*j], hx[2*j+1])
					promoteHalves(f, hy[2*j], hy[2*j], hy[2*j+1])
					promoteHalves(f, acc[i+j], hc[2*j], hc[2*j+1])
				}
				e.sums(
					fmaPair{get(f, hx[0]), get(f, hy[0]), get(f, hc[0])},
					fmaPair{get(f, hx[1]), get(f, hy[1]), get(f, hc[1])},
					fmaPair{get(f, hx[2]), get(f, hy[2]), get(f, hc[2])},
					fmaPair{get(f, hx[3]), get(f, hy[3]), get(f, hc[3])},
				)
				e.demoted(0, 1)
				f.Do(LocalSet(acc[i]))
				e.demoted(2, 3)
				f.Do(LocalSet(acc[i+1]))
			}
		})
		// (0+2) + (1+3), lanes 4t…4t+3 of the sum in acc[t]
		for t := range 4 {
			f.Do(
				LocalGet(acc[t]), LocalGet(acc[8+t]), F32x4Add,
				LocalGet(acc[4+t]), LocalGet(acc[12+t]), F32x4Add,
				F32x4Add, LocalSet(acc[t]),
			)
		}
		reduce16(f, [4]Local{acc[0], acc[1], acc[2], acc[3]})
		f.Do(F32Const(0), F32Add, LocalSet(s))
		advance(f, x, 256)
		advance(f, y, 256)
	})
	// the rest, one by one
	f.Do(LocalGet(n), I32Const(63), I32And, LocalSet(blocks))
	countdown(f, blocks, func() {
		f.Do(LocalGet(x), F32Load(0).Align(0), LocalGet(y), F32Load(0).Align(0), LocalGet(s), Call(fma32), LocalSet(s))
		advance(f, x, 4)
		advance(f, y, 4)
	})
	f.Do(LocalGet(s))
	return f
}

// attentionLocals are the locals of the attention kernel.
type attentionLocals struct {
	attentionParams

	group, accBase, rb, r, h, nkv, kh, qp, dp, vp, kp   Local // i32
	j, cnt, first, pe, pv, row, pr, pvv, cnt2, e, tiled Local // i32
	pd, vs                                              Local // f64x2, f32x4 splats of a probability
	hv, hc                                              [4]Local
	t                                                   [16]Local
}

func defineAttention(m *Module, fn *actFuncs, dot *Func) *Func {
	f, params := newAttentionFunc(m, KernelAttention)
	a := &attentionLocals{attentionParams: params}
	for _, l := range []*Local{&a.group, &a.accBase, &a.rb, &a.r, &a.h, &a.nkv, &a.kh, &a.qp, &a.dp, &a.vp, &a.kp,
		&a.j, &a.cnt, &a.first, &a.pe, &a.pv, &a.row, &a.pr, &a.pvv, &a.cnt2, &a.e, &a.tiled} {
		*l = f.NewLocal(I32)
	}
	a.pd, a.vs = f.NewLocal(V128), f.NewLocal(V128)
	for i := range a.hv {
		a.hv[i], a.hc[i] = f.NewLocal(V128), f.NewLocal(V128)
	}
	for i := range a.t {
		a.t[i] = f.NewLocal(V128)
	}
	fma := newExactFMA(f)

	a.returnUnlessValid(f)
	f.Do(
		LocalGet(a.heads), LocalGet(a.kvHeads), I32DivU, LocalSet(a.group),
		// accumulators after the scores (padded to 16)
		LocalGet(a.pos0), LocalGet(a.n), I32Add, I32Const(15), I32Add, I32Const(-16), I32And, I32Const(2), I32Shl,
		LocalGet(a.scratch), I32Add, LocalSet(a.accBase),
		LocalGet(a.dv), I32Const(2), I32Shl, LocalSet(a.rb),
		// llama.cpp's GEMM sums the values for several rows when it can
		LocalGet(a.n), I32Const(2), I32GeS, LocalGet(a.dv), I32Const(3), I32And, I32Eqz, I32And, LocalSet(a.tiled),
		I32Const(0), LocalSet(a.r),
	)
	f.Loop(func(rows Label) {
		f.Do(I32Const(0), LocalSet(a.h), LocalGet(a.pos0), LocalGet(a.r), I32Add, I32Const(1), I32Add, LocalSet(a.nkv))
		f.Loop(func(heads Label) {
			f.Do(
				LocalGet(a.h), LocalGet(a.group), I32DivU, LocalSet(a.kh),
				// q[r][h], dst[r][h], k[0][kh], v[0][kh]
				LocalGet(a.r), LocalGet(a.heads), I32Mul, LocalGet(a.h), I32Add, LocalTee(a.j),
				LocalGet(a.dk), I32Mul, I32Const(2), I32Shl, LocalGet(a.q), I32Add, LocalSet(a.qp),
				LocalGet(a.j), LocalGet(a.dv), I32Mul, I32Const(2), I32Shl, LocalGet(a.dst), I32Add, LocalSet(a.dp),
				LocalGet(a.kh), LocalGet(a.dk), I32Mul, I32Const(2), I32Shl, LocalGet(a.k), I32Add, LocalSet(a.kp),
				LocalGet(a.kh), LocalGet(a.dv), I32Mul, I32Const(2), I32Shl, LocalGet(a.v), I32Add, LocalSet(a.vp),
			)
			// the scores, then their softmax in place
			f.Do(LocalGet(a.scratch), LocalSet(a.pe), LocalGet(a.nkv), LocalSet(a.cnt))
			countdown(f, a.cnt, func() {
				f.Do(
					LocalGet(a.pe), LocalGet(a.qp), LocalGet(a.kp), LocalGet(a.dk), Call(dot), LocalGet(a.scale), F32Mul, F32Store(0).Align(0),
					LocalGet(a.kp), LocalGet(a.kStride), I32Const(2), I32Shl, I32Add, LocalSet(a.kp),
				)
				advance(f, a.pe, 4)
			})
			f.Do(LocalGet(a.scratch), LocalGet(a.scratch), LocalGet(a.nkv), I32Const(1), Call(fn.softmaxRow))
			f.Do(LocalGet(a.tiled))
			f.IfElse(func(Label) { a.values(f, fma, 16) }, func(Label) { a.values(f, fma, 64) })
			f.Do(LocalGet(a.h), I32Const(1), I32Add, LocalTee(a.h), LocalGet(a.heads), I32LtS, BrIf(heads))
		})
		f.Do(LocalGet(a.r), I32Const(1), I32Add, LocalTee(a.r), LocalGet(a.n), I32LtS, BrIf(rows))
	})
	return f
}

// values emits the value sums of one (row, head) with L lanes (16: the
// tiled order, 64: DotF32's), from the probabilities at scratch into dp.
func (a *attentionLocals) values(f *Func, fma *exactFMA, L int32) {
	vStep := func() {
		f.Do(LocalGet(a.pv), LocalGet(a.vStride), I32Const(2), I32Shl, I32Add, LocalSet(a.pv))
	}
	// lanes that no key reaches stay zero: rows [first, L)
	f.Do(
		LocalGet(a.nkv), I32Const(L), LocalGet(a.nkv), I32Const(L), I32LtS, Select, LocalSet(a.first),
		LocalGet(a.first), LocalGet(a.rb), I32Mul, LocalGet(a.accBase), I32Add,
		I32Const(0),
		I32Const(L), LocalGet(a.first), I32Sub, LocalGet(a.rb), I32Mul,
		MemoryFill(),
	)
	// keys 0 … first−1: a lane's first term, p·v rounded (+0 makes a −0 +0)
	f.Do(LocalGet(a.scratch), LocalSet(a.pe), LocalGet(a.vp), LocalSet(a.pv), LocalGet(a.accBase), LocalSet(a.row), LocalGet(a.first), LocalSet(a.cnt))
	countdown(f, a.cnt, func() {
		f.Do(LocalGet(a.pe), V128Load32Splat(0).Align(0), LocalSet(a.vs), LocalGet(a.row), LocalSet(a.pr), LocalGet(a.pv), LocalSet(a.pvv))
		eachChunk(f, a.dv, a.cnt2, []Local{a.pr, a.pvv}, func(c chunkOps) {
			f.Do(LocalGet(a.pr), LocalGet(a.pvv), c.load, LocalGet(a.vs), F32x4Mul, splatF32(0), F32x4Add, c.store)
		})
		advance(f, a.pe, 4)
		vStep()
		f.Do(LocalGet(a.row), LocalGet(a.rb), I32Add, LocalSet(a.row))
	})
	// keys first … nkv−1: FMA32 into lane e mod L
	f.Do(LocalGet(a.nkv), LocalGet(a.first), I32Sub, LocalSet(a.cnt), LocalGet(a.first), LocalSet(a.e))
	countdown(f, a.cnt, func() {
		f.Do(
			LocalGet(a.pe), V128Load32Splat(0).Align(0), F64x2PromoteLowF32x4, LocalSet(a.pd),
			LocalGet(a.e), I32Const(L-1), I32And, LocalGet(a.rb), I32Mul, LocalGet(a.accBase), I32Add, LocalSet(a.pr),
			LocalGet(a.pv), LocalSet(a.pvv),
		)
		eachChunk(f, a.dv, a.cnt2, []Local{a.pr, a.pvv}, func(c chunkOps) {
			var ops []fmaPair
			for j := range c.vectors {
				v, acc := a.hv[2*j], a.hc[2*j]
				f.Do(LocalGet(a.pvv), c.at(c.load, j), LocalSet(v), LocalGet(a.pr), c.at(c.load, j), LocalSet(acc))
				promoteHalves(f, v, v, a.hv[2*j+1])
				promoteHalves(f, acc, acc, a.hc[2*j+1])
				for h := range 2 {
					ops = append(ops, fmaPair{get(f, a.pd), get(f, a.hv[2*j+h]), get(f, a.hc[2*j+h])})
				}
			}
			fma.sums(ops...)
			for j := range c.vectors {
				f.Do(LocalGet(a.pr))
				fma.demoted(2*j, 2*j+1)
				f.Do(c.at(c.store, j))
			}
		}, eightLanes, fourLanes, oneLane)
		advance(f, a.pe, 4)
		advance(f, a.e, 1)
		vStep()
	})
	// the lanes summed, for all outputs at once
	sumValueLanes(f, L, a.accBase, a.dp, a.dv, a.rb, a.pr, a.pvv, a.cnt2, a.t)
}
