package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The element-wise float32 kernels (compute.Backend's Add, Mul, Scale):
//
//	add(dst, a, b, rows, cols, b_rows)   dst[r][c] = a[r][c] + b[r'][c]
//	mul(dst, a, b, rows, cols, b_rows)   dst[r][c] = a[r][c] · b[r'][c]
//	scale(dst, a, n, s f32)              dst[i] = a[i] · s
//
// r' = 0 when b_rows = 1 (one row broadcast over all), r' = r otherwise.
// One float32 operation per element, so any order gives the reference's
// bits. dst may be a or b (in place). Nothing is written when rows, cols
// or n ≤ 0.

// Names of the element-wise kernels.
const (
	KernelAdd   = "add"
	KernelMul   = "mul"
	KernelScale = "scale"
)

// eachLane emits a loop over n float32s by eachChunk, body pushing the
// f32x4 result (in a one-lane step only lane 0 counts) with load pushing
// the lanes at a pointer. The pointers (ptrs[0] is the destination)
// advance past the n elements.
func eachLane(f *Func, n, k Local, ptrs []Local, body func(load func(p Local))) {
	dst := ptrs[0]
	eachChunk(f, n, k, ptrs, func(c chunkOps) {
		f.Do(LocalGet(dst))
		body(func(p Local) { f.Do(LocalGet(p), c.load) })
		f.Do(c.store)
	})
}

// chunkOps are the loads and stores of a step over a row of floats: of
// vectors four-lane vectors, or of one lane (the other lanes zero,
// ignored).
type chunkOps struct {
	width       int32 // bytes a step
	vectors     int   // vectors a step
	load, store Instr // at offset 0; a vector j is at 16j
}

var (
	eightLanes = chunkOps{32, 2, V128Load(0).Align(0), V128Store(0).Align(0)}
	fourLanes  = chunkOps{16, 1, V128Load(0).Align(0), V128Store(0).Align(0)}
	oneLane    = chunkOps{4, 1, V128Load32Zero(0).Align(0), V128Store32Lane(0, 0).Align(0)}
)

// at returns the load or store in of vector j of a step.
func (c chunkOps) at(in Instr, j int) Instr {
	if j == 0 {
		return in
	}
	if in == c.load {
		return V128Load(16 * uint32(j)).Align(0)
	}
	return V128Store(16 * uint32(j)).Align(0)
}

// eachChunk emits body over a row of n floats in steps of the widths
// given (largest first, ending with oneLane), with the pointers ptrs
// advancing by each step's width; k is i32 scratch, n is not changed.
func eachChunk(f *Func, n, k Local, ptrs []Local, body func(c chunkOps), widths ...chunkOps) {
	if len(widths) == 0 {
		widths = []chunkOps{fourLanes, oneLane}
	}
	for i, c := range widths {
		f.Do(LocalGet(n))
		if i > 0 {
			f.Do(I32Const(widths[i-1].width/4-1), I32And)
		}
		f.Do(I32Const(int32(bitsLen(c.width/4))-1), I32ShrU, LocalSet(k))
		countdown(f, k, func() {
			body(c)
			for _, p := range ptrs {
				advance(f, p, c.width)
			}
		})
	}
}

// bitsLen is the number of bits of v > 0.
func bitsLen(v int32) int {
	n := 0
	for ; v > 0; v >>= 1 {
		n++
	}
	return n
}

// defineBinary emits add or mul with the f32x4 operation op.
func defineBinary(m *Module, name string, op Instr) *Func {
	f := m.Func(name, []ValType{I32, I32, I32, I32, I32, I32})
	dst, a, b, rows, cols, bRows := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4), f.Param(5)
	k, bStep, d, pa, pb := f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32), f.NewLocal(I32)

	f.Do(LocalGet(rows), I32Const(0), I32LeS, LocalGet(cols), I32Const(0), I32LeS, I32Or)
	f.If(func(Label) { f.Do(Return) })
	// b moves a row per row, or stays (a broadcast row)
	f.Do(LocalGet(cols), I32Const(2), I32Shl, I32Const(0), LocalGet(bRows), I32Const(1), I32Ne, Select, LocalSet(bStep))
	countdown(f, rows, func() {
		f.Do(LocalGet(dst), LocalSet(d), LocalGet(a), LocalSet(pa), LocalGet(b), LocalSet(pb))
		eachLane(f, cols, k, []Local{d, pa, pb}, func(load func(Local)) {
			load(pa)
			load(pb)
			f.Do(op)
		})
		f.Do(
			LocalGet(cols), I32Const(2), I32Shl, LocalTee(k), LocalGet(dst), I32Add, LocalSet(dst),
			LocalGet(k), LocalGet(a), I32Add, LocalSet(a),
			LocalGet(b), LocalGet(bStep), I32Add, LocalSet(b),
		)
	})
	return f
}

// defineScale emits scale(dst, a, n, s).
func defineScale(m *Module) *Func {
	f := m.Func(KernelScale, []ValType{I32, I32, I32, F32})
	dst, a, n, s := f.Param(0), f.Param(1), f.Param(2), f.Param(3)
	k, sv := f.NewLocal(I32), f.NewLocal(V128)
	f.Do(LocalGet(n), I32Const(0), I32LeS)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(s), F32x4Splat, LocalSet(sv))
	eachLane(f, n, k, []Local{dst, a}, func(load func(Local)) {
		load(a)
		f.Do(LocalGet(sv), F32x4Mul)
	})
	return f
}
