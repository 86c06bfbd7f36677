package kernels

import (
	"fmt"
	"testing"

	"github.com/hearth-ai/hearth/engine/quant"
)

// BenchmarkMatmulBlock32 runs matmul_T under wazero's compiler and quant.VecDot
// row by row in native Go, for each 32-element weight type at
// SmolLM2-135M shapes (576×576: attention projections; 1536×576: the
// MLP's up and gate), with 1 token (decode) and 16 (prefill). GB/s counts
// the weight bytes once per token (so it compares across token counts);
// ns/token is the time per token, and x_vs_t1 (for 16 tokens) how many
// times faster per token than the 1-token call of the same run. wazero is
// only a rough proxy for a browser's wasm engine.
//
//	go test ./kernels_wasm -run '^$' -bench MatmulBlock32
func BenchmarkMatmulBlock32(b *testing.B) {
	for _, k := range block32Kernels {
		for _, shape := range []struct{ rows, n int }{{576, 576}, {1536, 576}} {
			e := newKernels(b, 64)
			xt := quant.VecDotType(k.typ)
			rowBytes := shape.n / 32 * k.typ.TypeSize()
			xRowBytes := shape.n / 32 * xt.TypeSize()
			w := makeRows(b, e, k.typ, shape.rows, shape.n, quantized, 1)
			x := makeRows(b, e, xt, 16, shape.n, quantized, 1)
			pw, px := e.place(b, w, 0), e.place(b, x, 0)
			pd := e.place(b, make([]byte, 4*16*shape.rows), 0)
			var perToken1 float64
			for _, tokens := range []int{1, 16} {
				name := fmt.Sprintf("%s/%dx%d/t%d", k.typ, shape.rows, shape.n, tokens)
				b.Run(name+"/wazero", func(b *testing.B) {
					fn := e.mod.ExportedFunction(k.matmul)
					stack := make([]uint64, 8)
					for b.Loop() {
						stack[0], stack[1], stack[2], stack[3] = uint64(pd), uint64(pw), uint64(px), uint64(shape.n)
						stack[4], stack[5], stack[6], stack[7] = 0, uint64(shape.rows), uint64(tokens), uint64(shape.rows)
						if err := fn.CallWithStack(e.ctx, stack); err != nil {
							b.Fatal(err)
						}
					}
					perToken := reportPerToken(b, len(w), tokens)
					if tokens == 1 {
						perToken1 = perToken
					} else if perToken1 > 0 && perToken > 0 {
						b.ReportMetric(perToken1/perToken, "x_vs_t1")
					}
				})
				b.Run(name+"/native", func(b *testing.B) {
					dst := make([]float32, shape.rows*tokens)
					for b.Loop() {
						for t := range tokens {
							xr := x[t*xRowBytes : (t+1)*xRowBytes]
							for r := range shape.rows {
								dst[t*shape.rows+r] = quant.VecDot(k.typ, shape.n, w[r*rowBytes:(r+1)*rowBytes], xr)
							}
						}
					}
					reportPerToken(b, len(w), tokens)
				})
			}
		}
	}
}

// BenchmarkQuantizeQ8 converts one activation row (576 and 1536 floats)
// with quantize_q8_0/q8_1 under wazero and with quant.Quantize natively;
// MB/s counts input floats.
//
//	go test ./kernels_wasm -run '^$' -bench QuantizeQ8
func BenchmarkQuantizeQ8(b *testing.B) {
	for _, q := range quantizeKernels {
		for _, n := range []int{576, 1536} {
			e := newKernels(b, 4)
			x := gaussian(e, n)
			out := make([]byte, n/32*q.typ.TypeSize())
			ps, pd := e.place(b, f32Bytes(x), 0), e.place(b, out, 0)
			name := fmt.Sprintf("%v/n%d", q.typ, n)
			b.Run(name+"/wazero", func(b *testing.B) {
				fn := e.mod.ExportedFunction(q.name)
				stack := make([]uint64, 3)
				b.SetBytes(int64(4 * n))
				for b.Loop() {
					stack[0], stack[1], stack[2] = uint64(pd), uint64(ps), uint64(n)
					if err := fn.CallWithStack(e.ctx, stack); err != nil {
						b.Fatal(err)
					}
				}
			})
			b.Run(name+"/native", func(b *testing.B) {
				b.SetBytes(int64(4 * n))
				for b.Loop() {
					if err := quant.Quantize(q.typ, x, out); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// reportPerToken reports the weight bytes per second (counted once per
// token) and the time per token, which it returns (in ns).
func reportPerToken(b *testing.B, weightBytes, tokens int) float64 {
	s := b.Elapsed().Seconds()
	if s <= 0 {
		return 0
	}
	reportGBs(b, weightBytes*tokens)
	perToken := s * 1e9 / float64(b.N) / float64(tokens)
	b.ReportMetric(perToken, "ns/token")
	return perToken
}

func reportGBs(b *testing.B, bytes int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/s/1e9, "GB/s")
	}
}
