package quant

import (
	"encoding/binary"
	"math"
)

// The plain float formats: one element per "block".
//
//	F32:  4 bytes, little-endian IEEE binary32.
//	F16:  2 bytes, little-endian IEEE binary16 (see F16ToF32).
//	BF16: 2 bytes, little-endian bfloat16: the top 16 bits of a binary32.
//
// llama.cpp pairs each with itself for dot products: an F16 weight row is
// dotted with the activations converted to F16, BF16 with BF16, F32 with F32.

func dequantizeF32(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(src[4*i:]))
	}
}

func quantizeF32(src []float32, dst []byte) {
	for i, v := range src {
		binary.LittleEndian.PutUint32(dst[4*i:], math.Float32bits(v))
	}
}

func dequantizeF16(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = F16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func quantizeF16(src []float32, dst []byte) {
	for i, v := range src {
		binary.LittleEndian.PutUint16(dst[2*i:], F32ToF16(v))
	}
}

func dequantizeBF16(src []byte, dst []float32) {
	for i := range dst {
		dst[i] = BF16ToF32(binary.LittleEndian.Uint16(src[2*i:]))
	}
}

func quantizeBF16(src []float32, dst []byte) {
	for i, v := range src {
		binary.LittleEndian.PutUint16(dst[2*i:], F32ToBF16(v))
	}
}

// The float dot products follow ggml's scalar loops: each product is rounded
// to float32, the sum is kept in float64 and rounded once at the end.

func dotF32(n int, w, x []byte) float32 {
	w, x = w[:4*n], x[:4*n]
	var sum float64
	for i := 0; i+4 <= len(w) && i+4 <= len(x); i += 4 {
		a := math.Float32frombits(binary.LittleEndian.Uint32(w[i:]))
		b := math.Float32frombits(binary.LittleEndian.Uint32(x[i:]))
		sum += float64(float32(a * b))
	}
	return float32(sum)
}

func dotF16(n int, w, x []byte) float32 {
	w, x = w[:2*n], x[:2*n]
	var sum float64
	for i := 0; i+2 <= len(w) && i+2 <= len(x); i += 2 {
		a := F16ToF32(binary.LittleEndian.Uint16(w[i:]))
		b := F16ToF32(binary.LittleEndian.Uint16(x[i:]))
		sum += float64(float32(a * b))
	}
	return float32(sum)
}

func dotBF16(n int, w, x []byte) float32 {
	w, x = w[:2*n], x[:2*n]
	var sum float64
	for i := 0; i+2 <= len(w) && i+2 <= len(x); i += 2 {
		a := BF16ToF32(binary.LittleEndian.Uint16(w[i:]))
		b := BF16ToF32(binary.LittleEndian.Uint16(x[i:]))
		sum += float64(float32(a * b))
	}
	return float32(sum)
}
