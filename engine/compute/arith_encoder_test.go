package compute_test

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/quant"
)

// DotF16Wasm sums exact products of halves: its float32 partial sums stay
// within a few ulps of the float64 dot product, at every length (whole
// blocks of 16, tails, empty).
func TestDotF16Wasm(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, n := range []int{0, 1, 5, 15, 16, 17, 31, 64, 100} {
		x, y := make([]uint16, n), make([]uint16, n)
		var want float64
		for i := range x {
			x[i] = quant.F32ToF16(float32(rng.NormFloat64()))
			y[i] = quant.F32ToF16(float32(rng.NormFloat64()))
			want += float64(quant.F16ToF32(x[i])) * float64(quant.F16ToF32(y[i]))
		}
		got := compute.DotF16Wasm(x, y)
		if math.Abs(float64(got)-want) > 1e-5*(1+math.Sqrt(float64(n))) {
			t.Fatalf("n=%d: DotF16Wasm = %v, float64 dot %v", n, got, want)
		}
	}
	// The order: lanes are added ((0+1)+2)+3 in float32. 2²² + 0.25
	// rounds back to 2²² (a tie, to even) twice; adding the two quarters
	// first would keep them (2²² + 0.5).
	x := make([]uint16, 16)
	y := make([]uint16, 16)
	x[0], y[0] = quant.F32ToF16(2048), quant.F32ToF16(2048)
	x[1], y[1] = quant.F32ToF16(0.5), quant.F32ToF16(0.5)
	x[2], y[2] = quant.F32ToF16(0.5), quant.F32ToF16(0.5)
	if got := compute.DotF16Wasm(x, y); got != 1<<22 {
		t.Fatalf("DotF16Wasm = %v, want %v (lanes added in order)", got, 1<<22)
	}
}

func TestFlashTiled(t *testing.T) {
	for _, c := range []struct {
		n, d int
		want bool
	}{{63, 64, false}, {64, 64, true}, {1024, 64, true}, {1024, 10, false}, {65, 12, true}} {
		if got := compute.FlashTiled(c.n, c.d); got != c.want {
			t.Errorf("FlashTiled(%d, %d) = %v, want %v", c.n, c.d, got, c.want)
		}
	}
}
