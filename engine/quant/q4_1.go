package quant

// Q4_1: 32 elements in 20 bytes, a 4-bit format with an offset.
//
//	bytes 0–1   d, the scale (F16)
//	bytes 2–3   m, the minimum (F16)
//	bytes 4–19  qs: byte j holds element j (low nibble) and j+16 (high)
//
// Element value: q·d + m, q ∈ [0, 15].
// Dot products pair it with Q8_1 activations, whose precomputed d·Σq
// carries the m term.

const q4_1Bytes = 20

func dequantizeQ4_1(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/32; ib++ {
		b := (*[q4_1Bytes]byte)(src[ib*q4_1Bytes:])
		y := (*[32]float32)(dst[ib*32:])
		d, m := f16At(b[0:]), f16At(b[2:])
		for j := 0; j < 16; j++ {
			q := b[4+j]
			y[j] = float32(float32(q&0xf)*d) + m
			y[j+16] = float32(float32(q>>4)*d) + m
		}
	}
}

// quantizeQ4_1 is llama.cpp's reference quantizer: 16 even steps from the
// block's minimum to its maximum.
func quantizeQ4_1(src []float32, dst []byte) {
	for ib := 0; ib < len(src)/32; ib++ {
		x := (*[32]float32)(src[ib*32:])
		b := (*[q4_1Bytes]byte)(dst[ib*q4_1Bytes:])
		lo, hi := minMax(x[:])
		d := (hi - lo) / 15
		var id float32
		if d != 0 {
			id = 1 / d
		}
		putF16(b[0:], d)
		putF16(b[2:], lo)
		for j := 0; j < 16; j++ {
			q0 := min(15, int32(int8(truncInt(float32((x[j]-lo)*id)+0.5))))
			q1 := min(15, int32(int8(truncInt(float32((x[j+16]-lo)*id)+0.5))))
			b[4+j] = uint8(q0) | uint8(q1)<<4
		}
	}
}

// minMax is the smallest and largest element, starting from ±MaxFloat32 as
// llama.cpp does (so NaNs are skipped).
func minMax(x []float32) (lo, hi float32) {
	lo, hi = maxFloat32, -maxFloat32
	for _, v := range x {
		if v < lo {
			lo = v
		}
		if v > hi {
			hi = v
		}
	}
	return lo, hi
}

// dotQ4_1 follows ggml_vec_dot_q4_1_q8_1: (d_w·d_x)·Σq_w·q_x + m_w·s_x per
// block, where s_x = d_x·Σq_x was stored with the activations.
func dotQ4_1(nb int, w, x []byte) float32 {
	var sumf float32
	for ib := 0; ib < nb; ib++ {
		wb := (*[q4_1Bytes]byte)(w[ib*q4_1Bytes:])
		xb := (*[q8_1Bytes]byte)(x[ib*q8_1Bytes:])
		sumi := dotNibbles((*[16]byte)(wb[4:]), (*[32]byte)(xb[4:]), 0)
		dd := float32(f16At(wb[0:]) * f16At(xb[0:]))
		ms := float32(f16At(wb[2:]) * f16At(xb[2:]))
		sumf += float32(float32(dd*float32(sumi)) + ms)
	}
	return sumf
}
