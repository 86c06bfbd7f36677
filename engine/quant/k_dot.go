package quant

// The integer core shared by the k-quant dot products. llama.cpp's generic
// kernels first unpack a super-block's levels into 256 signed bytes, then
// sum level·activation·group-scale into eight lanes, element i into lane
// i%8; the lane totals are what get scaled to float, so they are what we must
// reproduce (the order of the integer additions does not matter: they are
// exact).

// laneDot returns, for lane k < 8, Σ_g sc[g]·Σ_{i in group g, i%8 = k} a[i]·y[i]
// over 16 groups of 16 elements; a and y hold signed bytes.
func laneDot(a *[qkK]byte, y *[qkK]byte, sc *[16]int32) (lanes [8]int32) {
	for g := 0; g < 16; g += 2 {
		ag := (*[32]byte)(a[16*g:])
		yg := (*[32]byte)(y[16*g:])
		s0, s1 := sc[g], sc[g+1]
		for t := 0; t < 8; t++ {
			p0 := int32(int8(ag[t]))*int32(int8(yg[t])) + int32(int8(ag[t+8]))*int32(int8(yg[t+8]))
			p1 := int32(int8(ag[t+16]))*int32(int8(yg[t+16])) + int32(int8(ag[t+24]))*int32(int8(yg[t+24]))
			lanes[t] += s0*p0 + s1*p1
		}
	}
	return lanes
}

// addLanes scales the lane totals by d into the running float32 sums, one
// rounding per product and per sum as in llama.cpp.
func addLanes(sums *[8]float32, d float32, lanes *[8]int32) {
	for k := range sums {
		sums[k] += float32(d * float32(lanes[k]))
	}
}

// sumLanes adds the eight running sums in order onto start.
func sumLanes(start float32, sums *[8]float32) float32 {
	for _, s := range sums {
		start += s
	}
	return start
}

// q8KQuants is the 256 signed bytes of a Q8_K block.
func q8KQuants(b *[q8KBytes]byte) *[qkK]byte { return (*[qkK]byte)(b[q8KQs:]) }
