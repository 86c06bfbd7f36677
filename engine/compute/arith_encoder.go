package compute

import (
	"math"
	"sync"

	"github.com/hearth-ai/hearth/engine/quant"
)

// The arithmetic of a vision encoder's operations as ggml's CPU backend
// does it. ggml's CPU code defines GGML_GELU_FP16 and
// GGML_GELU_QUICK_FP16: GELU and quick GELU of an F32 tensor are read
// from tables of 65536 halves, built once from the float32 formulas, at
// the input rounded to a half (ggml_vec_gelu_f32, ggml_vec_gelu_quick_f32).
// Layer norm is ggml_norm (mean and variance summed in float64) followed
// by separate ggml_mul and ggml_add, each rounded to float32. Attention
// in llama.cpp's clip code is flash attention on the CPU
// (ggml_flash_attn_ext with keys and values cast to F16): its one-chunk
// kernel, or its tiled kernel for many rows (FlashTiled), in the order of
// wasm's SIMD128 build (ggml-cpu ops.cpp, simd-gemm.h, vec.cpp), since the
// vision oracle runs llama.cpp compiled to wasm.

// FlashTileRows is ggml's flash-attention query tile (GGML_FA_TILE_Q):
// with at least this many query rows the CPU takes its tiled kernel.
const FlashTileRows = 64

var geluTables struct {
	once        sync.Once
	gelu, quick [1 << 16]uint16
}

// geluF32 is ggml_gelu_f32, the tanh approximation in float32 steps.
func geluF32(x float32) float32 {
	const coefA = float32(0.044715)
	const sqrt2OverPi = float32(0.79788456080286535587989211986876)
	// Explicit conversions keep each product rounded (no fused
	// multiply-add: wasm, where the oracle runs, has none).
	inner := float32(sqrt2OverPi*x) * (1 + float32(float32(coefA*x)*x))
	t := float32(math.Tanh(float64(inner)))
	return float32(0.5*x) * (1 + t)
}

// geluQuickF32 is ggml_gelu_quick_f32, x·(1/(1+expf(−1.702·x))).
func geluQuickF32(x float32) float32 {
	return x * (1 / (1 + expf(-1.702*x)))
}

func buildGELUTables() {
	for i := range geluTables.gelu {
		f := quant.F16ToF32(uint16(i))
		geluTables.gelu[i] = quant.F32ToF16(geluF32(f))
		geluTables.quick[i] = quant.F32ToF16(geluQuickF32(f))
	}
}

// GELU32 is ggml_vec_gelu_f32 with GGML_GELU_FP16 for one element: 0 at
// or below −10, x at or above 10, else the table of halves at x rounded
// to a half.
func GELU32(x float32) float32 {
	switch {
	case x <= -10:
		return 0
	case x >= 10:
		return x
	}
	geluTables.once.Do(buildGELUTables)
	return quant.F16ToF32(geluTables.gelu[quant.F32ToF16(x)])
}

// GELUQuick32 is ggml_vec_gelu_quick_f32 with GGML_GELU_QUICK_FP16 for
// one element: the table of halves at x rounded to a half, for every x.
func GELUQuick32(x float32) float32 {
	geluTables.once.Do(buildGELUTables)
	return quant.F16ToF32(geluTables.quick[quant.F32ToF16(x)])
}

// LayerNormRow writes ggml_norm of x (then ·w, then +b when b is not nil)
// into d, which may alias x: the mean summed in float64 and rounded to
// float32 before dividing, the variance of the float32 differences
// (their float32 squares summed in float64), scale 1/sqrtf(var+eps), as
// the scalar loops of ggml_vec_cvar_f32 do (the order wasm's build takes).
func LayerNormRow(d, x, w, b []float32, eps float32) {
	n := len(x)
	var sum float64
	for _, v := range x {
		sum += float64(v)
	}
	mean := float32(sum) / float32(n)
	var sq float64
	for i, v := range x {
		c := v - mean
		d[i] = c
		sq += float64(c * c)
	}
	vari := float32(sq / float64(n))
	scale := 1 / float32(math.Sqrt(float64(vari+eps)))
	for i := range d {
		d[i] *= scale
	}
	if w != nil {
		for i := range d {
			d[i] = float32(d[i] * w[i])
		}
	}
	if b != nil {
		for i := range d {
			d[i] += b[i]
		}
	}
}

// DotF16Wasm is ggml_vec_dot_f16 as wasm's SIMD128 build computes it (the
// oracle for vision, wllama, runs it): four accumulators of four lanes
// over blocks of 16 elements (element i of a block in accumulator i/4,
// lane i mod 4), accumulators combined as (0+2)+(1+3), lanes added in
// order 0…3, then the products past the last whole block added in
// float64. Products of halves are exact in float32, so the kernel's
// multiply-then-add equals a fused one.
func DotF16Wasm(x, y []uint16) float32 {
	n := len(x)
	np := n &^ 15
	var acc [4][4]float32
	for i := 0; i < np; i += 16 {
		for j := range 4 {
			for l := range 4 {
				e := i + 4*j + l
				acc[j][l] += quant.F16ToF32(x[e]) * quant.F16ToF32(y[e])
			}
		}
	}
	for l := range 4 {
		acc[0][l] += acc[2][l]
		acc[1][l] += acc[3][l]
	}
	for l := range 4 {
		acc[0][l] += acc[1][l]
	}
	sum := float64(((acc[0][0] + acc[0][1]) + acc[0][2]) + acc[0][3])
	for i := np; i < n; i++ {
		sum += float64(quant.F16ToF32(x[i]) * quant.F16ToF32(y[i]))
	}
	return float32(sum)
}

// FlashTiled reports whether ggml's CPU flash attention takes its tiled
// kernel for n query rows of heads of d elements: at least FlashTileRows
// rows and d a multiple of wasm's four float32 lanes (GGML_F32_EPR).
func FlashTiled(n, d int) bool { return n >= FlashTileRows && d%4 == 0 }

// selfAttentionRow computes one query row's output for one head of a
// SelfAttention (see the SelfAttention type for the arithmetic): q is the
// row's head (d elements); row j of the keys and values of this head lies
// at j·stride of k and v — for flash attention already rounded to halves
// (RoundF16 of each element; kh: the same halves' bits, for the one-chunk
// kernel). out receives d values; s is scratch of at least
// max(n, FlashTileRows) floats and qh of at least d halves.
func selfAttentionRow(out, q, k, v []float32, kh []uint16, n, stride int, scale float32, flash bool, s []float32, qh []uint16) {
	d := len(q)
	switch {
	case !flash:
		s = s[:n]
		for j := range s {
			s[j] = dotF32x64(q, k[j*stride:j*stride+d], 1, false) * scale
		}
		SoftmaxRow(s, s, false)
		for c := range out {
			if n >= 2 && d%4 == 0 {
				out[c] = dotF32x16(s, v[c:], stride)
			} else {
				out[c] = dotF32x64(s, v[c:], stride, false)
			}
		}
		return
	case FlashTiled(n, d):
		flashTiledRow(out, q, k, v, n, stride, scale, s[:FlashTileRows])
	default:
		flashOneChunkRow(out, q, v, kh, n, stride, scale, qh[:d])
	}
}

// flashTiledRow is ggml_compute_forward_flash_attn_ext_tiled for one query
// row: per tile of FlashTileRows keys, the scores (each a float32 sum in
// order of q[i]·k[i], a multiply then an add, then ·scale), the tile's
// maximum, the running maximum and sum rescaled by Expf(Mold−Mnew) when it
// grows, the tile's exponentials Expf(s−M) summed in float64 and added to
// the float32 running sum, and the values added in key order (a multiply,
// then an add, into float32 accumulators).
func flashTiledRow(out, q, k, v []float32, n, stride int, scale float32, p []float32) {
	d := len(q)
	for c := range out {
		out[c] = 0
	}
	m := float32(math.Inf(-1))
	var sum float32
	for t0 := 0; t0 < n; t0 += FlashTileRows {
		kt := min(FlashTileRows, n-t0)
		tileMax := float32(math.Inf(-1))
		for tk := 0; tk < kt; tk++ {
			kj := k[(t0+tk)*stride : (t0+tk)*stride+d]
			var a float32
			for i, x := range q {
				a = float32(x*kj[i]) + a
			}
			p[tk] = a * scale
			tileMax = max(tileMax, p[tk])
		}
		mNew := max(m, tileMax)
		if mNew > m {
			ms := expf(m - mNew)
			for c := range out {
				out[c] *= ms
			}
			sum *= ms
		}
		m = mNew
		var tileSum float64
		for tk := 0; tk < kt; tk++ {
			p[tk] = expf(p[tk] - m)
			tileSum += float64(p[tk])
		}
		sum = float32(float64(sum) + tileSum)
		for tk := 0; tk < kt; tk++ {
			vj := v[(t0+tk)*stride : (t0+tk)*stride+d]
			for c := range out {
				out[c] = float32(p[tk]*vj[c]) + out[c]
			}
		}
	}
	inv := float32(0)
	if sum != 0 {
		inv = 1 / sum
	}
	for c := range out {
		out[c] *= inv
	}
}

// flashOneChunkRow is ggml_compute_forward_flash_attn_ext_f16_one_chunk
// for one query row: the query rounded to halves, each score
// DotF16Wasm(q, k[j])·scale, an online softmax key by key, the values
// accumulated in halves (ggml_vec_mad_f16: a float32 multiply then add,
// rounded to a half; ggml_vec_scale_f16 likewise).
func flashOneChunkRow(out, q, v []float32, kh []uint16, n, stride int, scale float32, qh []uint16) {
	d := len(q)
	for i, x := range q {
		qh[i] = quant.F32ToF16(x)
	}
	for c := range out {
		out[c] = 0
	}
	m := float32(math.Inf(-1))
	var sum float32
	for j := 0; j < n; j++ {
		sc := DotF16Wasm(qh, kh[j*stride:j*stride+d]) * scale
		ms, vs := float32(1), float32(1)
		if sc > m {
			ms = expf(m - sc)
			m = sc
			for c := range out {
				out[c] = RoundF16(out[c] * ms)
			}
		} else {
			vs = expf(sc - m)
		}
		vj := v[j*stride : j*stride+d]
		for c := range out {
			out[c] = RoundF16(float32(vj[c]*vs) + out[c])
		}
		sum = float32(sum*ms) + vs
	}
	inv := float32(0)
	if sum != 0 {
		inv = 1 / sum
	}
	for c := range out {
		out[c] *= inv
	}
}
