package quant

import (
	"encoding/binary"
	"math"
)

// Q8_K: 256 elements in 292 bytes, the activation type llama.cpp pairs with
// the k-quants. Only ever an intermediate: it never appears in a file.
//
//	bytes 0–3      d, the scale (little-endian float32, not F16)
//	bytes 4–259    qs: element j as a signed byte
//	bytes 260–291  bsums: 16 little-endian int16, the sum of each group of
//	               16 quants, so that a weight's minimums can be applied
//	               without touching the quants
//
// Element value: q·d, q ∈ [−127, 127].

const (
	qkK       = 256
	q8KBytes  = 292
	q8KQs     = 4
	q8KBsums  = 260
	q8KGroups = 16
)

func dequantizeQ8K(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/qkK; ib++ {
		b := (*[q8KBytes]byte)(src[ib*q8KBytes:])
		y := (*[qkK]float32)(dst[ib*qkK:])
		d := math.Float32frombits(binary.LittleEndian.Uint32(b[0:]))
		for j := range y {
			y[j] = d * float32(int8(b[q8KQs+j]))
		}
	}
}

// quantizeQ8K is llama.cpp's quantize_row_q8_K_ref, which its x86 CPU
// backend also uses for activations: the element of largest magnitude maps
// to −127 (halves round to even), and the group sums are stored alongside.
// An all-zero block gets d = 0 and zero quants and sums.
func quantizeQ8K(src []float32, dst []byte) {
	for ib := 0; ib < len(src)/qkK; ib++ {
		x := (*[qkK]float32)(src[ib*qkK:])
		b := (*[q8KBytes]byte)(dst[ib*q8KBytes:])
		var amax, max float32
		for _, v := range x {
			if a := abs32(v); a > amax {
				amax, max = a, v
			}
		}
		if amax == 0 {
			clear(b[:])
			continue
		}
		iscale := -127 / max
		for j, v := range x {
			b[q8KQs+j] = byte(int8(min(127, nearestInt(iscale*v))))
		}
		for g := range q8KGroups {
			var sum int32
			for _, q := range b[q8KQs+16*g : q8KQs+16*g+16] {
				sum += int32(int8(q))
			}
			binary.LittleEndian.PutUint16(b[q8KBsums+2*g:], uint16(int16(sum)))
		}
		binary.LittleEndian.PutUint32(b[0:], math.Float32bits(1/iscale))
	}
}

// q8KScale reads a Q8_K block's float32 scale.
func q8KScale(b *[q8KBytes]byte) float32 {
	return math.Float32frombits(binary.LittleEndian.Uint32(b[0:]))
}

// q8KBsum reads the sum of quants of group g (16 elements) of a Q8_K block.
func q8KBsum(b *[q8KBytes]byte, g int) int32 {
	return int32(int16(binary.LittleEndian.Uint16(b[q8KBsums+2*g:])))
}
