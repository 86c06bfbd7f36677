package quant

import (
	"math"
	"math/rand/v2"
	"testing"
)

// The rounding helpers against math's definitions, over random bit
// patterns and the edges of their ranges.
func TestRoundingHelpers(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 22))
	vals := []float32{0, -0.0, 0.5, 1.5, 2.5, -2.5, -0.5, 4194303.5, 4194304, -4194304,
		2147483520, 2147483648, -2147483648, -2147483904, 1e20, -1e20,
		float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for range 100000 {
		vals = append(vals, math.Float32frombits(r.Uint32()))
		vals = append(vals, float32(r.NormFloat64()*200))
	}
	for _, f := range vals {
		wantRound := int32(math.MinInt32)
		if g := math.RoundToEven(float64(f)); g >= -2147483648 && g < 2147483648 {
			wantRound = int32(g)
		}
		if got := roundEvenInt(f); got != wantRound {
			t.Fatalf("roundEvenInt(%g) = %d, want %d", f, got, wantRound)
		}
		wantTrunc := int32(math.MinInt32)
		if g := math.Trunc(float64(f)); g >= -2147483648 && g < 2147483648 {
			wantTrunc = int32(g)
		}
		if got := truncInt(f); got != wantTrunc {
			t.Fatalf("truncInt(%g) = %d, want %d", f, got, wantTrunc)
		}
		if math.Abs(float64(f)) <= 4194303 {
			if got := nearestInt(f); got != int32(math.RoundToEven(float64(f))) {
				t.Fatalf("nearestInt(%g) = %d", f, got)
			}
		}
	}
}
