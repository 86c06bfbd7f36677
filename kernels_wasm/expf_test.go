package kernels

import (
	"flag"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
)

var exhaustiveExpf = flag.Bool("kernels.exhaustive-expf", false,
	"check expf on every float32 in [−104.5, 89] (about 2.2·10⁹ values, minutes)")

// expfInputs returns n float32s spread evenly over the bit patterns of
// [−104.5, 89] (so over every binade, tiny ones included), plus the edges
// and special values.
func expfInputs(r *rand.Rand, n int) []float32 {
	pos, neg := math.Float32bits(89), math.Float32bits(-104.5)&^(1<<31)
	x := []float32{0, float32(math.Copysign(0, -1)), 89, 88.72283, 88.72284, -103.97207, -103.97208, -104.5, -104.6,
		89.01, 1e30, -1e30, float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN()), math.SmallestNonzeroFloat32}
	for len(x) < n {
		if r.IntN(2) == 0 {
			x = append(x, math.Float32frombits(r.Uint32N(pos+1)))
		} else {
			x = append(x, math.Float32frombits(r.Uint32N(neg+1)|1<<31))
		}
		if r.IntN(8) == 0 {
			x = append(x, float32(r.Float64()*193.5-104.5)) // evenly by value too
		}
	}
	return x
}

// expf gives compute.Expf's bits (float32(math.Exp(float64(x)))) on four
// million inputs spread over its whole range; with
// -kernels.exhaustive-expf, on every float32 in it.
func TestExpfMatchesExpf(t *testing.T) {
	e := newArithEnv(t, 512)
	x := expfInputs(rand.New(rand.NewPCG(9, 10)), 4<<20)
	checkExpf(t, e, x)
	if !*exhaustiveExpf {
		return
	}
	const step = 1 << 22
	var total int
	for _, r := range [][2]uint32{{0, math.Float32bits(89)}, {0x80000000, math.Float32bits(-104.5)}} {
		for lo := uint64(r[0]); lo <= uint64(r[1]); lo += step {
			hi := min(lo+step, uint64(r[1])+1)
			xs := make([]float32, 0, hi-lo)
			for b := lo; b < hi; b++ {
				xs = append(xs, math.Float32frombits(uint32(b)))
			}
			checkExpf(t, e, xs)
			total += len(xs)
		}
	}
	t.Logf("exhaustive: %d float32s checked", total)
}

func checkExpf(t *testing.T, e *kernelEnv, x []float32) {
	t.Helper()
	got := e.mapF32(t, "t_expf", x)
	bad := 0
	for i, v := range got {
		if want := compute.Expf(x[i]); !sameF32(v, want) {
			if bad++; bad <= 5 {
				t.Errorf("expf(%g = %#08x) = %g (%#08x), Expf %g (%#08x)", x[i], math.Float32bits(x[i]),
					v, math.Float32bits(v), want, math.Float32bits(want))
			}
		}
	}
	if bad > 0 {
		t.Errorf("%d of %d differ", bad, len(x))
	}
}
