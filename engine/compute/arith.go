package compute

import "math"

// The float32 arithmetic of ggml's AVX-512 CPU code, which the oracle runs:
// a fused multiply-add rounded once, the vectorised exp and silu, the
// horizontal sum of a 16-lane register, and the two orders in which F32
// dot products are accumulated. Each is plain scalar Go, lane by lane;
// reproducing them is what keeps activations on the same side of a
// quantization step as llama.cpp's (see ref_kernels.go for why that
// matters). They are exported as the definitions the operations' loops
// (and package computetest) are written in.

// FMA32 is a·b+c rounded once to float32, as the FMA instructions do.
func FMA32(a, b, c float32) float32 { return fma32(a, b, c) }

// fma32 is FMA32.
//
// a·b is exact in float64 (two 24-bit significands), so s = a·b+c in
// float64 is the exact sum rounded once; rounding s again to float32 is
// wrong only when s lands exactly halfway between two float32 values and
// the first rounding made it so. That case is recognised and settled with
// the exact rounding error of the float64 sum.
func fma32(a, b, c float32) float32 {
	if r, ok := fmaFast(a, b, c); ok {
		return r
	}
	return fma32Tie(a, b, c)
}

// fmaFast is fma32 without the rare case: ok is false when the float64
// sum may sit on a float32 midpoint (rounding it again could be wrong) or
// lies below the float32 normal range; then call fma32Tie. It inlines, so
// hot loops write
//
//	if r, ok := fmaFast(a, b, c); ok { acc = r } else { acc = fma32Tie(a, b, c) }
func fmaFast(a, b, c float32) (float32, bool) {
	// math.FMA is one instruction here; a·b is exact in float64 anyway,
	// so this is the float64 sum rounded once.
	s := math.FMA(float64(a), float64(b), float64(c))
	// Rounding s to float32 drops its low 29 significand bits; only if they
	// are exactly one half (100…0) can the two roundings disagree.
	bits := math.Float64bits(s)
	return float32(s), bits&(1<<29-1) != 1<<28 && bits&^(1<<63) >= 0x3810000000000000
}

// fma32Tie is fma32 when the float64 sum may sit on a float32 midpoint.
func fma32Tie(a, b, c float32) float32 {
	p, cf := float64(a)*float64(b), float64(c)
	s := p + cf
	f := float32(s)
	if float64(f) == s || math.IsInf(s, 0) || s != s {
		return f
	}
	// The neighbour of f on s's side, and the midpoint between them.
	g := math.Nextafter32(f, float32(math.Inf(int(math.Copysign(1, s-float64(f))))))
	if s != (float64(f)+float64(g))/2 {
		return f // s is not a tie: one rounding from s is right
	}
	// s is a tie; the exact sum lies on the side of the error s − (p+c).
	bb := s - p
	err := (p - (s - bb)) + (cf - bb)
	switch {
	case err > 0:
		return max(f, g)
	case err < 0:
		return min(f, g)
	}
	return f // a true tie: float32(s) rounded it to even
}

// Sum16 sums 16 lanes as _mm512_reduce_add_ps does.
func Sum16(v *[16]float32) float32 { return reduce16(v) }

// reduce16 sums 16 lanes as _mm512_reduce_add_ps does: halves added
// lane-wise, 16 → 8 → 4 → 2 → 1.
func reduce16(v *[16]float32) float32 {
	var t8 [8]float32
	for i := range t8 {
		t8[i] = v[i+8] + v[i]
	}
	var t4 [4]float32
	for i := range t4 {
		t4[i] = t8[i+4] + t8[i]
	}
	return (t4[0] + t4[2]) + (t4[1] + t4[3])
}

// Exp32 is ggml's vectorised exp (ggml_v_expf); see vexpf.
func Exp32(x float32) float32 { return vexpf(x) }

// SiLU32 is ggml's vectorised silu, x / (1 + Exp32(0 − x)).
func SiLU32(x float32) float32 { return vsilu(x) }

// Expf is libm's expf (correctly rounded here), which ggml uses on the
// elements a row has beyond its last whole group of 16.
func Expf(x float32) float32 { return expf(x) }

// vexpf is ggml_v_expf (AVX-512): exp(x) = 2^n · p(b) with n = round(x·log₂e),
// b = x − n·ln2 in two parts, p a degree-5 polynomial, every step a
// float32 fused multiply-add; |n| > 192 gives 0 or +Inf.
func vexpf(x float32) float32 {
	const r = 0x1.8p23
	z := fma32(x, 0x1.715476p+0, r)
	n := z - r
	b := fma32(-n, 0x1.7f7d1cp-20, fma32(-n, 0x1.62e4p-1, x))
	if x != x {
		return x
	}
	if abs32(n) > 192 {
		if n <= 0 {
			return 0
		}
		return float32(math.Inf(1))
	}
	u := b * b
	j := fma32(
		fma32(fma32(0x1.0e4020p-7, b, 0x1.573e2ep-5), u, fma32(0x1.555e66p-3, b, 0x1.fffdb6p-2)),
		u,
		fma32(0x1.ffffecp-1, b, 1))
	// _mm512_scalef_ps: j·2^n, rounded once (exact in float64, |n| ≤ 192).
	return float32(float64(j) * math.Ldexp(1, int(n)))
}

// vsilu is ggml_v_silu: x / (1 + vexpf(0 − x)).
func vsilu(x float32) float32 { return x / (1 + vexpf(0-x)) }

func abs32(x float32) float32 { return math.Float32frombits(math.Float32bits(x) &^ (1 << 31)) }

// siluRow is ggml_vec_silu_f32: vexpf-based for whole groups of 16 from
// the start of the row, libm's expf for the rest.
func siluRow(d, x []float32) {
	n := len(x) &^ 15
	for i, v := range x[:n] {
		d[i] = vsilu(v)
	}
	for i := n; i < len(x); i++ {
		d[i] = silu(x[i])
	}
}

// swigluRow is ggml_vec_swiglu_f32: silu(x)·g, grouped as siluRow.
func swigluRow(d, x, g []float32) {
	n := len(x) &^ 15
	for i, v := range x[:n] {
		d[i] = vsilu(v) * g[i]
	}
	for i := n; i < len(x); i++ {
		d[i] = silu(x[i]) * g[i]
	}
}

// SoftmaxRow writes the softmax of x into d (which may alias x) as ggml's
// soft_max does (ggml_vec_soft_max_f32): the maximum subtracted, Exp32 on
// whole groups of 16 whose Sum16 are added in float64, Expf on the rest
// added one by one, then a float32 multiply by the reciprocal of the sum.
//
// padded says x is the start of a longer row whose other entries are
// masked (−Inf, so exactly 0 after the exp), as llama.cpp's attention rows
// are (their length is a multiple of 256): then every element takes Exp32
// and the last group is summed as if filled with zeros.
func SoftmaxRow(d, x []float32, padded bool) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	whole := len(x) &^ 15
	if padded {
		whole = len(x)
	}
	var sum float64
	for g := 0; g < whole; g += 16 {
		var lanes [16]float32
		for l := 0; l < 16 && g+l < len(x); l++ {
			e := vexpf(x[g+l] - m)
			d[g+l] = e
			lanes[l] = e
		}
		sum += float64(reduce16(&lanes))
	}
	for i := whole; i < len(x); i++ {
		e := expf(x[i] - m)
		d[i] = e
		sum += float64(e)
	}
	inv := float32(1 / sum)
	for i := range d {
		d[i] *= inv
	}
}

// DotF32 is ggml_vec_dot_f32 (AVX-512), the order of a single-row F32
// product: four 16-lane accumulators over blocks of 64 elements, fused
// multiply-adds, combined as (0+2)+(1+3) and summed across lanes (Sum16);
// the remaining len(x) mod 64 products are then added one by one with
// scalar fused multiply-adds. padded says x and y continue with zeros to a
// multiple of 64 (llama.cpp's padded attention rows): then every element
// goes into the lanes.
func DotF32(x, y []float32, padded bool) float32 { return dotF32x64(x, y, 1, padded) }

// DotF32Tiled is one output of llamafile's tinyBLAS F32 GEMM (AVX-512), the
// order of a multi-row F32 product: one 16-lane accumulator of fused
// multiply-adds (element i in lane i mod 16), summed across lanes. x and y
// are taken to continue with zeros to a multiple of 16.
func DotF32Tiled(x, y []float32) float32 { return dotF32x16(x, y, 1) }

// dotF32x64 is DotF32 with y read at stride ys.
func dotF32x64(x, y []float32, ys int, padded bool) float32 {
	n := len(x)
	var acc [4][16]float32
	np := n &^ 63
	if padded {
		np = n
	}
	for e := 0; e < np; e++ {
		j, l := e>>4&3, e&15
		if r, ok := fmaFast(x[e], y[e*ys], acc[j][l]); ok {
			acc[j][l] = r
		} else {
			acc[j][l] = fma32Tie(x[e], y[e*ys], acc[j][l])
		}
	}
	for l := range acc[0] {
		acc[0][l] += acc[2][l]
		acc[1][l] += acc[3][l]
	}
	for l := range acc[0] {
		acc[0][l] += acc[1][l]
	}
	s := reduce16(&acc[0])
	for i := np; i < n; i++ {
		s = fma32(x[i], y[i*ys], s)
	}
	return s
}

// dotF32x16 is DotF32Tiled with y read at stride ys.
func dotF32x16(x, y []float32, ys int) float32 {
	var acc [16]float32
	for e, v := range x {
		if r, ok := fmaFast(v, y[e*ys], acc[e&15]); ok {
			acc[e&15] = r
		} else {
			acc[e&15] = fma32Tie(v, y[e*ys], acc[e&15])
		}
	}
	return reduce16(&acc)
}
