package sample

import (
	"math"
	"testing"
)

// expf against math.Exp on 400k evenly spread float32 inputs from -110 to
// 95, each with its two neighbours, and on the special values.
func TestExpfMatchesMathExp(t *testing.T) {
	mismatches, checked := 0, 0
	const n = 400000
	for i := range n {
		mid := float32(-110 + 205*float64(i)/n)
		for _, x := range []float32{math.Nextafter32(mid, -200), mid, math.Nextafter32(mid, 200)} {
			checked++
			want := float32(math.Exp(float64(x)))
			got := expf(x)
			if got == want {
				continue
			}
			mismatches++
			// Only a last-bit difference in a subnormal result is tolerated.
			if want >= math.SmallestNonzeroFloat32*(1<<23) || math.Abs(float64(got-want)) > math.SmallestNonzeroFloat32 {
				t.Fatalf("expf(%v) = %v, want %v", x, got, want)
			}
		}
	}
	if mismatches > checked/100000 {
		t.Errorf("%d of %d results differ from math.Exp", mismatches, checked)
	}
	specials := map[float32]float32{
		0:                     1,
		float32(math.Inf(-1)): 0,
		float32(math.Inf(1)):  float32(math.Inf(1)),
		-200:                  0,
		100:                   float32(math.Inf(1)),
		1:                     float32(math.E),
	}
	for x, want := range specials {
		if got := expf(x); got != want {
			t.Errorf("expf(%v) = %v, want %v", x, got, want)
		}
	}
	if got := expf(float32(math.NaN())); got == got {
		t.Errorf("expf(NaN) = %v, want NaN", got)
	}
}
