package kernels

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/quant"
)

// BenchmarkMatmulK runs matmul_T for the k-quants, Q8_K activations and
// the float types under wazero's compiler, against quant.VecDot in native
// Go (one call per output), on a 768×768 weight (k-quant rows are whole
// 256-element super-blocks) at 1 and 16 tokens. GB/s counts weight bytes
// per token (weight bytes × tokens / time), so the ratio of the two token
// counts' GB/s is matmul's per-token speed-up from reusing decoded
// weights. wazero is only a rough proxy for a browser's engine.
//
//	go test ./kernels_wasm -run '^$' -bench MatmulK -benchtime 200x
func BenchmarkMatmulK(b *testing.B) {
	const rows, n = 768, 768
	for _, wt := range benchTypes {
		e := newCachedKernels(b, 64, 9)
		xt := quant.VecDotType(wt.t)
		wRow, xRow := n/wt.t.BlockSize()*wt.t.TypeSize(), n/xt.BlockSize()*xt.TypeSize()
		var w []byte
		for range rows {
			w = append(w, benchLikeRow(b, e, wt.t, n)...)
		}
		pw := e.place(b, w, 0)
		for _, tokens := range []int{1, 16} {
			var x []byte
			for range tokens {
				x = append(x, benchLikeRow(b, e, xt, n)...)
			}
			px := e.place(b, x, 0)
			pd := e.place(b, make([]byte, 4*rows*tokens), 0)
			name := fmt.Sprintf("%s/%dx%d/tokens=%d", wt.name, rows, n, tokens)
			b.Run(name+"/wazero", func(b *testing.B) {
				fn := e.mod.ExportedFunction("matmul_" + wt.name)
				stack := make([]uint64, 8)
				for b.Loop() {
					copy(stack, []uint64{uint64(pd), uint64(pw), uint64(px), n, 0, rows, uint64(tokens), rows})
					if err := fn.CallWithStack(e.ctx, stack); err != nil {
						b.Fatal(err)
					}
				}
				reportWeightGBs(b, len(w)*tokens)
			})
			b.Run(name+"/native", func(b *testing.B) {
				dst := make([]float32, rows*tokens)
				for b.Loop() {
					for t := range tokens {
						xr := x[t*xRow : (t+1)*xRow]
						for r := range rows {
							dst[t*rows+r] = quant.VecDot(wt.t, n, w[r*wRow:(r+1)*wRow], xr)
						}
					}
				}
				reportWeightGBs(b, len(w)*tokens)
			})
		}
	}
}

// benchTypes are the weight types the matmul benchmarks run: the
// k-quants, then the float types.
var benchTypes = slices.Concat(kTypes, floatTypes)

// reportWeightGBs reports bytes per iteration as GB/s.
func reportWeightGBs(b *testing.B, bytes int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/s/1e9, "GB/s")
	}
}
