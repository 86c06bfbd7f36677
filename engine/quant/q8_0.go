package quant

// Q8_0: 32 elements in 34 bytes, a symmetric 8-bit format; the activation
// type llama.cpp pairs with Q4_0, Q5_0 and Q8_0 weights.
//
//	bytes 0–1   d, the scale (F16)
//	bytes 2–33  qs: element j as a signed byte
//
// Element value: q·d. Quantize writes q ∈ [−127, 127] (−128 only for NaN
// or infinite input); any byte decodes.

const q8_0Bytes = 34

func dequantizeQ8_0(src []byte, dst []float32) {
	for ib := 0; ib < len(dst)/32; ib++ {
		b := (*[q8_0Bytes]byte)(src[ib*q8_0Bytes:])
		y := (*[32]float32)(dst[ib*32:])
		d := f16At(b[0:])
		for j := range y {
			y[j] = float32(int8(b[2+j])) * d
		}
	}
}

// quantizeQ8_0 reproduces ggml-cpu's AVX quantize_row_q8_0, which is what
// llama.cpp runs on x86 to quantize activations. It differs from the
// reference quantize_row_q8_0_ref (and from the ARM and wasm builds) in two
// ways that change bytes: it multiplies by 127/amax rather than by 1/d, and
// it rounds halves to even rather than away from zero.
func quantizeQ8_0(src []float32, dst []byte) {
	for ib := 0; ib < len(src)/32; ib++ {
		x := (*[32]float32)(src[ib*32:])
		b := (*[q8_0Bytes]byte)(dst[ib*q8_0Bytes:])
		amax := absMaxAVX(x)
		putF16(b[0:], amax/127)
		var id float32
		if amax != 0 {
			id = 127 / amax
		}
		for j, v := range x {
			b[2+j] = byte(satInt8(roundEvenInt(v * id)))
		}
	}
}

// absMaxAVX is the largest |x[j]| found the way the AVX code finds it: eight
// lanes of maxps over the four 8-wide vectors, then a tree over the lanes.
// maxps(a, b) is a > b ? a : b, so a NaN is passed over or kept depending on
// its position, exactly as on x86.
func absMaxAVX(x *[32]float32) float32 {
	var m [8]float32
	for k := range m {
		m[k] = abs32(x[k])
	}
	for r := 8; r < 32; r += 8 {
		for k := range m {
			m[k] = maxps(m[k], abs32(x[r+k]))
		}
	}
	var m4 [4]float32
	for k := range m4 {
		m4[k] = maxps(m[k+4], m[k])
	}
	m4[0] = maxps(m4[0], m4[2])
	m4[1] = maxps(m4[1], m4[3])
	return maxps(m4[0], m4[1])
}

func maxps(a, b float32) float32 {
	if a > b {
		return a
	}
	return b
}

// dotQ8_0 follows ggml_vec_dot_q8_0_q8_0: Σq_w·q_x·(d_w·d_x) per block.
func dotQ8_0(nb int, w, x []byte) float32 {
	var sumf float32
	for ib := 0; ib < nb; ib++ {
		wb := (*[q8_0Bytes]byte)(w[ib*q8_0Bytes:])
		xb := (*[q8_0Bytes]byte)(x[ib*q8_0Bytes:])
		sumi := dotI8x32((*[32]byte)(wb[2:]), (*[32]byte)(xb[2:]))
		sumf += float32(float32(sumi) * (f16At(wb[0:]) * f16At(xb[0:])))
	}
	return sumf
}

// dotI8x32 is Σ a[j]·b[j] over 32 signed bytes. Four accumulators, eight
// elements a step: measured ~2x faster than the plain loop.
func dotI8x32(a, b *[32]byte) int32 {
	var s0, s1, s2, s3 int32
	for j := 0; j <= 24; j += 8 {
		s0 += int32(int8(a[j]))*int32(int8(b[j])) + int32(int8(a[j+4]))*int32(int8(b[j+4]))
		s1 += int32(int8(a[j+1]))*int32(int8(b[j+1])) + int32(int8(a[j+5]))*int32(int8(b[j+5]))
		s2 += int32(int8(a[j+2]))*int32(int8(b[j+2])) + int32(int8(a[j+6]))*int32(int8(b[j+6]))
		s3 += int32(int8(a[j+3]))*int32(int8(b[j+3])) + int32(int8(a[j+7]))*int32(int8(b[j+7]))
	}
	return s0 + s1 + s2 + s3
}
