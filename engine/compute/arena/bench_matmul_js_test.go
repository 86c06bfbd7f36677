//go:build js && wasm

package arena_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// BenchmarkJSMatMul is the arena's MatMul through the browser's glue
// under Node (one thread), at the vision encoder's shapes (1024 activation
// rows by 768×768, 3072×768 and 768×3072 weights) and text-prefill shapes
// (128 rows; Q4_K only where the rows are whole 256-element blocks), for
// Q8_0 and Q4_K weights; it reports GFLOP/s (2·M·N·K per
// product, the activation conversion included):
//
//	GOOS=js GOARCH=wasm go test -c -o /tmp/arena_js.test ./engine/compute/arena
//	GOROOT_WASM=$(go env GOROOT)/lib/wasm node --stack-size=8192 \
//	    engine/compute/arena/testdata/node_arena.js kernels_wasm/kernels.wasm /tmp/arena_js.test \
//	    -test.run '^$' -test.bench JSMatMul -test.benchtime 3x
func BenchmarkJSMatMul(b *testing.B) {
	a, err := openJS(arena.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	shapes := []struct{ m, out, in int }{
		{1024, 768, 768}, {1024, 3072, 768}, {1024, 768, 3072},
		{128, 1536, 576}, {128, 576, 1536}, {128, 4864, 896}, {128, 1536, 1536},
	}
	for _, typ := range []dtype.Type{dtype.Q8_0, dtype.Q4_K} {
		for _, s := range shapes {
			if s.in%typ.BlockSize() != 0 {
				continue // Q4_K rows are whole 256-element blocks
			}
			b.Run(fmt.Sprintf("%v/M%d/%dx%d", typ, s.m, s.out, s.in), func(b *testing.B) {
				rng := rand.New(rand.NewPCG(1, 2))
				w := make([]float32, s.out*s.in)
				for i := range w {
					w[i] = float32(rng.NormFloat64()) * 0.5
				}
				rb, _ := typ.RowSize(int64(s.in))
				data := make([]byte, int64(s.out)*rb)
				for r := 0; r < s.out; r++ {
					if err := quant.Quantize(typ, w[r*s.in:(r+1)*s.in], data[int64(r)*rb:int64(r+1)*rb]); err != nil {
						b.Fatal(err)
					}
				}
				wt, err := a.Alloc(typ, s.out, s.in)
				if err != nil {
					b.Fatal(err)
				}
				defer a.Free(wt)
				if err := a.Load(wt, bytes.NewReader(data)); err != nil {
					b.Fatal(err)
				}
				x := make([]float32, s.m*s.in)
				for i := range x {
					x[i] = float32(rng.NormFloat64())
				}
				xt, err := a.Alloc(dtype.F32, s.m, s.in)
				if err != nil {
					b.Fatal(err)
				}
				defer a.Free(xt)
				dt, err := a.Alloc(dtype.F32, s.m, s.out)
				if err != nil {
					b.Fatal(err)
				}
				defer a.Free(dt)
				a.Write(xt, x)
				a.MatMul(dt, wt, xt) // warm up the tiers
				b.ResetTimer()
				for range b.N {
					b.StopTimer()
					a.Write(xt, x) // a new input: no reuse of its conversion
					b.StartTimer()
					a.MatMul(dt, wt, xt)
				}
				flops := 2 * float64(s.m) * float64(s.out) * float64(s.in)
				b.ReportMetric(flops*float64(b.N)/b.Elapsed().Seconds()/1e9, "GFLOP/s")
			})
		}
	}
}
