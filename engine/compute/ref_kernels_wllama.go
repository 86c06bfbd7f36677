package compute

import (
	"math"
	"unsafe"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The kernels of OrderWllama: llama.cpp's CPU backend compiled to wasm by
// emscripten as wllama builds it (-O3 -msimd128, no relaxed SIMD, so no
// fused multiply-adds). Emscripten tells CMake the processor is "x86",
// which ggml's build does not take for x86-64 (nor for "wasm", the name
// that would add ggml-cpu/arch/wasm/quants.c): it falls back to
// GGML_CPU_GENERIC. So
//
//   - quantized weights meet activations quantized by llama.cpp's reference
//     C code — per block d = amax/127, id = 1/d, q = roundf(x·id), halves
//     away from zero — where the x86 build (quant.Quantize) multiplies by
//     127/amax and rounds halves to even; the two disagree on an element
//     now and then, and through a quantized model that moves logits by
//     hundredths. The dot products are the generic ones (quant.VecDot).
//   - F32 and F16 weights take ggml_vec_dot_f32 and ggml_vec_dot_f16 as
//     GGML_SIMD builds them for __wasm_simd128__: four accumulators of
//     four float32 lanes over blocks of 16 (a multiply, then an add),
//     combined as (0+2)+(1+3) and the lanes added in order, the products
//     past the last whole block added one by one — in float32 for F32, in
//     float64 for F16 (DotF16Wasm). F16 weights meet activations rounded
//     to halves (ggml_cpu_fp32_to_fp16: to nearest, ties to even).
//   - BF16 weights: ggml_vec_dot_bf16 has no SIMD128 path, so its scalar
//     loop, which quant.VecDot is.
//
// llamafile's GEMM is compiled in but has no wasm path, and no weight is
// repacked, so every product takes these kernels whatever its shape.

// wllamaKernels are OrderWllama's kernels that genericKernels do not
// provide as such.
var wllamaKernels = map[dtype.Type]kernel{
	dtype.F32:  {act: dtype.F32, dot: dotF32Wasm128},
	dtype.F16:  {act: dtype.F16, dot: dotF16Wasm128},
	dtype.Q8_0: {act: dtype.Q8_0, dot: vecDotQ8_0, fast: dotQ8_0SWARGeneric, pack: packQ8_0, words: q8_0Words, packing: 1},
	dtype.Q4_0: {act: dtype.Q8_0, dot: vecDotQ4_0, fast: dotQ4_0SWARGeneric, pack: packQ4_0, words: q4_0Words, packing: 2},
}

// wllamaQuantizers are OrderWllama's activation quantizers that are not
// quant.Quantize's.
var wllamaQuantizers = map[dtype.Type]func(src []float32, dst []byte){
	dtype.Q8_0: quantizeQ8_0Ref,
	dtype.Q8_1: quantizeQ8_1Ref,
}

// wllamaKernelFor picks the kernel in OrderWllama: by type alone.
func wllamaKernelFor(t dtype.Type) (kernel, bool) {
	k, ok := wllamaKernels[t]
	if !ok {
		k, ok = genericKernels[t]
	}
	if ok {
		k.quantize = wllamaQuantizers[k.act]
	}
	return k, ok
}

// dotF32Wasm128: F32 weights by F32 activations, DotF32Wasm.
func dotF32Wasm128(w, x []byte, n int) float32 {
	return DotF32Wasm(f32s(w)[:n], f32s(x)[:n], 1)
}

// dotF16Wasm128: F16 weights by F16 activations, DotF16Wasm.
func dotF16Wasm128(w, x []byte, n int) float32 {
	return DotF16Wasm(u16s(w)[:n], u16s(x)[:n])
}

// reduceWasm128 is GGML_F32x4_REDUCE: accumulators 0+2 and 1+3, then
// their sum, then the four lanes added in order.
func reduceWasm128(acc *[4][4]float32) float32 {
	var v [4]float32
	for l := range v {
		v[l] = (acc[0][l] + acc[2][l]) + (acc[1][l] + acc[3][l])
	}
	return ((v[0] + v[1]) + v[2]) + v[3]
}

// u16s views little-endian 16-bit values as uint16s.
func u16s(b []byte) []uint16 {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Slice((*uint16)(unsafe.Pointer(&b[0])), len(b)/2)
}

// quantizeQ8_0Ref is llama.cpp's quantize_row_q8_0_ref: per block of 32,
// amax the largest |x| (a running maximum, a NaN dropped unless last),
// d = amax/127 stored as F16, id = 1/d (0 when d is), q = roundf(x·id).
func quantizeQ8_0Ref(src []float32, dst []byte) {
	for ib := 0; ib < len(src)/32; ib++ {
		x := (*[32]float32)(src[ib*32:])
		b := (*[34]byte)(dst[ib*34:])
		d, id := q8RefScale(x)
		putHalf(b[0:], d)
		for j, v := range x {
			b[2+j] = byte(roundAwayInt8(float32(v * id)))
		}
	}
}

// quantizeQ8_1Ref is llama.cpp's quantize_row_q8_1_ref: Q8_0's d and q,
// and s = d·Σq as F16.
func quantizeQ8_1Ref(src []float32, dst []byte) {
	for ib := 0; ib < len(src)/32; ib++ {
		x := (*[32]float32)(src[ib*32:])
		b := (*[36]byte)(dst[ib*36:])
		d, id := q8RefScale(x)
		putHalf(b[0:], d)
		var sum int32
		for j, v := range x {
			q := roundAwayInt8(float32(v * id))
			b[4+j] = byte(q)
			sum += int32(q)
		}
		putHalf(b[2:], float32(sum)*d)
	}
}

// q8RefScale is the reference quantizers' d = amax/127 and id = 1/d of a
// block.
func q8RefScale(x *[32]float32) (d, id float32) {
	var amax float32
	for _, v := range x {
		a := float32(math.Abs(float64(v)))
		if !(amax > a) { // MAX(amax, a) as ggml's macro takes it
			amax = a
		}
	}
	d = amax / 127
	if d != 0 {
		id = 1 / d
	}
	return d, id
}

// roundAwayInt8 is roundf(f) stored into an int8_t as wasm does it: the
// float rounded half away from zero, converted to int32 with saturation
// (NaN to 0; i32.trunc_sat_f32_s), then its low byte.
func roundAwayInt8(f float32) int8 {
	r := math.Round(float64(f))
	var i int32
	switch {
	case r != r:
	case r >= math.MaxInt32:
		i = math.MaxInt32
	case r <= math.MinInt32:
		i = math.MinInt32
	default:
		i = int32(r)
	}
	return int8(i)
}

// putHalf stores f rounded to the nearest half, little-endian.
func putHalf(b []byte, f float32) {
	h := quant.F32ToF16(f)
	b[0], b[1] = byte(h), byte(h>>8)
}
