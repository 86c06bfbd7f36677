package computetest

import (
	"fmt"
	"math"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The vision encoder's operations: LayerNorm, GELU, GELUQuick and
// SelfAttention, each against a plain loop written from ggml's CPU code
// (and SelfAttention also against float64 attention, loosely, so that a
// mistake shared by the loop and the backend would still show).

func (s *suite) layerNorm() {
	const rows, cols = 5, 77
	x := s.randn(rows*cols, 2)
	for i := range x[:cols] {
		x[i] += 40 // a row far from zero mean
	}
	w, bias := s.randn(cols, 1), s.randn(cols, 0.1)
	xt, wt, bt := s.f32(rows, cols, x), s.f32(1, cols, w), s.f32(1, cols, bias)
	for _, withBias := range []bool{true, false} {
		want := layerNormLoop(x, w, bias, cols, 1e-6, withBias)
		whole, mid := s.guarded(rows, cols)
		b := bt
		if !withBias {
			b = compute.Tensor{}
		}
		what := fmt.Sprintf("LayerNorm (bias %v)", withBias)
		s.b.LayerNorm(mid, xt, wt, b, 1e-6)
		got := s.checkGuards(what, whole)
		s.same(what, got, want)
		c := s.f32(rows, cols, x)
		s.b.LayerNorm(c, c, wt, b, 1e-6)
		s.same(what+" in place", s.read(c), want)
	}
	// Normalised rows have mean b̄ and spread |w| around it: check one
	// row in float64 against the definition.
	ones := make([]float32, cols)
	for i := range ones {
		ones[i] = 1
	}
	whole, mid := s.guarded(rows, cols)
	s.b.LayerNorm(mid, xt, s.f32(1, cols, ones), compute.Tensor{}, 1e-6)
	got := s.checkGuards("LayerNorm", whole)
	for r := 0; r < rows; r++ {
		var mean, sq float64
		for _, v := range got[r*cols : (r+1)*cols] {
			mean += float64(v)
			sq += float64(v) * float64(v)
		}
		mean /= cols
		if math.Abs(mean) > 1e-5 || math.Abs(sq/cols-1) > 1e-4 {
			s.t.Fatalf("LayerNorm row %d: mean %v, mean square %v; want 0 and 1", r, mean, sq/cols)
		}
	}
}

func (s *suite) gelu() {
	const rows, cols = 4, 53
	x := s.randn(rows*cols, 4)
	copy(x, []float32{0, -10, 10, -10.5, 11, -9.99, 9.99, 1e-8, -3e4, 65504})
	xt := s.f32(rows, cols, x)
	for _, op := range []struct {
		name  string
		fn    func(dst, x compute.Tensor)
		quick bool
	}{{"GELU", s.b.GELU, false}, {"GELUQuick", s.b.GELUQuick, true}} {
		want := make([]float32, len(x))
		for i, v := range x {
			want[i] = geluLoop(v, op.quick)
			exact := float64(v) * 0.5 * (1 + math.Tanh(math.Sqrt(2/math.Pi)*(float64(v)+0.044715*math.Pow(float64(v), 3))))
			if op.quick {
				exact = float64(v) / (1 + math.Exp(-1.702*float64(v)))
			}
			// x and the result both rounded to halves: about 1e-3 relative.
			if d := math.Abs(float64(want[i]) - exact); d > 1e-3*(1+math.Abs(float64(v))) {
				s.t.Fatalf("%s loop at %v = %v, far from %v", op.name, v, want[i], exact)
			}
		}
		whole, mid := s.guarded(rows, cols)
		op.fn(mid, xt)
		s.same(op.name, s.checkGuards(op.name, whole), want)
		c := s.f32(rows, cols, x)
		op.fn(c, c)
		s.same(op.name+" in place", s.read(c), want)
	}
}

func (s *suite) selfAttention() {
	for _, tc := range []struct{ n, heads, d int }{
		{1, 2, 8}, {7, 3, 16}, {17, 4, 10}, {70, 2, 12}, {66, 2, 10}, {130, 1, 8},
	} {
		cols := tc.heads * tc.d
		q, k, v := s.randn(tc.n*cols, 1), s.randn(tc.n*cols, 1), s.randn(tc.n*cols, 1)
		qt, kt, vt := s.f32(tc.n, cols, q), s.f32(tc.n, cols, k), s.f32(tc.n, cols, v)
		scale := float32(1 / math.Sqrt(float64(tc.d)))
		exact := selfAttention64(q, k, v, tc.n, tc.heads, tc.d, scale)
		for _, flash := range []bool{false, true} {
			what := fmt.Sprintf("SelfAttention n=%d heads=%d d=%d flash=%v", tc.n, tc.heads, tc.d, flash)
			want := selfAttentionLoop(s.opt.Order, q, k, v, tc.n, tc.heads, tc.d, scale, flash)
			tol := 1e-5
			if flash {
				tol = 2e-2 // halves: keys, values (and the sums of the one-chunk kernel)
			}
			for i := range want {
				if d := math.Abs(float64(want[i]) - exact[i]); d > tol*(1+math.Abs(exact[i])) {
					s.t.Fatalf("%s: loop [%d] = %v, float64 attention %v", what, i, want[i], exact[i])
				}
			}
			whole, mid := s.guarded(tc.n, cols)
			s.b.SelfAttention(mid, qt, kt, vt, compute.SelfAttention{Heads: tc.heads, Scale: scale, Flash: flash})
			s.same(what, s.checkGuards(what, whole), want)
		}
	}
}

// layerNormLoop is ggml_norm, then ·w, then +b, row by row.
func layerNormLoop(x, w, b []float32, cols int, eps float32, withBias bool) []float32 {
	out := make([]float32, len(x))
	for r := 0; r < len(x)/cols; r++ {
		row := x[r*cols : (r+1)*cols]
		sum := 0.0
		for _, v := range row {
			sum += float64(v)
		}
		mean := float32(sum) / float32(cols)
		sq := 0.0
		for _, v := range row {
			sq += float64(float32((v - mean) * (v - mean)))
		}
		scale := 1 / float32(math.Sqrt(float64(float32(sq/float64(cols))+eps)))
		for c, v := range row {
			y := float32(float32((v-mean)*scale) * w[c])
			if withBias {
				y += b[c]
			}
			out[r*cols+c] = y
		}
	}
	return out
}

// geluLoop is ggml's table lookup, built on the spot: the float32
// formula at the half nearest x, rounded to a half.
func geluLoop(x float32, quick bool) float32 {
	if !quick && x <= -10 {
		return 0
	}
	if !quick && x >= 10 {
		return x
	}
	h := quant.F16ToF32(quant.F32ToF16(x))
	var y float32
	if quick {
		y = h * (1 / (1 + float32(math.Exp(float64(-1.702*h)))))
	} else {
		inner := float32(float32(0.79788456080286535587989211986876)*h) * (1 + float32(float32(float32(0.044715)*h)*h))
		y = float32(0.5*h) * (1 + float32(math.Tanh(float64(inner))))
	}
	return quant.F16ToF32(quant.F32ToF16(y))
}

// selfAttentionLoop is full attention, per (row, head), in the backend's
// arithmetic (the compute.SelfAttention type's doc comment), written out;
// without flash attention in compute.OrderWllama, DotF32Wasm for the
// scores and the values.
func selfAttentionLoop(ord compute.Order, q, k, v []float32, n, heads, d int, scale float32, flash bool) []float32 {
	cols := heads * d
	out := make([]float32, n*cols)
	for r := 0; r < n; r++ {
		for h := 0; h < heads; h++ {
			qh := q[r*cols+h*d : r*cols+(h+1)*d]
			o := out[r*cols+h*d : r*cols+(h+1)*d]
			if !flash {
				sc := make([]float32, n)
				for j := range sc {
					kj := k[j*cols+h*d : j*cols+(h+1)*d]
					if ord == compute.OrderWllama {
						sc[j] = compute.DotF32Wasm(kj, qh, 1) * scale
					} else {
						sc[j] = compute.DotF32(qh, kj, false) * scale
					}
				}
				p := softmaxLoop(ord, sc, false)
				for c := range o {
					col := make([]float32, n)
					for j := range col {
						col[j] = v[j*cols+h*d+c]
					}
					switch {
					case ord == compute.OrderWllama:
						o[c] = compute.DotF32Wasm(p, col, 1)
					case n >= 2 && d%4 == 0:
						o[c] = compute.DotF32Tiled(p, col)
					default:
						o[c] = compute.DotF32(p, col, false)
					}
				}
				continue
			}
			if compute.FlashTiled(n, d) {
				flashTiledLoop(o, qh, k, v, h, n, heads, d, scale)
			} else {
				flashOneChunkLoop(o, qh, k, v, h, n, heads, d, scale)
			}
		}
	}
	return out
}

// flashTiledLoop is ggml's tiled flash-attention kernel for one row and
// head, as the SelfAttention type states it.
func flashTiledLoop(o, q, k, v []float32, h, n, heads, d int, scale float32) {
	cols := heads * d
	half := func(x float32) float32 { return quant.F16ToF32(quant.F32ToF16(x)) }
	const tile = compute.FlashTileRows
	m, sum := float32(math.Inf(-1)), float32(0)
	for t0 := 0; t0 < n; t0 += tile {
		var sc []float32
		for j := t0; j < min(t0+tile, n); j++ {
			var a float32
			for i := 0; i < d; i++ {
				a = float32(q[i]*half(k[j*cols+h*d+i])) + a
			}
			sc = append(sc, a*scale)
		}
		mNew := m
		for _, x := range sc {
			mNew = max(mNew, x)
		}
		if mNew > m {
			ms := compute.Expf(m - mNew)
			for c := range o {
				o[c] *= ms
			}
			sum *= ms
		}
		m = mNew
		tileSum := 0.0
		for t := range sc {
			sc[t] = compute.Expf(sc[t] - m)
			tileSum += float64(sc[t])
		}
		sum = float32(float64(sum) + tileSum)
		for t, p := range sc {
			for c := range o {
				o[c] = float32(p*half(v[(t0+t)*cols+h*d+c])) + o[c]
			}
		}
	}
	for c := range o {
		o[c] *= 1 / sum
	}
}

// flashOneChunkLoop is ggml's one-chunk flash-attention kernel for one row
// and head, as the SelfAttention type states it.
func flashOneChunkLoop(o, q, k, v []float32, h, n, heads, d int, scale float32) {
	cols := heads * d
	half := func(x float32) float32 { return quant.F16ToF32(quant.F32ToF16(x)) }
	qh := make([]uint16, d)
	for i := range qh {
		qh[i] = quant.F32ToF16(q[i])
	}
	m, sum := float32(math.Inf(-1)), float32(0)
	for j := 0; j < n; j++ {
		kh := make([]uint16, d)
		for i := range kh {
			kh[i] = quant.F32ToF16(k[j*cols+h*d+i])
		}
		sc := compute.DotF16Wasm(qh, kh) * scale
		ms, vs := float32(1), float32(1)
		if sc > m {
			ms = compute.Expf(m - sc)
			m = sc
			for c := range o {
				o[c] = half(o[c] * ms)
			}
		} else {
			vs = compute.Expf(sc - m)
		}
		for c := range o {
			o[c] = half(float32(half(v[j*cols+h*d+c])*vs) + o[c])
		}
		sum = float32(sum*ms) + vs
	}
	for c := range o {
		o[c] *= 1 / sum
	}
}

// selfAttention64 is full attention in float64: the yardstick.
func selfAttention64(q, k, v []float32, n, heads, d int, scale float32) []float64 {
	cols := heads * d
	out := make([]float64, n*cols)
	for r := 0; r < n; r++ {
		for h := 0; h < heads; h++ {
			p := make([]float64, n)
			mx := math.Inf(-1)
			for j := range p {
				for i := 0; i < d; i++ {
					p[j] += float64(q[r*cols+h*d+i]) * float64(k[j*cols+h*d+i])
				}
				p[j] *= float64(scale)
				mx = math.Max(mx, p[j])
			}
			sum := 0.0
			for j := range p {
				p[j] = math.Exp(p[j] - mx)
				sum += p[j]
			}
			for j := range p {
				for c := 0; c < d; c++ {
					out[r*cols+h*d+c] += p[j] / sum * float64(v[j*cols+h*d+c])
				}
			}
		}
	}
	return out
}
