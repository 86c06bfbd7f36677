// Package kernels defines kernels.wasm, the SIMD128 module that runs the
// engine's hot loops in the browser (the Go compiler emits no SIMD for
// wasm). The kernels are written in Go with the typed emitter of
// kernels_wasm/wasm; `go generate ./kernels_wasm/...` writes kernels.wasm,
// and a test fails when the committed file differs from what Build gives.
//
// The module imports its memory as ("env", "memory") and exports the
// kernels below. Pointers are byte offsets in that memory (any alignment);
// a pointer or length that runs past the end of memory traps.
//
//	dot_f32(a_ptr, b_ptr, n i32) f32
//	    Σ a[i]·b[i] over n float32s (n ≤ 0 gives 0), summed in float32
//	    across 16 lanes, then a scalar tail: within float32 rounding of
//	    the exact sum, not bit-equal to any particular order.
//	vec_dot_q8_0_q8_0(w_ptr, x_ptr, n i32) f32
//	    the dot product of a Q8_0 weight row with a Q8_0 activation row of
//	    n elements, bit for bit quant.VecDot(dtype.Q8_0, …); NaN when n is
//	    negative or not a multiple of 32, as quant.VecDot.
//	matvec_q8_0(dst_ptr, w_ptr, x_ptr, rows, n i32)
//	    dst[r] = vec_dot_q8_0_q8_0(w_ptr + r·rowBytes, x_ptr, n) for r <
//	    rows, where rowBytes = n/32·34 (rows stored one after another);
//	    dst is float32. Nothing is written when rows ≤ 0.
//
// The exact results come from doing the float work in the order
// llama.cpp's generic code (and engine/quant) does it: integer sums per
// block are exact in any order, and each block's term is scaled and added
// in float32 one block after another, four rows or blocks per vector.
package kernels

//go:generate go run ./internal/genkernels kernels.wasm
