package quant

// The 12-byte scale block shared by Q4_K and Q5_K: eight 6-bit scales and
// eight 6-bit minimums, one pair per 32-element sub-block j.
//
//	j < 4:  scale = byte j & 63,            min = byte j+4 & 63
//	j ≥ 4:  scale = byte j+4 & 15 | (byte j−4 >> 6) << 4
//	        min   = byte j+4 >> 4 | (byte j   >> 6) << 4

// scaleMinK4 unpacks sub-block j's scale and minimum.
func scaleMinK4(q []byte, j int) (sc, m uint8) {
	if j < 4 {
		return q[j] & 63, q[j+4] & 63
	}
	return q[j+4]&0xf | (q[j-4]>>6)<<4, q[j+4]>>4 | (q[j]>>6)<<4
}

// unpackScalesK4 unpacks all eight scales and minimums.
func unpackScalesK4(q []byte) (sc, m [8]uint8) {
	for j := range 8 {
		sc[j], m[j] = scaleMinK4(q, j)
	}
	return sc, m
}

// packScalesK4 stores eight 6-bit scales and minimums (llama.cpp's layout).
func packScalesK4(q []byte, sc, m *[8]uint8) {
	for j := range 8 {
		ls, lm := sc[j], m[j]
		if j < 4 {
			q[j] = ls
			q[j+4] = lm
		} else {
			q[j+4] = ls&0xf | (lm&0xf)<<4
			q[j-4] |= (ls >> 4) << 6
			q[j] |= (lm >> 4) << 6
		}
	}
}

// quantizeScalesK4 is the part of llama.cpp's Q4_K/Q5_K reference quantizer
// that turns per-sub-block float scales and minimums into 6-bit integers and
// two F16 factors; it returns the factors as stored.
func quantizeScalesK4(q []byte, dBytes, dminBytes []byte, scales, mins *[8]float32) (d, dmin float32) {
	var maxScale, maxMin float32
	for j := range 8 {
		if scales[j] > maxScale {
			maxScale = scales[j]
		}
		if mins[j] > maxMin {
			maxMin = mins[j]
		}
	}
	var invScale, invMin float32
	if maxScale > 0 {
		invScale = 63 / maxScale
	}
	if maxMin > 0 {
		invMin = 63 / maxMin
	}
	var ls, lm [8]uint8
	for j := range 8 {
		ls[j] = min(63, uint8(nearestInt(invScale*scales[j])))
		lm[j] = min(63, uint8(nearestInt(invMin*mins[j])))
	}
	packScalesK4(q, &ls, &lm)
	putF16(dBytes, maxScale/63)
	putF16(dminBytes, maxMin/63)
	return f16At(dBytes), f16At(dminBytes)
}

// subBlockStats returns llama.cpp's weights for one 32-element sub-block of
// a Q4_K/Q5_K search: rms(x) + |x_i|.
func subBlockStats(x []float32, weights []float32) {
	var sumX2 float32
	for _, v := range x {
		sumX2 += float32(v * v)
	}
	avX := sqrt32(sumX2 / 32)
	for l, v := range x {
		weights[l] = avX + abs32(v)
	}
}
