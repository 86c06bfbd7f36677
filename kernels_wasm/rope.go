package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// rope_apply(dst, x, rows, cols, head_dim, n_dims, neox, cs) rotates the
// pairs of every head of every row as compute.Backend's Rope, with the
// angles already computed: cs holds, per row, n_dims/2 (cos, sin) float32
// pairs (row r's at cs + 4·r·n_dims), made by the Go side with the
// reference's own angle code. For pair i < n_dims/2 of each head,
//
//	(x0, x1) = (x[2i], x[2i+1])            normal layout (neox = 0)
//	(x0, x1) = (x[i], x[i + n_dims/2])     NeoX layout
//	x0' = FMA32(x0, cos, −(x1·sin)),  x1' = FMA32(x0, sin, x1·cos)
//
// (the reference's rotate: the second product rounded, the first fused).
// Elements n_dims … head_dim−1 of each head are copied unchanged. dst may
// be x. Nothing is written unless rows, cols > 0, head_dim > 0 divides
// cols and n_dims is even with 0 < n_dims ≤ head_dim.

// KernelRope is the rotary embedding kernel's name.
const KernelRope = "rope_apply"

// evens, odds pick lanes 0, 2, 4, 6 and 1, 3, 5, 7 of two f32x4s.
var (
	evenLanes   = lanes32(0, 2, 4, 6)
	oddLanes    = lanes32(1, 3, 5, 7)
	interleaveL = lanes32(0, 4, 1, 5)
	interleaveH = lanes32(2, 6, 3, 7)
)

func defineRope(m *Module, fma32 *Func) *Func {
	f := m.Func(KernelRope, []ValType{I32, I32, I32, I32, I32, I32, I32, I32})
	dst, x, rows, cols, headDim, nDims, neox, cs := f.Param(0), f.Param(1), f.Param(2), f.Param(3),
		f.Param(4), f.Param(5), f.Param(6), f.Param(7)
	heads, h, k, pd, px, pc, half4 := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32),
		f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)
	x0, x1, c, s, t, u := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128),
		f.NewLocal(V128), f.NewLocal(V128)
	var xl, cl, sl, tl, ul [2]Local // promoted halves
	for i := range 2 {
		xl[i], cl[i], sl[i], tl[i], ul[i] = f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	}
	a0, a1, sc, ss := f.NewLocal(F32), f.NewLocal(F32), f.NewLocal(F32), f.NewLocal(F32)
	e := newExactFMA(f)

	f.Do(
		LocalGet(rows), I32Const(0), I32LeS,
		LocalGet(cols), I32Const(0), I32LeS, I32Or,
		LocalGet(headDim), I32Const(0), I32LeS, I32Or,
		LocalGet(nDims), I32Const(0), I32LeS, I32Or,
		LocalGet(nDims), I32Const(1), I32And, I32Or,
		LocalGet(nDims), LocalGet(headDim), I32GtS, I32Or,
	)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(cols), LocalGet(headDim), I32RemU)
	f.If(func(Label) { f.Do(Return) })
	f.Do(
		LocalGet(cols), LocalGet(headDim), I32DivU, LocalSet(heads),
		LocalGet(nDims), I32Const(1), I32ShrU, LocalSet(half4), // n_dims/2 pairs …
		LocalGet(half4), I32Const(2), I32Shl, LocalSet(half4), // … and their bytes: the NeoX partner's offset
	)

	// rotate4 rotates four pairs: x0, x1 and c, s loaded, results to x0, x1.
	rotate4 := func() {
		f.Do(
			LocalGet(x1), LocalGet(s), F32x4Mul, F32x4Neg, LocalSet(t), // −(x1·sin)
			LocalGet(x1), LocalGet(c), F32x4Mul, LocalSet(u), // x1·cos
		)
		for _, v := range [][3]Local{{x0, xl[0], xl[1]}, {c, cl[0], cl[1]}, {s, sl[0], sl[1]}, {t, tl[0], tl[1]}, {u, ul[0], ul[1]}} {
			promoteHalves(f, v[0], v[1], v[2])
		}
		e.sums(
			fmaPair{get(f, xl[0]), get(f, cl[0]), get(f, tl[0])},
			fmaPair{get(f, xl[1]), get(f, cl[1]), get(f, tl[1])},
			fmaPair{get(f, xl[0]), get(f, sl[0]), get(f, ul[0])},
			fmaPair{get(f, xl[1]), get(f, sl[1]), get(f, ul[1])},
		)
		e.demoted(0, 1)
		f.Do(LocalSet(x0))
		e.demoted(2, 3)
		f.Do(LocalSet(x1))
	}
	// loadCS loads four (cos, sin) pairs at pc into c and s.
	loadCS := func() {
		f.Do(
			LocalGet(pc), V128Load(0).Align(0), LocalGet(pc), V128Load(16).Align(0), I8x16Shuffle(evenLanes), LocalSet(c),
			LocalGet(pc), V128Load(0).Align(0), LocalGet(pc), V128Load(16).Align(0), I8x16Shuffle(oddLanes), LocalSet(s),
		)
	}
	// rotate1 rotates the pair at px+o0, px+o1 into pd+o0, pd+o1 with the
	// (cos, sin) at pc.
	rotate1 := func(o0, o1 func()) {
		addr := func(p Local, o func()) { f.Do(LocalGet(p)); o(); f.Do(I32Add) }
		addr(px, o0)
		f.Do(F32Load(0).Align(0), LocalSet(a0))
		addr(px, o1)
		f.Do(
			F32Load(0).Align(0), LocalSet(a1),
			LocalGet(pc), F32Load(0).Align(0), LocalSet(sc),
			LocalGet(pc), F32Load(4).Align(0), LocalSet(ss),
		)
		addr(pd, o0)
		f.Do(LocalGet(a0), LocalGet(sc), LocalGet(a1), LocalGet(ss), F32Mul, F32Neg, Call(fma32), F32Store(0).Align(0))
		addr(pd, o1)
		f.Do(LocalGet(a0), LocalGet(ss), LocalGet(a1), LocalGet(sc), F32Mul, Call(fma32), F32Store(0).Align(0))
	}
	konst := func(v int32) func() { return func() { f.Do(I32Const(v)) } }

	countdown(f, rows, func() {
		f.Do(LocalGet(heads), LocalSet(h))
		countdown(f, h, func() {
			f.Do(LocalGet(x), LocalSet(px), LocalGet(dst), LocalSet(pd), LocalGet(cs), LocalSet(pc))
			f.Do(LocalGet(nDims), I32Const(3), I32ShrU, LocalSet(k)) // groups of four pairs
			f.Do(LocalGet(neox))
			f.IfElse(func(Label) {
				countdown(f, k, func() {
					loadCS()
					f.Do(
						LocalGet(px), V128Load(0).Align(0), LocalSet(x0),
						LocalGet(px), LocalGet(half4), I32Add, V128Load(0).Align(0), LocalSet(x1),
					)
					rotate4()
					f.Do(
						LocalGet(pd), LocalGet(x0), V128Store(0).Align(0),
						LocalGet(pd), LocalGet(half4), I32Add, LocalGet(x1), V128Store(0).Align(0),
					)
					advance(f, px, 16)
					advance(f, pd, 16)
					advance(f, pc, 32)
				})
				f.Do(LocalGet(nDims), I32Const(1), I32ShrU, I32Const(3), I32And, LocalSet(k))
				countdown(f, k, func() {
					rotate1(konst(0), func() { f.Do(LocalGet(half4)) })
					advance(f, px, 4)
					advance(f, pd, 4)
					advance(f, pc, 8)
				})
			}, func(Label) {
				countdown(f, k, func() {
					loadCS()
					f.Do(
						LocalGet(px), V128Load(0).Align(0), LocalGet(px), V128Load(16).Align(0), I8x16Shuffle(evenLanes), LocalSet(x0),
						LocalGet(px), V128Load(0).Align(0), LocalGet(px), V128Load(16).Align(0), I8x16Shuffle(oddLanes), LocalSet(x1),
					)
					rotate4()
					f.Do(
						LocalGet(pd), LocalGet(x0), LocalGet(x1), I8x16Shuffle(interleaveL), V128Store(0).Align(0),
						LocalGet(pd), LocalGet(x0), LocalGet(x1), I8x16Shuffle(interleaveH), V128Store(16).Align(0),
					)
					advance(f, px, 32)
					advance(f, pd, 32)
					advance(f, pc, 32)
				})
				f.Do(LocalGet(nDims), I32Const(1), I32ShrU, I32Const(3), I32And, LocalSet(k))
				countdown(f, k, func() {
					rotate1(konst(0), konst(4))
					advance(f, px, 8)
					advance(f, pd, 8)
					advance(f, pc, 8)
				})
			})
			// the unrotated rest of the head
			f.Do(
				LocalGet(dst), LocalGet(nDims), I32Const(2), I32Shl, LocalTee(k), I32Add,
				LocalGet(x), LocalGet(k), I32Add,
				LocalGet(headDim), LocalGet(nDims), I32Sub, I32Const(2), I32Shl,
				MemoryCopy(),
				LocalGet(headDim), I32Const(2), I32Shl, LocalTee(k), LocalGet(x), I32Add, LocalSet(x),
				LocalGet(k), LocalGet(dst), I32Add, LocalSet(dst),
			)
		})
		f.Do(LocalGet(nDims), I32Const(2), I32Shl, LocalGet(cs), I32Add, LocalSet(cs))
	})
	return f
}
