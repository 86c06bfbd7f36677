package quant

// Q8_1: 32 elements in 36 bytes, the activation type llama.cpp pairs with
// Q4_1 and Q5_1 weights. It is Q8_0 plus a precomputed sum, so that the
// weight's offset m contributes m·s without touching the quants.
//
//	bytes 0–1   d, the scale (F16)
//	bytes 2–3   s = d·Σq (F16, from the unrounded float32 d)
//	bytes 4–35  qs: element j as a signed byte
//
// Element value: q·d.

const q8_1Bytes = 36

func dequantizeQ8_1(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/32; ib++ {
		b := (*[q8_1Bytes]byte)(src[ib*q8_1Bytes:])
		y := (*[32]float32)(dst[ib*32:])
		d := f16At(b[0:])
		for j := range y {
			y[j] = float32(int8(b[4+j])) * d
		}
	}
}

// quantizeQ8_1 reproduces ggml-cpu's AVX2 quantize_row_q8_1 (see
// quantizeQ8_0 for how it differs from the reference). The sum is taken
// over the converted 32-bit integers before they are saturated to bytes.
func quantizeQ8_1(src []float32, dst []byte) {
	for ib := 0; ib < len(src)/32; ib++ {
		x := (*[32]float32)(src[ib*32:])
		b := (*[q8_1Bytes]byte)(dst[ib*q8_1Bytes:])
		amax := absMaxAVX(x)
		d := amax / 127
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		var sum int32
		for j, v := range x {
			q := roundEvenInt(v * id)
			sum += q
			b[4+j] = byte(satInt8(q))
		}
		putF16(b[0:], d)
		putF16(b[2:], d*float32(sum))
	}
}
