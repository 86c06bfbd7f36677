package quant

import (
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// benchRow is the row length of the benchmarks: a typical hidden size.
const benchRow = 4096

// weightTypes are the types VecDot accepts as weight rows.
var weightTypes = []dtype.Type{
	dtype.F32, dtype.F16, dtype.BF16,
	dtype.Q4_0, dtype.Q4_1, dtype.Q5_0, dtype.Q5_1, dtype.Q8_0,
	dtype.Q2_K, dtype.Q3_K, dtype.Q4_K, dtype.Q5_K, dtype.Q6_K,
}

// allTypes are all the types this package quantizes and dequantizes.
var allTypes = append(append([]dtype.Type{}, weightTypes...), dtype.Q8_1, dtype.Q8_K)

// mustQuantize quantizes x to type t, failing the test or benchmark on error.
func mustQuantize(tb testing.TB, t dtype.Type, x []float32) []byte {
	tb.Helper()
	size, ok := t.RowSize(int64(len(x)))
	if !ok {
		tb.Fatalf("%v: %d elements is not a whole number of blocks", t, len(x))
	}
	out := make([]byte, size)
	if err := Quantize(t, x, out); err != nil {
		tb.Fatal(err)
	}
	return out
}

func gaussian(r *rand.Rand, n int, scale float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(r.NormFloat64() * scale)
	}
	return x
}

func BenchmarkVecDot(b *testing.B) {
	r := rand.New(rand.NewPCG(7, 7))
	for _, t := range weightTypes {
		w := mustQuantize(b, t, gaussian(r, benchRow, 1))
		x := mustQuantize(b, VecDotType(t), gaussian(r, benchRow, 1))
		b.Run(t.String(), func(b *testing.B) {
			b.SetBytes(int64(len(w)))
			var sink float32
			for b.Loop() {
				sink += VecDot(t, benchRow, w, x)
			}
			if sink != sink {
				b.Fatal("NaN")
			}
		})
	}
}

func BenchmarkDequantize(b *testing.B) {
	r := rand.New(rand.NewPCG(8, 8))
	dst := make([]float32, benchRow)
	for _, t := range allTypes {
		src := mustQuantize(b, t, gaussian(r, benchRow, 1))
		b.Run(t.String(), func(b *testing.B) {
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				if err := Dequantize(t, src, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkQuantizeActivations measures the per-token conversion of an
// activation row to each VecDotType.
func BenchmarkQuantizeActivations(b *testing.B) {
	r := rand.New(rand.NewPCG(9, 9))
	x := gaussian(r, benchRow, 1)
	for _, t := range []dtype.Type{dtype.F16, dtype.BF16, dtype.Q8_0, dtype.Q8_1, dtype.Q8_K} {
		dst := mustQuantize(b, t, x)
		b.Run(t.String(), func(b *testing.B) {
			b.SetBytes(4 * benchRow)
			for b.Loop() {
				if err := Quantize(t, x, dst); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
