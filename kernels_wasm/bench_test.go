package kernels

import (
	"fmt"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// BenchmarkMatvecQ8_0 compares matvec_q8_0 under wazero's compiler with
// quant.VecDot row by row in native Go, at SmolLM2-135M shapes (576×576:
// attention projections; 1536×576: the MLP's up and gate). GB/s counts
// weight bytes. wazero is only a rough proxy for a browser's wasm engine.
//
//	go test ./kernels_wasm -run '^$' -bench MatvecQ8_0
func BenchmarkMatvecQ8_0(b *testing.B) {
	for _, shape := range []struct{ rows, n int }{{576, 576}, {1536, 576}} {
		e := newKernels(b, 32)
		rowBytes := shape.n / 32 * 34
		w := make([]byte, 0, shape.rows*rowBytes)
		for range shape.rows {
			w = append(w, q8Row(b, e, shape.n, 1)...)
		}
		x := q8Row(b, e, shape.n, 1)
		pw, px := e.place(b, w, 0), e.place(b, x, 0)
		pd := e.place(b, make([]byte, 4*shape.rows), 0)
		name := fmt.Sprintf("%dx%d", shape.rows, shape.n)

		b.Run(name+"/wazero", func(b *testing.B) {
			fn := e.mod.ExportedFunction(MatvecQ8_0)
			stack := make([]uint64, 5)
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				stack[0], stack[1], stack[2], stack[3], stack[4] = uint64(pd), uint64(pw), uint64(px), uint64(shape.rows), uint64(shape.n)
				if err := fn.CallWithStack(e.ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
			reportGBs(b, len(w))
		})
		b.Run(name+"/native", func(b *testing.B) {
			dst := make([]float32, shape.rows)
			b.SetBytes(int64(len(w)))
			for b.Loop() {
				for r := range dst {
					dst[r] = quant.VecDot(dtype.Q8_0, shape.n, w[r*rowBytes:(r+1)*rowBytes], x)
				}
			}
			reportGBs(b, len(w))
		})
	}
}

func reportGBs(b *testing.B, bytes int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(float64(bytes)*float64(b.N)/s/1e9, "GB/s")
	}
}
