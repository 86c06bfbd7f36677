package quant

import "encoding/binary"

// Q6_K: 256 elements in 210 bytes; 16 groups of 16, each with a signed
// 8-bit scale, all scaled by one F16 factor. Symmetric: no minimum.
//
//	bytes 0–127    ql, the low 4 bits: in half h (elements 128·h …), element
//	               128·h + 32·s + l (s < 4, l < 32) is the low nibble of
//	               ql[64·h + l + 32·(s%2)] for s < 2 and the high nibble for s ≥ 2
//	bytes 128–191  qh, the top 2 bits: bits 2s..2s+1 of qh[32·h + l]
//	bytes 192–207  the 16 scales, signed bytes
//	bytes 208–209  d (F16)
//
// Element value, in group g = i/16: d·scale_g·(q − 32), q ∈ [0, 63].
// Dot products pair it with Q8_K activations.

const (
	q6KBytes  = 210
	q6KQl     = 0
	q6KQh     = 128
	q6KScales = 192
	q6KD      = 208
)

func dequantizeQ6K(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/qkK; ib++ {
		b := (*[q6KBytes]byte)(src[ib*q6KBytes:])
		y := (*[qkK]float32)(dst[ib*qkK:])
		d := f16At(b[q6KD:])
		var a [qkK]byte
		unpackQ6K(b, &a)
		for i := range y {
			y[i] = d * float32(int8(b[q6KScales+i/16])) * float32(int8(a[i]))
		}
	}
}

// quantizeQ6K is llama.cpp's quantize_row_q6_K_ref.
func quantizeQ6K(src []float32, dst []byte) {
	var (
		L      [qkK]int8
		scales [16]float32
	)
	for ib := 0; ib < len(src)/qkK; ib++ {
		x := (*[qkK]float32)(src[ib*qkK:])
		b := (*[q6KBytes]byte)(dst[ib*q6KBytes:])
		var maxScale, maxAbs float32
		for g := range 16 {
			scales[g] = searchScaleSym(32, x[16*g:16*g+16], L[16*g:16*g+16])
			if a := abs32(scales[g]); a > maxAbs {
				maxAbs, maxScale = a, scales[g]
			}
		}
		if maxAbs < groupMaxEps {
			clear(b[:])
			continue
		}
		iscale := -128 / maxScale
		putF16(b[q6KD:], 1/iscale)
		for g := range 16 {
			b[q6KScales+g] = byte(int8(min(127, nearestInt(iscale*scales[g]))))
		}
		d := f16At(b[q6KD:])
		for g := range 16 {
			dg := float32(d * float32(int8(b[q6KScales+g])))
			if dg == 0 {
				continue
			}
			for l := range 16 {
				L[16*g+l] = int8(max(-32, min(31, nearestInt(x[16*g+l]/dg))) + 32)
			}
		}
		for h := 0; h < 2; h++ {
			ql := b[q6KQl+64*h : q6KQl+64*h+64]
			qh := b[q6KQh+32*h : q6KQh+32*h+32]
			for l := range 32 {
				j := 128*h + l
				q1, q2, q3, q4 := uint8(L[j]), uint8(L[j+32]), uint8(L[j+64]), uint8(L[j+96])
				ql[l] = q1&0xf | (q3&0xf)<<4
				ql[l+32] = q2&0xf | (q4&0xf)<<4
				qh[l] = q1>>4 | (q2>>4)<<2 | (q3>>4)<<4 | (q4>>4)<<6
			}
		}
	}
}

// unpackQ6K writes the 256 signed levels q − 32 of a Q6_K block, eight
// at a time in the bytes of a uint64 (the masks keep each byte's bits to
// itself; adding 0x60 and flipping the top bit subtracts 32 from a byte
// holding 0–63 without borrowing from its neighbour).
func unpackQ6K(b *[q6KBytes]byte, a *[qkK]byte) {
	const low4, low2, sub32, flip = 0x0f0f0f0f0f0f0f0f, 0x0303030303030303, 0x6060606060606060, 0x8080808080808080
	for h := 0; h < 2; h++ {
		ql := (*[64]byte)(b[q6KQl+64*h:])
		qh := (*[32]byte)(b[q6KQh+32*h:])
		ah := (*[128]byte)(a[128*h:])
		for l := 0; l <= 24; l += 8 {
			lo0 := binary.LittleEndian.Uint64(ql[l:])
			lo1 := binary.LittleEndian.Uint64(ql[l+32:])
			hi := binary.LittleEndian.Uint64(qh[l:])
			binary.LittleEndian.PutUint64(ah[l:], (lo0&low4|(hi&low2)<<4)+sub32^flip)
			binary.LittleEndian.PutUint64(ah[l+32:], (lo1&low4|(hi>>2&low2)<<4)+sub32^flip)
			binary.LittleEndian.PutUint64(ah[l+64:], (lo0>>4&low4|(hi>>4&low2)<<4)+sub32^flip)
			binary.LittleEndian.PutUint64(ah[l+96:], (lo1>>4&low4|(hi>>6&low2)<<4)+sub32^flip)
		}
	}
}

// dotQ6K follows ggml_vec_dot_q6_K_q8_K (generic); see k_dot.go.
func dotQ6K(nb int, w, x []byte) float32 {
	var (
		sums [8]float32
		a    [qkK]byte
		sc   [16]int32
	)
	for ib := 0; ib < nb; ib++ {
		wb := (*[q6KBytes]byte)(w[ib*q6KBytes:])
		xb := (*[q8KBytes]byte)(x[ib*q8KBytes:])
		unpackQ6K(wb, &a)
		for g := range sc {
			sc[g] = int32(int8(wb[q6KScales+g]))
		}
		lanes := laneDot(&a, q8KQuants(xb), &sc)
		addLanes(&sums, float32(f16At(wb[q6KD:])*q8KScale(xb)), &lanes)
	}
	return sumLanes(0, &sums)
}
