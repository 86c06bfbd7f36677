package quant

import "encoding/binary"

// Q5_K: 256 elements in 176 bytes; Q4_K plus a fifth bit per element.
//
//	bytes 0–1     d, the factor of the scales (F16)
//	bytes 2–3     dmin, the factor of the minimums (F16)
//	bytes 4–15    scales and minimums (see k_scales.go)
//	bytes 16–47   qh: the 5th bit of element i is bit i/32 of qh[i%32]
//	bytes 48–175  qs, the low 4 bits, laid out as in Q4_K
//
// Element value, in sub-block j = i/32: d·scale_j·q − dmin·min_j, q ∈ [0, 31].
// Dot products pair it with Q8_K activations.

const (
	q5KBytes  = 176
	q5KD      = 0
	q5KDmin   = 2
	q5KScales = 4
	q5KQh     = 16
	q5KQs     = 48
)

func dequantizeQ5K(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/qkK; ib++ {
		b := (*[q5KBytes]byte)(src[ib*q5KBytes:])
		y := (*[qkK]float32)(dst[ib*qkK:])
		d, dmin := f16At(b[q5KD:]), f16At(b[q5KDmin:])
		sc, m := unpackScalesK4(b[q5KScales:])
		var a [qkK]byte
		unpackQ5K(b, &a)
		for j := range 8 {
			dj := float32(d * float32(sc[j]))
			mj := float32(dmin * float32(m[j]))
			for l := range 32 {
				y[32*j+l] = float32(dj*float32(a[32*j+l])) - mj
			}
		}
	}
}

// quantizeQ5K is llama.cpp's quantize_row_q5_K_ref.
func quantizeQ5K(src []float32, dst []byte) {
	var (
		L       [qkK]uint8
		Laux    [32]uint8
		weights [32]float32
		scales  [8]float32
		mins    [8]float32
	)
	for ib := 0; ib < len(src)/qkK; ib++ {
		x := (*[qkK]float32)(src[ib*qkK:])
		b := (*[q5KBytes]byte)(dst[ib*q5KBytes:])
		for j := range 8 {
			xj := x[32*j : 32*j+32]
			subBlockStats(xj, weights[:])
			scales[j], mins[j] = searchScaleMin(31, xj, weights[:], L[32*j:32*j+32], Laux[:], -0.5, 0.1, 15, false)
		}
		d, dmin := quantizeScalesK4(b[q5KScales:], b[q5KD:], b[q5KDmin:], &scales, &mins)
		requantizeK4(x, &L, b[q5KScales:], d, dmin, 31)
		qh := b[q5KQh : q5KQh+32]
		clear(qh)
		for k := range 4 {
			for l := range 32 {
				l1, l2 := L[64*k+l], L[64*k+32+l]
				if l1 > 15 {
					l1 -= 16
					qh[l] |= 1 << (2 * k)
				}
				if l2 > 15 {
					l2 -= 16
					qh[l] |= 2 << (2 * k)
				}
				b[q5KQs+32*k+l] = l1 | l2<<4
			}
		}
	}
}

// unpackQ5K writes the 256 levels (0–31) of a Q5_K block, eight at a time
// in the bytes of a uint64 (see unpackQ6K).
func unpackQ5K(b *[q5KBytes]byte, a *[qkK]byte) {
	const low4, low1 = 0x0f0f0f0f0f0f0f0f, 0x0101010101010101
	qh := (*[32]byte)(b[q5KQh:])
	for k := 0; k < 4; k++ {
		qs := (*[32]byte)(b[q5KQs+32*k:])
		ak := (*[64]byte)(a[64*k:])
		bl := uint(2*k) & 63 // fifth bits: bit 2k for low nibbles, 2k+1 for high
		for l := 0; l <= 24; l += 8 {
			v := binary.LittleEndian.Uint64(qs[l:])
			h := binary.LittleEndian.Uint64(qh[l:]) >> bl
			binary.LittleEndian.PutUint64(ak[l:], v&low4|(h&low1)<<4)
			binary.LittleEndian.PutUint64(ak[l+32:], v>>4&low4|(h>>1&low1)<<4)
		}
	}
}

// dotQ5K follows ggml_vec_dot_q5_K_q8_K (generic); see k_dot.go and dotQ4K.
// Unlike Q4_K, unpacking first measured faster (~1.25x) than working on the
// packed bits in place.
func dotQ5K(nb int, w, x []byte) float32 {
	var (
		sums [8]float32
		a    [qkK]byte
		sc16 [16]int32
		sumf float32
	)
	for ib := 0; ib < nb; ib++ {
		wb := (*[q5KBytes]byte)(w[ib*q5KBytes:])
		xb := (*[q8KBytes]byte)(x[ib*q8KBytes:])
		unpackQ5K(wb, &a)
		sumf -= kScalesAndMins(wb[q5KScales:], xb, &sc16, f16At(wb[q5KDmin:]))
		lanes := laneDot(&a, q8KQuants(xb), &sc16)
		addLanes(&sums, float32(f16At(wb[q5KD:])*q8KScale(xb)), &lanes)
	}
	return sumLanes(sumf, &sums)
}
