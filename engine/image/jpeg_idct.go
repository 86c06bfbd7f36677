package image

// The inverse DCT stb_image applies to each 8×8 block when SIMD is off (as
// in llama.cpp's wasm build, where the vision oracle runs): the "islow"
// integer algorithm of the IJG library, with constants in 12-bit fixed
// point, a first pass down the columns that keeps two extra bits, and a
// second pass along the rows that removes the rest with rounding, adds the
// level shift of 128 and clamps to 0…255. Go's image/jpeg uses another
// integer IDCT whose results differ by a level or two in a few percent of
// the samples; the encoder downstream sees those differences.

// fix12 is c in 12-bit fixed point, rounded as stb rounds its constants
// (c·4096 in float32, then +0.5 and truncation).
func fix12(c float32) int32 { return int32(float64(c*4096) + 0.5) }

var (
	idctC0 = fix12(0.5411961)
	idctC1 = fix12(-1.847759065)
	idctC2 = fix12(0.765366865)
	idctC3 = fix12(1.175875602)
	idctC4 = fix12(0.298631336)
	idctC5 = fix12(2.053119869)
	idctC6 = fix12(3.072711026)
	idctC7 = fix12(1.501321110)
	idctC8 = fix12(-0.899976223)
	idctC9 = fix12(-2.562915447)
	idctCa = fix12(-1.961570560)
	idctCb = fix12(-0.390180644)
)

// idct1D is one 8-point pass over s (s[i] is the coefficient of frequency
// i, already scaled): it returns the even part's four sums x0…x3 (scaled
// by 4096) and the odd part's four terms t0…t3, from which the outputs
// are x0±t3, x1±t2, x2±t1, x3±t0.
func idct1D(s0, s1, s2, s3, s4, s5, s6, s7 int32) (x0, x1, x2, x3, t0, t1, t2, t3 int32) {
	// Even part: frequencies 2 and 6 by a rotation, 0 and 4 by sum and
	// difference.
	p1 := (s2 + s6) * idctC0
	e2 := p1 + s6*idctC1
	e3 := p1 + s2*idctC2
	e0 := (s0 + s4) * 4096
	e1 := (s0 - s4) * 4096
	x0, x3 = e0+e3, e0-e3
	x1, x2 = e1+e2, e1-e2
	// Odd part: frequencies 7, 5, 3, 1.
	o0, o1, o2, o3 := s7, s5, s3, s1
	q3 := o0 + o2
	q4 := o1 + o3
	q1 := o0 + o3
	q2 := o1 + o2
	q5 := (q3 + q4) * idctC3
	o0 *= idctC4
	o1 *= idctC5
	o2 *= idctC6
	o3 *= idctC7
	q1 = q5 + q1*idctC8
	q2 = q5 + q2*idctC9
	q3 *= idctCa
	q4 *= idctCb
	t3 = o3 + q1 + q4
	t2 = o2 + q2 + q3
	t1 = o1 + q2 + q4
	t0 = o0 + q1 + q3
	return
}

// idctBlock writes the 8×8 samples of the dequantised coefficients in (in
// natural, row-major order) to out, whose rows are stride bytes apart.
func idctBlock(out []uint8, stride int, in *[64]int16) {
	var tmp [64]int32
	for c := 0; c < 8; c++ {
		x0, x1, x2, x3, t0, t1, t2, t3 := idct1D(int32(in[c]), int32(in[8+c]), int32(in[16+c]), int32(in[24+c]),
			int32(in[32+c]), int32(in[40+c]), int32(in[48+c]), int32(in[56+c]))
		// Down from 12 fractional bits to 2, rounding.
		x0, x1, x2, x3 = x0+512, x1+512, x2+512, x3+512
		tmp[c] = (x0 + t3) >> 10
		tmp[56+c] = (x0 - t3) >> 10
		tmp[8+c] = (x1 + t2) >> 10
		tmp[48+c] = (x1 - t2) >> 10
		tmp[16+c] = (x2 + t1) >> 10
		tmp[40+c] = (x2 - t1) >> 10
		tmp[24+c] = (x3 + t0) >> 10
		tmp[32+c] = (x3 - t0) >> 10
	}
	for r := 0; r < 8; r++ {
		v := tmp[8*r : 8*r+8]
		x0, x1, x2, x3, t0, t1, t2, t3 := idct1D(v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7])
		// 12 + 2 fractional bits and the factor 8 of the two passes come
		// off with rounding; the level shift of 128 goes on first.
		const bias = 1<<16 + 128<<17
		x0, x1, x2, x3 = x0+bias, x1+bias, x2+bias, x3+bias
		o := out[r*stride : r*stride+8]
		o[0] = clampByte((x0 + t3) >> 17)
		o[7] = clampByte((x0 - t3) >> 17)
		o[1] = clampByte((x1 + t2) >> 17)
		o[6] = clampByte((x1 - t2) >> 17)
		o[2] = clampByte((x2 + t1) >> 17)
		o[5] = clampByte((x2 - t1) >> 17)
		o[3] = clampByte((x3 + t0) >> 17)
		o[4] = clampByte((x3 - t0) >> 17)
	}
}

func clampByte(v int32) uint8 {
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}
