package quant

// Q4_K: 256 elements in 144 bytes; 8 sub-blocks of 32, each with a 6-bit
// scale and a 6-bit minimum, themselves scaled by two F16 factors.
//
//	bytes 0–1     d, the factor of the scales (F16)
//	bytes 2–3     dmin, the factor of the minimums (F16)
//	bytes 4–15    scales and minimums (see k_scales.go)
//	bytes 16–143  qs, 4 bits per element: sub-blocks 2k and 2k+1 share the
//	              32 bytes qs[32k:32k+32], 2k in the low nibbles, 2k+1 in
//	              the high nibbles
//
// Element value, in sub-block j = i/32: d·scale_j·q − dmin·min_j, q ∈ [0, 15].
// Dot products pair it with Q8_K activations.

const (
	q4KBytes  = 144
	q4KD      = 0
	q4KDmin   = 2
	q4KScales = 4
	q4KQs     = 16
)

func dequantizeQ4K(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/qkK; ib++ {
		b := (*[q4KBytes]byte)(src[ib*q4KBytes:])
		y := (*[qkK]float32)(dst[ib*qkK:])
		d, dmin := f16At(b[q4KD:]), f16At(b[q4KDmin:])
		sc, m := unpackScalesK4(b[q4KScales:])
		for j := range 8 {
			dj := float32(d * float32(sc[j]))
			mj := float32(dmin * float32(m[j]))
			qs := (*[32]byte)(b[q4KQs+32*(j/2):])
			shift := uint(4 * (j % 2))
			for l := range 32 {
				y[32*j+l] = float32(dj*float32(qs[l]>>(shift&7)&0xf)) - mj
			}
		}
	}
}

// quantizeQ4K is llama.cpp's quantize_row_q4_K_ref.
func quantizeQ4K(src []float32, dst []byte) {
	var (
		L       [qkK]uint8
		Laux    [32]uint8
		weights [32]float32
		scales  [8]float32
		mins    [8]float32
	)
	for ib := 0; ib < len(src)/qkK; ib++ {
		x := (*[qkK]float32)(src[ib*qkK:])
		b := (*[q4KBytes]byte)(dst[ib*q4KBytes:])
		for j := range 8 {
			xj := x[32*j : 32*j+32]
			subBlockStats(xj, weights[:])
			scales[j], mins[j] = searchScaleMin(15, xj, weights[:], L[32*j:32*j+32], Laux[:], -1, 0.1, 20, false)
		}
		d, dmin := quantizeScalesK4(b[q4KScales:], b[q4KD:], b[q4KDmin:], &scales, &mins)
		requantizeK4(x, &L, b[q4KScales:], d, dmin, 15)
		for k := range 4 {
			for l := range 32 {
				b[q4KQs+32*k+l] = L[64*k+l] | L[64*k+32+l]<<4
			}
		}
	}
}

// requantizeK4 recomputes each sub-block's levels against the scale and
// minimum as stored (rounded to 6 bits and F16), as llama.cpp does; a
// sub-block whose scale rounded to zero keeps the levels of its search.
func requantizeK4(x *[qkK]float32, L *[qkK]uint8, scales []byte, d, dmin float32, nmax int32) {
	for j := range 8 {
		sc, m := scaleMinK4(scales, j)
		dj := float32(d * float32(sc))
		if dj == 0 {
			continue
		}
		mj := float32(dmin * float32(m))
		for l := range 32 {
			L[32*j+l] = uint8(max(0, min(nmax, nearestInt((x[32*j+l]+mj)/dj))))
		}
	}
}

// dotQ4K follows ggml_vec_dot_q4_K_q8_K (generic); see k_dot.go. The
// minimums come off through Q8_K's group sums as dmin_w·d_x·Σ bsum·min.
// The nibbles are used in place: unpacking them into a buffer first, as the
// other k-quants do, measured ~1.2x slower here.
func dotQ4K(nb int, w, x []byte) float32 {
	var (
		sums [8]float32
		sc16 [16]int32
		sumf float32
	)
	for ib := 0; ib < nb; ib++ {
		wb := (*[q4KBytes]byte)(w[ib*q4KBytes:])
		xb := (*[q8KBytes]byte)(x[ib*q8KBytes:])
		sumf -= kScalesAndMins(wb[q4KScales:], xb, &sc16, f16At(wb[q4KDmin:]))
		var lanes [8]int32
		for k := 0; k < 4; k++ {
			qs := (*[32]byte)(wb[q4KQs+32*k:])
			lo := (*[32]byte)(xb[q8KQs+64*k:])
			hi := (*[32]byte)(xb[q8KQs+64*k+32:])
			sl, sh := sc16[4*k], sc16[4*k+2]
			for t := 0; t < 8; t++ {
				q0, q1, q2, q3 := qs[t], qs[t+8], qs[t+16], qs[t+24]
				pl := int32(q0&0xf)*int32(int8(lo[t])) + int32(q1&0xf)*int32(int8(lo[t+8])) +
					int32(q2&0xf)*int32(int8(lo[t+16])) + int32(q3&0xf)*int32(int8(lo[t+24]))
				ph := int32(q0>>4)*int32(int8(hi[t])) + int32(q1>>4)*int32(int8(hi[t+8])) +
					int32(q2>>4)*int32(int8(hi[t+16])) + int32(q3>>4)*int32(int8(hi[t+24]))
				lanes[t] += sl*pl + sh*ph
			}
		}
		addLanes(&sums, float32(f16At(wb[q4KD:])*q8KScale(xb)), &lanes)
	}
	return sumLanes(sumf, &sums)
}

// kScalesAndMins unpacks a Q4_K/Q5_K scale block into per-16-group scales
// and returns the minimums' contribution dmin_w·d_x·Σ bsum_g·min_{g/2}, the
// term llama.cpp subtracts from its running sum.
func kScalesAndMins(q []byte, xb *[q8KBytes]byte, sc16 *[16]int32, dmin float32) float32 {
	sc, m := unpackScalesK4(q)
	var sumi int32
	for g := range 16 {
		sc16[g] = int32(sc[g/2])
		sumi += q8KBsum(xb, g) * int32(m[g/2])
	}
	return float32(float32(dmin*q8KScale(xb)) * float32(sumi))
}
