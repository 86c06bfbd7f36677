package compute

import (
	"encoding/binary"

	"github.com/hearth-ai/hearth/engine/quant"
)

// The F16 arithmetic of attention over an F16 key/value cache, as
// llama.cpp's x86 CPU backend does it without flash attention (the build
// the oracle loads has AVX-512 but not AVX512-FP16, so halves are widened
// to float32 and multiplied there). Its ggml_mul_mat converts the F32
// operand (queries, then probabilities) to F16, the partner type of an F16
// matrix, and then
//
//   - for one row takes ggml_vec_dot_f16: DotF32's four 16-lane
//     accumulators over blocks of 64, but the products past the last whole
//     block added in float64 (DotF16);
//   - for several rows takes llamafile's tinyBLAS F16 GEMM when the
//     reduced length is a multiple of 16: one 16-lane accumulator, as
//     DotF32Tiled (DotF16Tiled).
//
// A product of two halves is exact in float32 (11-bit significands), so a
// fused multiply-add of one is a plain float32 addition of the product:
// the SIMD kernels get these bits without emulating FMA.

// RoundF16 is x rounded to the nearest IEEE half (ties to even), as
// ggml_cpu_fp32_to_fp16 stores it, widened back to float32.
func RoundF16(x float32) float32 { return f16[quant.F32ToF16(x)] }

// DotF16 is ggml_vec_dot_f16 (x86, AVX-512) of two rows of halves: four
// 16-lane accumulators of fused multiply-adds over blocks of 64 elements,
// combined as (0+2)+(1+3) and summed across lanes (Sum16); the remaining
// len(x) mod 64 products are added to that sum in float64, rounded to
// float32 once at the end. padded says the rows continue with zeros to a
// multiple of 64 (llama.cpp's attention rows, 256-padded): then every
// element goes into the lanes.
func DotF16(x, y []uint16, padded bool) float32 {
	n := len(x)
	np := n &^ 63
	if padded {
		np = n
	}
	var acc [4][16]float32
	for e := 0; e < np; e++ {
		j, l := e>>4&3, e&15
		acc[j][l] = fma32(f16[x[e]], f16[y[e]], acc[j][l])
	}
	for l := range acc[0] {
		acc[0][l] += acc[2][l]
		acc[1][l] += acc[3][l]
	}
	for l := range acc[0] {
		acc[0][l] += acc[1][l]
	}
	s := reduce16(&acc[0])
	if np == n {
		return s
	}
	sum := float64(s)
	for i := np; i < n; i++ {
		sum += float64(f16[x[i]] * f16[y[i]])
	}
	return float32(sum)
}

// DotF16Tiled is one output of llamafile's tinyBLAS F16 GEMM (AVX-512):
// halves widened to float32, one 16-lane accumulator of fused
// multiply-adds (element i in lane i mod 16), summed across lanes (Sum16).
// llama.cpp takes it only when len(x) is a multiple of 16.
func DotF16Tiled(x, y []uint16) float32 {
	var acc [16]float32
	for e := range x {
		acc[e&15] = fma32(f16[x[e]], f16[y[e]], acc[e&15])
	}
	return reduce16(&acc)
}

// The attention's own forms of DotF16 and DotF16Tiled: a is float32 that
// already holds halves' values, b the halves themselves (little-endian
// bytes, element i at b[2·i·bs:]). Each product is exact, so each fused
// multiply-add is an addition.

// half16 reads the half at b[2i:] as float32.
func half16(b []byte, i int) float32 { return f16[binary.LittleEndian.Uint16(b[2*i:])] }

// dotHalves64 is DotF16 of a and b.
func dotHalves64(a []float32, b []byte, bs int, padded bool) float32 {
	n := len(a)
	np := n &^ 63
	if padded {
		np = n
	}
	var acc [64]float32 // accumulator j's lane l is acc[16j+l]
	for e := 0; e < np; e++ {
		acc[e&63] += float32(a[e] * half16(b, e*bs))
	}
	var t [16]float32
	for l := range t {
		t[l] = (acc[l] + acc[32+l]) + (acc[16+l] + acc[48+l])
	}
	s := reduce16(&t)
	if np == n {
		return s
	}
	sum := float64(s)
	for i := np; i < n; i++ {
		sum += float64(a[i] * half16(b, i*bs))
	}
	return float32(sum)
}

// dotHalves16 is DotF16Tiled of a and b.
func dotHalves16(a []float32, b []byte, bs int) float32 {
	var acc [16]float32
	for e, x := range a {
		acc[e&15] += float32(x * half16(b, e*bs))
	}
	return reduce16(&acc)
}
