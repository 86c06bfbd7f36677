package compute

import "math"

// The arithmetic of ggml's CPU operations other than matrix products as
// wllama's wasm build runs them (see OrderWllama), where it differs from
// the x86 build's: no ggml_v_expf (the SIMD exponential approximations of
// AVX and NEON) but libm's expf element by element, and F32 dot products
// in SIMD128's four accumulators of four lanes.

// DotF32Wasm is ggml_vec_dot_f32 as wasm's SIMD128 build computes it:
// four accumulators of four float32 lanes over blocks of 16 elements
// (element i of a block in accumulator i/4, lane i mod 4; a multiply,
// then an add), combined as (0+2)+(1+3), lanes added in order 0…3, then
// the products past the last whole block added one by one in float32.
// y's element i is y[i·ys].
func DotF32Wasm(x, y []float32, ys int) float32 {
	if ys == 1 {
		return dotF32Wasm1(x, y[:len(x)])
	}
	n := len(x)
	var acc [4][4]float32
	np := n &^ 15
	for i := 0; i < np; i += 16 {
		for j := range 4 {
			for l := range 4 {
				e := i + 4*j + l
				acc[j][l] += float32(x[e] * y[e*ys])
			}
		}
	}
	s := reduceWasm128(&acc)
	for i := np; i < n; i++ {
		s += float32(x[i] * y[i*ys])
	}
	return s
}

// dotF32Wasm1 is DotF32Wasm of contiguous rows, its sixteen lanes in
// registers (accumulator j, lane l in ajl).
func dotF32Wasm1(x, y []float32) float32 {
	var a00, a01, a02, a03, a10, a11, a12, a13 float32
	var a20, a21, a22, a23, a30, a31, a32, a33 float32
	np := len(x) &^ 15
	for i := 0; i < np; i += 16 {
		p, q := (*[16]float32)(x[i:]), (*[16]float32)(y[i:])
		a00 += float32(p[0] * q[0])
		a01 += float32(p[1] * q[1])
		a02 += float32(p[2] * q[2])
		a03 += float32(p[3] * q[3])
		a10 += float32(p[4] * q[4])
		a11 += float32(p[5] * q[5])
		a12 += float32(p[6] * q[6])
		a13 += float32(p[7] * q[7])
		a20 += float32(p[8] * q[8])
		a21 += float32(p[9] * q[9])
		a22 += float32(p[10] * q[10])
		a23 += float32(p[11] * q[11])
		a30 += float32(p[12] * q[12])
		a31 += float32(p[13] * q[13])
		a32 += float32(p[14] * q[14])
		a33 += float32(p[15] * q[15])
	}
	s := reduceWasm128(&[4][4]float32{{a00, a01, a02, a03}, {a10, a11, a12, a13}, {a20, a21, a22, a23}, {a30, a31, a32, a33}})
	for i := np; i < len(x); i++ {
		s += float32(x[i] * y[i])
	}
	return s
}

// SoftmaxRowWasm writes the softmax of x into d (which may alias x) as
// ggml_vec_soft_max_f32 does without SIMD exponentials: the maximum
// subtracted, Expf of every element, their sum in float64, then a float32
// multiply by the reciprocal of the sum.
func SoftmaxRowWasm(d, x []float32) {
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	var sum float64
	for i, v := range x {
		e := expf(v - m)
		d[i] = e
		sum += float64(e)
	}
	inv := float32(1 / sum)
	for i := range d {
		d[i] *= inv
	}
}

// selfAttentionRowWasm is selfAttentionRow without flash attention in
// OrderWllama: clip's plain graph (ggml_mul_mat of k and q,
// ggml_soft_max_ext, ggml_mul_mat of the transposed v and the
// probabilities) with wasm's dot products and softmax.
func selfAttentionRowWasm(out, q, k, v []float32, n, stride int, scale float32, s []float32) {
	d := len(q)
	s = s[:n]
	for j := range s {
		s[j] = DotF32Wasm(k[j*stride:j*stride+d], q, 1) * scale
	}
	SoftmaxRowWasm(s, s)
	for c := range out {
		out[c] = DotF32Wasm(s, v[c:], stride)
	}
}

// DotF32WasmPadded is DotF32Wasm of x and y continued with zeros to a
// multiple of 16 (llama.cpp's attention rows, padded to 256 cache cells,
// masked to probability 0): every product goes into the lanes.
func DotF32WasmPadded(x, y []float32, ys int) float32 {
	var acc [4][4]float32
	for e, v := range x {
		acc[e>>2&3][e&3] += float32(v * y[e*ys])
	}
	return reduceWasm128(&acc)
}

// dotHalvesWasm is DotF16Wasm of a (float32 that already hold halves'
// values) and the halves b (element i at b[2·i·bs:]); padded as in
// DotF32WasmPadded.
func dotHalvesWasm(a []float32, b []byte, bs int, padded bool) float32 {
	n := len(a)
	np := n &^ 15
	if padded {
		np = n
	}
	var acc [4][4]float32
	for e := 0; e < np; e++ {
		acc[e>>2&3][e&3] += float32(a[e] * half16(b, e*bs))
	}
	s := reduceWasm128(&acc)
	if np == n {
		return s
	}
	sum := float64(s)
	for i := np; i < n; i++ {
		sum += float64(a[i] * half16(b, i*bs))
	}
	return float32(sum)
}

// siluRowWasm is ggml_vec_silu_f32 without SIMD: silu of every element.
func siluRowWasm(d, x []float32) {
	for i, v := range x {
		d[i] = silu(v)
	}
}

// swigluRowWasm is ggml_vec_swiglu_f32 without SIMD: silu(x)·g.
func swigluRowWasm(d, x, g []float32) {
	for i, v := range x {
		d[i] = silu(v) * g[i]
	}
}

// rotateNoFMA is (x0·c − x1·s, x0·s + x1·c) with every product rounded,
// as ggml's rope computes it in wasm.
func rotateNoFMA(x0, x1, c, s float32) (float32, float32) {
	return float32(x0*c) - float32(x1*s), float32(x0*s) + float32(x1*c)
}

// runWasm is attentionTask.run in OrderWllama: llama.cpp's graph without
// flash attention (build_attn_mha) as wasm computes it. Scores are
// ggml_vec_dot_f32 of the key and the query (F32 cache) or
// ggml_vec_dot_f16 of the key and the query rounded to halves (F16
// cache), times the scale; SoftmaxRowWasm; then each output is the
// padded dot product of the probabilities (rounded to halves for an F16
// cache) and the values.
func (t *attentionTask) runWasm(w, lo, hi int) {
	qc, kc, vc, oc := t.heads*t.dk, t.heads/t.group*t.dk, t.heads/t.group*t.dv, t.heads*t.dv
	for item := lo; item < hi; item++ {
		r, h := item/t.heads, item%t.heads
		kh := h / t.group
		nkv := t.pos0 + r + 1 // causal: keys 0 … pos0+r
		s := t.b.scratch[w][:nkv]
		qv := t.q[r*qc+h*t.dk : r*qc+(h+1)*t.dk]
		out := t.dst[r*oc+h*t.dv : r*oc+(h+1)*t.dv]
		if !t.half {
			for j := range s {
				s[j] = DotF32Wasm(t.k[j*kc+kh*t.dk:j*kc+(kh+1)*t.dk], qv, 1) * t.scale
			}
			SoftmaxRowWasm(s, s)
			v := t.v[kh*t.dv:]
			for d := range out {
				out[d] = DotF32WasmPadded(s, v[d:], vc)
			}
			continue
		}
		qr := t.b.scratch[w][t.pos0+t.n : t.pos0+t.n+t.dk] // after the longest row's scores
		for i, x := range qv {
			qr[i] = RoundF16(x)
		}
		for j := range s {
			s[j] = dotHalvesWasm(qr, t.kh[2*(j*kc+kh*t.dk):], 1, false) * t.scale
		}
		SoftmaxRowWasm(s, s)
		for j, x := range s {
			s[j] = RoundF16(x)
		}
		v := t.vh[2*kh*t.dv:]
		for d := range out {
			out[d] = dotHalvesWasm(s, v[2*d:], vc, true)
		}
	}
}
