package quant

import "encoding/binary"

// Q3_K: 256 elements in 110 bytes; 16 groups of 16, each with a signed
// 6-bit scale, all scaled by one F16 factor. Symmetric: no minimum.
//
//	bytes 0–31     hmask: the 3rd bit of element i is bit i/32 of hmask[i%32]
//	bytes 32–95    qs, the low 2 bits, laid out as in Q2_K: element
//	               128·h + 32·s + l is bits 2s..2s+1 of qs[32·h + l]
//	bytes 96–107   the 16 scales, 6 bits each, stored +32: the low nibble of
//	               scale g is nibble g/8 of byte g%8; its top two bits are
//	               bits 2·(g/4)..2·(g/4)+1 of byte 8 + g%4
//	bytes 108–109  d, the factor of the scales (F16)
//
// Element value, in group g = i/16: d·(scale_g − 32)·(q − 4), where
// q = low bits | 3rd bit << 2, so q − 4 ∈ [−4, 3].
// Dot products pair it with Q8_K activations.

const (
	q3KBytes  = 110
	q3KHmask  = 0
	q3KQs     = 32
	q3KScales = 96
	q3KD      = 108
)

// q3KUnpackScales unpacks the 16 six-bit scales of a Q3_K block, minus 32.
func q3KUnpackScales(b *[q3KBytes]byte) (sc [16]int32) {
	s := b[q3KScales : q3KScales+12]
	for g := range 16 {
		low := s[g%8] >> (4 * (g / 8)) & 0xf
		high := s[8+g%4] >> (2 * (g / 4)) & 3
		sc[g] = int32(low|high<<4) - 32
	}
	return sc
}

func dequantizeQ3K(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/qkK; ib++ {
		b := (*[q3KBytes]byte)(src[ib*q3KBytes:])
		y := (*[qkK]float32)(dst[ib*qkK:])
		d := f16At(b[q3KD:])
		sc := q3KUnpackScales(b)
		var a [qkK]byte
		unpackQ3K(b, &a)
		for i := range y {
			dl := float32(d * float32(sc[i/16]))
			y[i] = dl * float32(int8(a[i]))
		}
	}
}

// quantizeQ3K is llama.cpp's quantize_row_q3_K_ref.
func quantizeQ3K(src []float32, dst []byte) {
	var (
		L      [qkK]int8
		scales [16]float32
	)
	for ib := 0; ib < len(src)/qkK; ib++ {
		x := (*[qkK]float32)(src[ib*qkK:])
		b := (*[q3KBytes]byte)(dst[ib*q3KBytes:])
		var maxScale, amax float32
		for g := range 16 {
			scales[g] = searchScaleQ3(4, x[16*g:16*g+16], L[16*g:16*g+16])
			if a := abs32(scales[g]); a > amax {
				amax, maxScale = a, scales[g]
			}
		}
		s := b[q3KScales : q3KScales+12]
		clear(s)
		if maxScale != 0 {
			iscale := -32 / maxScale
			for g := range 16 {
				l := uint8(max(-32, min(31, int32(int8(nearestInt(iscale*scales[g]))))) + 32)
				if g < 8 {
					s[g] = l & 0xf
				} else {
					s[g-8] |= (l & 0xf) << 4
				}
				s[8+g%4] |= (l >> 4) << (2 * (g / 4))
			}
			putF16(b[q3KD:], 1/iscale)
		} else {
			putF16(b[q3KD:], 0)
		}
		d := f16At(b[q3KD:])
		sc := q3KUnpackScales(b)
		for g := range 16 {
			dg := float32(d * float32(sc[g]))
			if dg == 0 {
				continue
			}
			for l := range 16 {
				L[16*g+l] = int8(max(-4, min(3, nearestInt(x[16*g+l]/dg))) + 4)
			}
		}
		hm := b[q3KHmask : q3KHmask+32]
		clear(hm)
		var L2 [qkK]uint8
		for i, l := range L {
			if l > 3 {
				hm[i%32] |= 1 << (i / 32)
				l -= 4
			}
			L2[i] = uint8(l)
		}
		packCrumbs(b[q3KQs:q3KQs+64], &L2)
	}
}

// unpackQ3K writes the 256 signed levels q − 4 of a Q3_K block, eight at
// a time in the bytes of a uint64 (see unpackQ6K).
func unpackQ3K(b *[q3KBytes]byte, a *[qkK]byte) {
	const low2, low1, sub4, flip = 0x0303030303030303, 0x0101010101010101, 0x7c7c7c7c7c7c7c7c, 0x8080808080808080
	hm := (*[32]byte)(b[q3KHmask:])
	for h := 0; h < 2; h++ {
		qs := (*[32]byte)(b[q3KQs+32*h:])
		for s := 0; s < 4; s++ {
			shift, hshift := uint(2*s), uint(4*h+s)
			as := (*[32]byte)(a[128*h+32*s:])
			for l := 0; l <= 24; l += 8 {
				q := binary.LittleEndian.Uint64(qs[l:]) >> (shift & 63) & low2
				m := binary.LittleEndian.Uint64(hm[l:]) >> (hshift & 63) & low1
				binary.LittleEndian.PutUint64(as[l:], (q|m<<2)+sub4^flip)
			}
		}
	}
}

// dotQ3K follows ggml_vec_dot_q3_K_q8_K (generic); see k_dot.go.
func dotQ3K(nb int, w, x []byte) float32 {
	var (
		sums [8]float32
		a    [qkK]byte
	)
	for ib := 0; ib < nb; ib++ {
		wb := (*[q3KBytes]byte)(w[ib*q3KBytes:])
		xb := (*[q8KBytes]byte)(x[ib*q8KBytes:])
		unpackQ3K(wb, &a)
		sc := q3KUnpackScales(wb)
		lanes := laneDot(&a, q8KQuants(xb), &sc)
		addLanes(&sums, float32(f16At(wb[q3KD:])*q8KScale(xb)), &lanes)
	}
	return sumLanes(0, &sums)
}
