package quant

// Q4_0: 32 elements in 18 bytes, a symmetric 4-bit format.
//
//	bytes 0–1   d, the scale (little-endian F16)
//	bytes 2–17  qs: byte j holds element j in its low nibble and element
//	            j+16 in its high nibble
//
// Element value: (q − 8)·d, q ∈ [0, 15].
// Dot products pair it with Q8_0 activations.

const q4_0Bytes = 18

func dequantizeQ4_0(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/32; ib++ {
		b := (*[q4_0Bytes]byte)(src[ib*q4_0Bytes:])
		y := (*[32]float32)(dst[ib*32:])
		d := f16At(b[0:])
		for j := 0; j < 16; j++ {
			q := b[2+j]
			y[j] = float32(int32(q&0xf)-8) * d
			y[j+16] = float32(int32(q>>4)-8) * d
		}
	}
}

// quantizeQ4_0 is llama.cpp's reference quantizer: the scale maps the
// element of largest magnitude to −8 exactly, the others round to nearest.
func quantizeQ4_0(src []float32, dst []byte) {
	for ib := 0; ib < len(src)/32; ib++ {
		x := (*[32]float32)(src[ib*32:])
		b := (*[q4_0Bytes]byte)(dst[ib*q4_0Bytes:])
		var amax, max float32
		for _, v := range x {
			if a := abs32(v); amax < a {
				amax, max = a, v
			}
		}
		d := max / -8
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(b[0:], d)
		for j := 0; j < 16; j++ {
			lo := min(15, int32(int8(truncInt(float32(x[j]*id)+8.5))))
			hi := min(15, int32(int8(truncInt(float32(x[j+16]*id)+8.5))))
			b[2+j] = uint8(lo) | uint8(hi)<<4
		}
	}
}

// dotQ4_0 follows ggml_vec_dot_q4_0_q8_0: an integer sum per block, then
// sum·d_w·d_x added to a float32 total.
func dotQ4_0(nb int, w, x []byte) float32 {
	var sumf float32
	for ib := 0; ib < nb; ib++ {
		wb := (*[q4_0Bytes]byte)(w[ib*q4_0Bytes:])
		xb := (*[q8_0Bytes]byte)(x[ib*q8_0Bytes:])
		sumi := dotNibbles((*[16]byte)(wb[2:]), (*[32]byte)(xb[2:]), 8)
		sumf += float32(float32(float32(sumi)*f16At(wb[0:])) * f16At(xb[0:]))
	}
	return sumf
}

// dotNibbles returns Σ (q_j − off)·y_j over a block of 32, where q_j is the
// low nibble of qs[j] for j < 16 and the high nibble of qs[j−16] otherwise
// (the Q4_0/Q4_1 order) and y_j are signed bytes. Two accumulators, two
// bytes a step: the fastest of the plain-Go shapes measured.
func dotNibbles(qs *[16]byte, y *[32]byte, off int32) int32 {
	var s0, s1 int32
	for j := 0; j <= 14; j += 2 {
		q0, q1 := qs[j], qs[j+1]
		s0 += (int32(q0&0xf)-off)*int32(int8(y[j])) + (int32(q0>>4)-off)*int32(int8(y[j+16]))
		s1 += (int32(q1&0xf)-off)*int32(int8(y[j+1])) + (int32(q1>>4)-off)*int32(int8(y[j+17]))
	}
	return s0 + s1
}
