package compute

import (
	"encoding/binary"
	"math"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The kernels of OrderWasm: what kernels.wasm's matmul_T computes, whatever
// the weight's shape and however a matmul is tiled or split across threads.
//
// Quantized weights take llama.cpp's generic order, quant.VecDot: the wasm
// kernels sum each block's integer products exactly and add the float
// terms in quant's order. Q8_0 and Q4_0 reuse the SWAR block sums of
// ref_swar.go (the same integers) with quant's float steps.
//
// F32, F16 and BF16 weights meet activations converted to the same type
// (quant.VecDotType; F32 ones as they are). The wasm kernels multiply in
// f32x4 lanes without fused multiply-adds:
//
//	for i < 4·⌊n/4⌋: lane[i mod 4] += float32(w[i]·x[i])   (in order of i)
//	s := (lane[0] + lane[2]) + (lane[1] + lane[3])
//	for the last n mod 4: s += float32(w[i]·x[i])         (in order of i)
//
// (kernels_wasm/float_matmul.go). A product of two halves or two bfloat16s
// is exact in float32, one of two float32s is rounded; every sum is
// rounded. The conversions to float32 in the Go loops keep the compiler
// from fusing a product into its sum (the Go spec allows fusing otherwise).

// wasmKernels are OrderWasm's kernels that quant.VecDot does not provide
// as such.
var wasmKernels = map[dtype.Type]kernel{
	dtype.F32:  {act: dtype.F32, dot: dotF32Lanes4},
	dtype.F16:  {act: dtype.F16, dot: dotF16Lanes4},
	dtype.BF16: {act: dtype.BF16, dot: dotBF16Lanes4},
	dtype.Q8_0: {act: dtype.Q8_0, dot: vecDotQ8_0, fast: dotQ8_0SWARGeneric, pack: packQ8_0, words: q8_0Words, packing: 1},
	dtype.Q4_0: {act: dtype.Q8_0, dot: vecDotQ4_0, fast: dotQ4_0SWARGeneric, pack: packQ4_0, words: q4_0Words, packing: 2},
}

// wasmKernelFor picks the kernel in OrderWasm: by type alone.
func wasmKernelFor(t dtype.Type) (kernel, bool) {
	if k, ok := wasmKernels[t]; ok {
		return k, true
	}
	k, ok := genericKernels[t]
	return k, ok
}

func vecDotQ8_0(w, x []byte, n int) float32 { return quant.VecDot(dtype.Q8_0, n, w, x) }
func vecDotQ4_0(w, x []byte, n int) float32 { return quant.VecDot(dtype.Q4_0, n, w, x) }

// dotF32Lanes4: F32 weights by F32 activations in the wasm kernels' order.
func dotF32Lanes4(w, x []byte, n int) float32 {
	wf, xf := f32s(w)[:n], f32s(x)[:n]
	var l0, l1, l2, l3 float32
	m := n &^ 3
	for i := 0; i < m; i += 4 {
		l0 += float32(wf[i] * xf[i])
		l1 += float32(wf[i+1] * xf[i+1])
		l2 += float32(wf[i+2] * xf[i+2])
		l3 += float32(wf[i+3] * xf[i+3])
	}
	s := (l0 + l2) + (l1 + l3)
	for i := m; i < n; i++ {
		s += float32(wf[i] * xf[i])
	}
	return s
}

// dotF16Lanes4: F16 weights by F16 activations in the wasm kernels' order.
func dotF16Lanes4(w, x []byte, n int) float32 {
	w, x = w[:2*n], x[:2*n]
	prod := func(i int) float32 {
		return float32(half(w[2*i:]) * half(x[2*i:]))
	}
	var l0, l1, l2, l3 float32
	m := n &^ 3
	for i := 0; i < m; i += 4 {
		l0 += prod(i)
		l1 += prod(i + 1)
		l2 += prod(i + 2)
		l3 += prod(i + 3)
	}
	s := (l0 + l2) + (l1 + l3)
	for i := m; i < n; i++ {
		s += prod(i)
	}
	return s
}

// dotBF16Lanes4: BF16 weights by BF16 activations in the wasm kernels'
// order.
func dotBF16Lanes4(w, x []byte, n int) float32 {
	w, x = w[:2*n], x[:2*n]
	bf := func(b []byte) float32 { return math.Float32frombits(uint32(binary.LittleEndian.Uint16(b)) << 16) }
	prod := func(i int) float32 {
		return float32(bf(w[2*i:]) * bf(x[2*i:]))
	}
	var l0, l1, l2, l3 float32
	m := n &^ 3
	for i := 0; i < m; i += 4 {
		l0 += prod(i)
		l1 += prod(i + 1)
		l2 += prod(i + 2)
		l3 += prod(i + 3)
	}
	s := (l0 + l2) + (l1 + l3)
	for i := m; i < n; i++ {
		s += prod(i)
	}
	return s
}
