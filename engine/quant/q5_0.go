package quant

import "encoding/binary"

// Q5_0: 32 elements in 22 bytes, a symmetric 5-bit format.
//
//	bytes 0–1   d, the scale (F16)
//	bytes 2–5   qh: bit j (little-endian uint32) is the 5th bit of element j
//	bytes 6–21  qs: byte j holds the low 4 bits of element j (low nibble)
//	            and of element j+16 (high nibble)
//
// Element value: (q − 16)·d, q ∈ [0, 31].
// Dot products pair it with Q8_0 activations.

const q5_0Bytes = 22

func dequantizeQ5_0(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/32; ib++ {
		b := (*[q5_0Bytes]byte)(src[ib*q5_0Bytes:])
		y := (*[32]float32)(dst[ib*32:])
		d := f16At(b[0:])
		qh := binary.LittleEndian.Uint32(b[2:])
		for j := 0; j < 16; j++ {
			q := b[6+j]
			h0 := int32(qh>>j&1) << 4
			h1 := int32(qh>>(j+16)&1) << 4
			y[j] = float32(int32(q&0xf)|h0-16) * d
			y[j+16] = float32(int32(q>>4)|h1-16) * d
		}
	}
}

// quantizeQ5_0 is llama.cpp's reference quantizer: the scale maps the
// element of largest magnitude to −16 exactly.
func quantizeQ5_0(src []float32, dst []byte) {
	for ib := 0; ib < len(src)/32; ib++ {
		x := (*[32]float32)(src[ib*32:])
		b := (*[q5_0Bytes]byte)(dst[ib*q5_0Bytes:])
		var amax, max float32
		for _, v := range x {
			if a := abs32(v); amax < a {
				amax, max = a, v
			}
		}
		d := max / -16
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(b[0:], d)
		var qh uint32
		for j := 0; j < 16; j++ {
			q0 := uint8(min(31, int32(int8(truncInt(float32(x[j]*id)+16.5)))))
			q1 := uint8(min(31, int32(int8(truncInt(float32(x[j+16]*id)+16.5)))))
			b[6+j] = q0&0xf | (q1&0xf)<<4
			qh |= uint32(q0>>4&1) << j
			qh |= uint32(q1>>4&1) << (j + 16)
		}
		binary.LittleEndian.PutUint32(b[2:], qh)
	}
}

// dotQ5_0 follows ggml_vec_dot_q5_0_q8_0: (d_w·d_x)·Σq_w·q_x per block.
func dotQ5_0(nb int, w, x []byte) float32 {
	var sumf float32
	for ib := 0; ib < nb; ib++ {
		wb := (*[q5_0Bytes]byte)(w[ib*q5_0Bytes:])
		xb := (*[q8_0Bytes]byte)(x[ib*q8_0Bytes:])
		qh := binary.LittleEndian.Uint32(wb[2:])
		sumi := dotNibbles5((*[16]byte)(wb[6:]), qh, (*[32]byte)(xb[2:]), 16)
		sumf += float32(f16At(wb[0:]) * f16At(xb[0:]) * float32(sumi))
	}
	return sumf
}

// dotNibbles5 is dotNibbles for the 5-bit formats: bit j of qh is the fifth
// bit of q_j.
func dotNibbles5(qs *[16]byte, qh uint32, y *[32]byte, off int32) int32 {
	var s0, s1 int32
	for j := 0; j <= 14; j += 2 {
		q0, q1 := qs[j], qs[j+1]
		h := qh >> j
		s0 += ((int32(q0&0xf)|int32(h&1)<<4)-off)*int32(int8(y[j])) +
			((int32(q0>>4)|int32(h>>16&1)<<4)-off)*int32(int8(y[j+16]))
		s1 += ((int32(q1&0xf)|int32(h>>1&1)<<4)-off)*int32(int8(y[j+1])) +
			((int32(q1>>4)|int32(h>>17&1)<<4)-off)*int32(int8(y[j+17]))
	}
	return s0 + s1
}
