package quant

import "encoding/binary"

// Q5_1: 32 elements in 24 bytes, a 5-bit format with an offset.
//
//	bytes 0–1   d, the scale (F16)
//	bytes 2–3   m, the minimum (F16)
//	bytes 4–7   qh: bit j (little-endian uint32) is the 5th bit of element j
//	bytes 8–23  qs: byte j holds the low 4 bits of element j (low nibble)
//	            and of element j+16 (high nibble)
//
// Element value: q·d + m, q ∈ [0, 31].
// Dot products pair it with Q8_1 activations.

const q5_1Bytes = 24

func dequantizeQ5_1(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/32; ib++ {
		b := (*[q5_1Bytes]byte)(src[ib*q5_1Bytes:])
		y := (*[32]float32)(dst[ib*32:])
		d, m := f16At(b[0:]), f16At(b[2:])
		qh := binary.LittleEndian.Uint32(b[4:])
		for j := 0; j < 16; j++ {
			q := b[8+j]
			q0 := int32(q&0xf) | int32(qh>>j&1)<<4
			q1 := int32(q>>4) | int32(qh>>(j+16)&1)<<4
			y[j] = float32(float32(q0)*d) + m
			y[j+16] = float32(float32(q1)*d) + m
		}
	}
}

// quantizeQ5_1 is llama.cpp's reference quantizer: 32 even steps from the
// block's minimum to its maximum.
func quantizeQ5_1(src []float32, dst []byte) {
	for ib := 0; ib < len(src)/32; ib++ {
		x := (*[32]float32)(src[ib*32:])
		b := (*[q5_1Bytes]byte)(dst[ib*q5_1Bytes:])
		lo, hi := minMax(x[:])
		d := (hi - lo) / 31
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(b[0:], d)
		putF16(b[2:], lo)
		var qh uint32
		for j := 0; j < 16; j++ {
			q0 := uint8(truncInt(float32((x[j]-lo)*id) + 0.5))
			q1 := uint8(truncInt(float32((x[j+16]-lo)*id) + 0.5))
			b[8+j] = q0&0xf | (q1&0xf)<<4
			qh |= uint32(q0>>4&1) << j
			qh |= uint32(q1>>4&1) << (j + 16)
		}
		binary.LittleEndian.PutUint32(b[4:], qh)
	}
}

// dotQ5_1 follows ggml_vec_dot_q5_1_q8_1: (d_w·d_x)·Σq_w·q_x + m_w·s_x.
func dotQ5_1(nb int, w, x []byte) float32 {
	var sumf float32
	for ib := 0; ib < nb; ib++ {
		wb := (*[q5_1Bytes]byte)(w[ib*q5_1Bytes:])
		xb := (*[q8_1Bytes]byte)(x[ib*q8_1Bytes:])
		qh := binary.LittleEndian.Uint32(wb[4:])
		sumi := dotNibbles5((*[16]byte)(wb[8:]), qh, (*[32]byte)(xb[4:]), 0)
		dd := float32(f16At(wb[0:]) * f16At(xb[0:]))
		ms := float32(f16At(wb[2:]) * f16At(xb[2:]))
		sumf += float32(float32(dd*float32(sumi)) + ms)
	}
	return sumf
}
