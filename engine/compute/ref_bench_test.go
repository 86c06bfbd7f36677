package compute

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// BenchmarkMatMul multiplies SmolLM2-135M's feed-forward weight (1536×576)
// by one activation row (a decode step) and by 128 (a prompt), in each
// arithmetic order.
func BenchmarkMatMul(b *testing.B) {
	const out, in = 1536, 576
	rng := rand.New(rand.NewPCG(1, 1))
	xf := make([]float32, 128*in)
	for i := range xf {
		xf[i] = float32(rng.NormFloat64())
	}
	wf := make([]float32, out*in)
	for i := range wf {
		wf[i] = float32(rng.NormFloat64()) * 0.04
	}
	for _, typ := range []dtype.Type{dtype.F32, dtype.F16, dtype.Q8_0, dtype.Q4_0, dtype.Q4_1, dtype.Q5_0} {
		rb, _ := typ.RowSize(in)
		data := make([]byte, int(rb)*out)
		for r := 0; r < out; r++ {
			if err := quant.Quantize(typ, wf[r*in:(r+1)*in], data[r*int(rb):(r+1)*int(rb)]); err != nil {
				b.Fatal(err)
			}
		}
		for _, o := range Orders {
			for _, n := range []int{1, 128} {
				for _, threads := range []int{1, 2} {
					benchMatMul(b, fmt.Sprintf("%v/%v/rows=%d/threads=%d", typ, o, n, threads), o, typ, data, xf, n, threads, out, in)
				}
			}
		}
	}
}

// benchMatMul times one MatMul of the weight data (out × in, typ) by n
// rows of xf on a reference backend in order o.
func benchMatMul(b *testing.B, name string, o Order, typ dtype.Type, data []byte, xf []float32, n, threads, out, in int) {
	b.Run(name, func(b *testing.B) {
		be := NewReferenceOrder(threads, o)
		defer be.Close()
		w, _ := be.Alloc(typ, out, in)
		if err := be.Load(w, bytes.NewReader(data)); err != nil {
			b.Fatal(err)
		}
		x, _ := be.Alloc(dtype.F32, n, in)
		be.Write(x, xf[:n*in])
		dst, _ := be.Alloc(dtype.F32, n, out)
		b.SetBytes(int64(len(data)))
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			be.Write(x.Row(0), xf[:in]) // a new input each time: no reuse of its conversion
			be.MatMul(dst, w, x)
		}
		b.ReportMetric(float64(b.N)*float64(n*out*in)/b.Elapsed().Seconds()/1e9, "GMAC/s")
	})
}
