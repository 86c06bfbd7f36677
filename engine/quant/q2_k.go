package quant

// Q2_K: 256 elements in 84 bytes; 16 groups of 16, each with a 4-bit scale
// and a 4-bit minimum, themselves scaled by two F16 super-block factors.
//
//	bytes 0–15   scales: byte g holds group g's scale (low nibble) and
//	             minimum (high nibble)
//	bytes 16–79  qs, 2 bits per element: element i = 128·h + 32·s + l
//	             (h < 2, s < 4, l < 32) is bits 2s..2s+1 of qs[32·h + l]
//	bytes 80–81  d, the factor of the scales (F16)
//	bytes 82–83  dmin, the factor of the minimums (F16)
//
// Element value, in group g = i/16: d·scale_g·q − dmin·min_g, q ∈ [0, 3].
// Dot products pair it with Q8_K activations.

const (
	q2KBytes  = 84
	q2KScales = 0
	q2KQs     = 16
	q2KD      = 80
	q2KDmin   = 82
)

func dequantizeQ2K(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/qkK; ib++ {
		b := (*[q2KBytes]byte)(src[ib*q2KBytes:])
		y := (*[qkK]float32)(dst[ib*qkK:])
		d, dmin := f16At(b[q2KD:]), f16At(b[q2KDmin:])
		for h := 0; h < 2; h++ {
			qs := (*[32]byte)(b[q2KQs+32*h:])
			for s := 0; s < 4; s++ {
				shift := uint(2 * s)
				for half := 0; half < 2; half++ {
					sc := b[q2KScales+8*h+2*s+half]
					dl := float32(d * float32(sc&0xf))
					ml := float32(dmin * float32(sc>>4))
					q := (*[16]byte)(qs[16*half:])
					yo := (*[16]float32)(y[128*h+32*s+16*half:])
					for l := range yo {
						yo[l] = float32(dl*float32(q[l]>>(shift&7)&3)) - ml
					}
				}
			}
		}
	}
}

// quantizeQ2K is llama.cpp's quantize_row_q2_K_ref.
func quantizeQ2K(src []float32, dst []byte) {
	var (
		L       [qkK]uint8
		Laux    [16]uint8
		weights [16]float32
		scales  [16]float32
		mins    [16]float32
	)
	const q4scale = 15
	for ib := 0; ib < len(src)/qkK; ib++ {
		x := (*[qkK]float32)(src[ib*qkK:])
		b := (*[q2KBytes]byte)(dst[ib*q2KBytes:])
		var maxScale, maxMin float32
		for g := range 16 {
			xg := x[16*g : 16*g+16]
			for l, v := range xg {
				weights[l] = abs32(v)
			}
			scales[g], mins[g] = searchScaleMin(3, xg, weights[:], L[16*g:16*g+16], Laux[:], -0.5, 0.1, 15, true)
			if scales[g] > maxScale {
				maxScale = scales[g]
			}
			if mins[g] > maxMin {
				maxMin = mins[g]
			}
		}
		if maxScale > 0 {
			iscale := q4scale / maxScale
			for g := range 16 {
				b[q2KScales+g] = uint8(nearestInt(iscale * scales[g]))
			}
			putF16(b[q2KD:], maxScale/q4scale)
		} else {
			clear(b[q2KScales : q2KScales+16])
			putF16(b[q2KD:], 0)
		}
		if maxMin > 0 {
			iscale := q4scale / maxMin
			for g := range 16 {
				b[q2KScales+g] |= uint8(nearestInt(iscale*mins[g]) << 4)
			}
			putF16(b[q2KDmin:], maxMin/q4scale)
		} else {
			putF16(b[q2KDmin:], 0)
		}
		d, dmin := f16At(b[q2KD:]), f16At(b[q2KDmin:])
		for g := range 16 {
			sc := b[q2KScales+g]
			dg := float32(d * float32(sc&0xf))
			if dg == 0 {
				continue
			}
			mg := float32(dmin * float32(sc>>4))
			for l := range 16 {
				L[16*g+l] = uint8(max(0, min(3, nearestInt((x[16*g+l]+mg)/dg))))
			}
		}
		packCrumbs(b[q2KQs:q2KQs+64], &L)
	}
}

// packCrumbs stores 256 two-bit levels the k-quant way: element
// 128·h + 32·s + l goes to bits 2s..2s+1 of byte 32·h + l.
func packCrumbs(qs []byte, L *[qkK]uint8) {
	for h := 0; h < 2; h++ {
		for l := range 32 {
			j := 128*h + l
			qs[32*h+l] = L[j] | L[j+32]<<2 | L[j+64]<<4 | L[j+96]<<6
		}
	}
}

// dotQ2K follows ggml_vec_dot_q2_K_q8_K: per group an integer sum scaled by
// the group's 4-bit scale, the minimums applied through Q8_K's group sums,
// then dall·isum − dmin·summs per super-block.
func dotQ2K(nb int, w, x []byte) float32 {
	var sumf float32
	for ib := 0; ib < nb; ib++ {
		wb := (*[q2KBytes]byte)(w[ib*q2KBytes:])
		xb := (*[q8KBytes]byte)(x[ib*q8KBytes:])
		yd := q8KScale(xb)
		var summs int32
		for g := range 16 {
			summs += q8KBsum(xb, g) * int32(wb[q2KScales+g]>>4)
		}
		dall := float32(yd * f16At(wb[q2KD:]))
		dmin := float32(yd * f16At(wb[q2KDmin:]))
		var isum int32
		for h := 0; h < 2; h++ {
			qs := (*[32]byte)(wb[q2KQs+32*h:])
			for s := 0; s < 4; s++ {
				shift := uint(2 * s)
				base := q8KQs + 128*h + 32*s
				y := (*[32]byte)(xb[base:])
				g := 8*h + 2*s
				var lo, hi int32
				for l := 0; l < 16; l++ {
					lo += int32(int8(y[l])) * int32(qs[l]>>(shift&7)&3)
					hi += int32(int8(y[l+16])) * int32(qs[l+16]>>(shift&7)&3)
				}
				isum += int32(wb[q2KScales+g]&0xf)*lo + int32(wb[q2KScales+g+1]&0xf)*hi
			}
		}
		sumf += float32(dall*float32(isum)) - float32(dmin*float32(summs))
	}
	return sumf
}
