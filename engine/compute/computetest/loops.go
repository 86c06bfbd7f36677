package computetest

import (
	"math"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The plain loops every Backend operation must agree with. They are the
// definitions: written for clarity, one element at a time, with the
// rounding steps of llama.cpp's CPU backend spelled out.

// matmulLoop is dst[r][o] = dot(w[o], convert(x[r])), with the activation
// type and dot product order.KernelFor names for the whole weight
// (wholeRows × in).
func matmulLoop(order compute.Order, wt dtype.Type, wholeRows int, w []byte, out, in int, x []float32, n int) []float32 {
	act, dot, ok := order.KernelFor(wt, wholeRows, in, n)
	if !ok {
		panic("no kernel for " + wt.String())
	}
	wrb, _ := wt.RowSize(int64(in))
	xrb, _ := act.RowSize(int64(in))
	dst := make([]float32, n*out)
	xq := make([]byte, xrb)
	for r := 0; r < n; r++ {
		if err := order.Quantize(act, x[r*in:(r+1)*in], xq); err != nil {
			panic(err)
		}
		for o := 0; o < out; o++ {
			dst[r*out+o] = dot(w[int64(o)*wrb:int64(o+1)*wrb], xq, in)
		}
	}
	return dst
}

// matmulExpertsLoop is matmulLoop with the kernel
// order.ExpertKernelFor names: mul_mat_id's.
func matmulExpertsLoop(order compute.Order, wt dtype.Type, wholeRows int, w []byte, out, in int, x []float32, n int) []float32 {
	act, dot, ok := order.ExpertKernelFor(wt, out, wholeRows, in)
	if !ok {
		panic("no expert kernel for " + wt.String())
	}
	wrb, _ := wt.RowSize(int64(in))
	xrb, _ := act.RowSize(int64(in))
	dst := make([]float32, n*out)
	xq := make([]byte, xrb)
	for r := 0; r < n; r++ {
		if err := order.Quantize(act, x[r*in:(r+1)*in], xq); err != nil {
			panic(err)
		}
		for o := 0; o < out; o++ {
			dst[r*out+o] = dot(w[int64(o)*wrb:int64(o+1)*wrb], xq, in)
		}
	}
	return dst
}

// getRowsLoop dequantizes the rows ids of a table.
func getRowsLoop(t dtype.Type, table []byte, cols int, ids []int32) []float32 {
	rb, _ := t.RowSize(int64(cols))
	dst := make([]float32, len(ids)*cols)
	for i, id := range ids {
		if err := quant.Dequantize(t, table[int64(id)*rb:int64(id+1)*rb], dst[i*cols:(i+1)*cols]); err != nil {
			panic(err)
		}
	}
	return dst
}

func rmsNormLoop(x, w []float32, cols int, eps float32) []float32 {
	g := len(w)
	dst := make([]float32, len(x))
	for start := 0; start < len(x); start += g {
		sum := 0.0
		for c := 0; c < g; c++ {
			v := x[start+c]
			sum += float64(v * v) // the square is rounded to float32 first
		}
		mean := float32(sum / float64(g))
		scale := 1 / float32(math.Sqrt(float64(mean+eps)))
		for c := 0; c < g; c++ {
			dst[start+c] = x[start+c] * scale * w[c]
		}
	}
	return dst
}

// siluRowLoop is ggml_vec_silu_f32 on one row: the vectorised silu on
// whole groups of 16, libm's on the rest (on every element in
// compute.OrderWllama, whose build has no vectorised silu).
func siluRowLoop(o compute.Order, x []float32) []float32 {
	d := make([]float32, len(x))
	for i, v := range x {
		if i < len(x)&^15 && o != compute.OrderWllama {
			d[i] = compute.SiLU32(v)
		} else {
			d[i] = v / (1 + compute.Expf(-v))
		}
	}
	return d
}

// softmaxLoop is ggml's soft_max on one row; padded rows (attention's)
// take the vectorised exp throughout and sum a last partial group as if
// filled with zeros. In compute.OrderWllama every element takes libm's
// exp and is summed on its own.
func softmaxLoop(o compute.Order, x []float32, padded bool) []float32 {
	m := float32(math.Inf(-1))
	for _, v := range x {
		if v > m {
			m = v
		}
	}
	e := make([]float32, len(x))
	sum := 0.0
	var group [16]float32
	for i, v := range x {
		inGroup := padded || i < len(x)&^15
		if !inGroup || o == compute.OrderWllama {
			e[i] = compute.Expf(v - m)
			sum += float64(e[i])
			continue
		}
		e[i] = compute.Exp32(v - m)
		group[i%16] = e[i]
		if i%16 == 15 || i == len(x)-1 {
			sum += float64(compute.Sum16(&group))
			group = [16]float32{}
		}
	}
	for i := range e {
		e[i] *= float32(1 / sum)
	}
	return e
}

// ropeLoop rotates the heads of n rows of cols elements starting at
// position pos0. theta starts at the position and is multiplied by
// base^(−2/dims) once per pair, in float32. x86's compiled code fuses a
// product into each rotation's sum (and the YaRN mixes); in
// compute.OrderWllama every product is rounded.
func ropeLoop(o compute.Order, x []float32, cols, pos0 int, headDim, dims int, neox bool, base, scale float32, factors []float32, ext, attn, betaFast, betaSlow float32, origCtx int) []float32 {
	dst := append([]float32(nil), x...)
	if scale == 0 {
		scale = 1
	}
	if attn == 0 {
		attn = 1
	}
	thetaScale := float32(math.Pow(float64(base), float64(-2/float32(dims))))
	var lo, hi float32
	if ext != 0 {
		corr := func(beta float32) float64 {
			return float64(float32(dims) * float32(math.Log(float64(float32(origCtx)/(beta*2*math.Pi)))) / (2 * float32(math.Log(float64(base)))))
		}
		lo = max(0, float32(math.Floor(corr(betaFast))))
		hi = min(float32(dims-1), float32(math.Ceil(corr(betaSlow))))
	}
	for r := 0; r < len(x)/cols; r++ {
		theta := float32(pos0 + r)
		for i := 0; i < dims/2; i++ {
			extrap := theta
			if factors != nil {
				extrap = theta / factors[i]
			}
			angle := scale * extrap
			mscale := attn
			if ext != 0 {
				ramp := 1 - min(1, max(0, (float32(i)-lo)/max(0.001, hi-lo)))
				mix := ramp * ext
				if o == compute.OrderWllama {
					angle = float32(angle*(1-mix)) + float32(extrap*mix)
					mscale *= float32(0.1*float32(math.Log(float64(1/scale)))) + 1
				} else {
					angle = compute.FMA32(angle, 1-mix, extrap*mix)
					mscale *= compute.FMA32(0.1, float32(math.Log(float64(1/scale))), 1)
				}
			}
			cos := float32(math.Cos(float64(angle))) * mscale
			sin := float32(math.Sin(float64(angle))) * mscale
			for h := 0; h < cols; h += headDim {
				a, b := h+2*i, h+2*i+1
				if neox {
					a, b = h+i, h+i+dims/2
				}
				// x0·cos − x1·sin and x0·sin + x1·cos with the first
				// product fused (what llama.cpp's compiled code does).
				x0, x1 := x[r*cols+a], x[r*cols+b]
				if o == compute.OrderWllama {
					dst[r*cols+a] = float32(x0*cos) - float32(x1*sin)
					dst[r*cols+b] = float32(x0*sin) + float32(x1*cos)
					continue
				}
				dst[r*cols+a] = compute.FMA32(x0, cos, -(x1 * sin))
				dst[r*cols+b] = compute.FMA32(x0, sin, x1*cos)
			}
			theta *= thetaScale
		}
	}
	return dst
}

// attentionLoop is causal grouped-query attention of n query rows at
// positions pos0… over cache rows k, v: scores by DotF32, a padded softmax,
// values summed by DotF32 (one query row) or DotF32Tiled (several). In
// compute.OrderWllama: scores by DotF32Wasm, the values by DotF32Wasm over
// the row padded with zeros to a multiple of 16 (llama.cpp pads the cache
// to 256 cells, masked to probability 0).
func attentionLoop(o compute.Order, q, k, v []float32, n, pos0, heads, kvHeads, dk, dv int, scale float32) []float32 {
	out := make([]float32, n*heads*dv)
	for r := 0; r < n; r++ {
		for h := 0; h < heads; h++ {
			kh := h / (heads / kvHeads)
			nkv := pos0 + r + 1
			s := make([]float32, nkv)
			for j := 0; j < nkv; j++ {
				qh := q[r*heads*dk+h*dk : r*heads*dk+(h+1)*dk]
				kj := k[j*kvHeads*dk+kh*dk : j*kvHeads*dk+(kh+1)*dk]
				if o == compute.OrderWllama {
					s[j] = compute.DotF32Wasm(kj, qh, 1) * scale
				} else {
					s[j] = compute.DotF32(qh, kj, false) * scale
				}
			}
			p := softmaxLoop(o, s, true)
			for d := 0; d < dv; d++ {
				col := make([]float32, nkv)
				for j := range col {
					col[j] = v[j*kvHeads*dv+kh*dv+d]
				}
				switch {
				case o == compute.OrderWllama:
					out[r*heads*dv+h*dv+d] = compute.DotF32Wasm(padTo16(p), padTo16(col), 1)
				case n >= 2 && dv%4 == 0:
					out[r*heads*dv+h*dv+d] = compute.DotF32Tiled(p, col)
				default:
					out[r*heads*dv+h*dv+d] = compute.DotF32(p, col, true)
				}
			}
		}
	}
	return out
}

// padTo16 is x followed by zeros up to a multiple of 16 elements.
func padTo16[T float32 | uint16](x []T) []T {
	return append(append([]T(nil), x...), make([]T, -len(x)&15)...)
}
