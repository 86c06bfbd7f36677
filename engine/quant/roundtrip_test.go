package quant

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// distributions are the inputs every format must survive: ordinary weights
// and activations, all zeros, tiny and large magnitudes, one-signed data,
// data far from zero and sparse data with outliers.
var distributions = []struct {
	name string
	gen  func(r *rand.Rand, i int) float32
}{
	{"gaussian", func(r *rand.Rand, _ int) float32 { return float32(r.NormFloat64()) }},
	{"uniform", func(r *rand.Rand, _ int) float32 { return float32(2*r.Float64() - 1) }},
	{"zeros", func(*rand.Rand, int) float32 { return 0 }},
	{"tiny", func(r *rand.Rand, _ int) float32 { return float32(r.NormFloat64() * 1e-3) }},
	{"subnormal-scale", func(r *rand.Rand, _ int) float32 { return float32(r.NormFloat64() * 1e-30) }},
	{"large", func(r *rand.Rand, _ int) float32 { return float32(r.NormFloat64() * 1e4) }},
	{"negative-only", func(r *rand.Rand, _ int) float32 { return -float32(math.Abs(r.NormFloat64())) }},
	{"offset", func(r *rand.Rand, _ int) float32 { return float32(5 + r.Float64()) }},
	{"outliers", func(r *rand.Rand, i int) float32 {
		if i%61 == 7 {
			return float32(r.NormFloat64() * 40)
		}
		return float32(r.NormFloat64() * 0.05)
	}},
}

// roundTripBound is the largest error a format may make on one element, as
// rel·absmax(block) + abs. rel follows from the format: half a quantization
// step (or a whole one where the largest magnitude's opposite is clipped),
// plus the F16 rounding of the block scale. abs covers a block scale so small
// that F16 can only store it as a subnormal (absolute error ≤ 2⁻²⁵): it is
// 2⁻²⁵ times the largest multiplier of that scale.
func roundTripBound(t dtype.Type) (rel, abs float64) {
	const sub = 0x1p-25
	switch t {
	case dtype.F32:
		return 0, 0
	case dtype.F16:
		return 0x1p-11, sub // relative to the element itself, see below
	case dtype.BF16:
		return 0x1p-8, 0x1p-133
	case dtype.Q8_0, dtype.Q8_1: // step amax/127; d rounded to F16
		return 1.0/254 + 0x1p-11 + 1e-6, 127 * sub
	case dtype.Q8_K: // float32 scale
		return 1.0/254 + 1e-6, 0
	case dtype.Q4_0: // step amax/8, the far side clipped by one step
		return 1.0/8 + 0x1p-11, 8 * sub
	case dtype.Q5_0: // step amax/16, the far side clipped by one step
		return 1.0/16 + 0x1p-11, 16 * sub
	case dtype.Q4_1: // step ≤ 2·amax/15; d and m rounded to F16
		return 1.0/15 + 3*0x1p-11, 16 * sub
	case dtype.Q5_1: // step ≤ 2·amax/31
		return 1.0/31 + 3*0x1p-11, 32 * sub
	// The k-quants search their scales (trading the extremes for the bulk)
	// and round them to 4, 6 or 8 bits under an F16 super-block scale, so
	// their bound is empirical: the worst error seen over 640 super-blocks of
	// each distribution (uniform data is the worst: 0.44, 0.26, 0.11, 0.059,
	// 0.020 of the absmax), with a margin. A layout bug errs by the absmax.
	case dtype.Q2_K:
		return 0.5, 60 * sub
	case dtype.Q3_K:
		return 0.3, 128 * sub
	case dtype.Q4_K:
		return 0.125, 1008 * sub
	case dtype.Q5_K:
		return 0.07, 2016 * sub
	case dtype.Q6_K:
		return 0.03, 4096 * sub
	}
	panic("no bound for " + t.String())
}

func TestRoundTrip(t *testing.T) {
	const n = 2048
	for _, typ := range allTypes {
		rel, abs := roundTripBound(typ)
		for di, dist := range distributions {
			r := rand.New(rand.NewPCG(uint64(typ), uint64(di)))
			x := make([]float32, n)
			for i := range x {
				x[i] = dist.gen(r, i)
			}
			q := mustQuantize(t, typ, x)
			y := make([]float32, n)
			if err := Dequantize(typ, q, y); err != nil {
				t.Fatal(err)
			}
			bs := typ.BlockSize()
			worst := 0.0
			for b := 0; b < n; b += bs {
				amax := 0.0
				for _, v := range x[b : b+bs] {
					amax = math.Max(amax, math.Abs(float64(v)))
				}
				for i := b; i < b+bs; i++ {
					if math.IsNaN(float64(y[i])) || math.IsInf(float64(y[i]), 0) {
						t.Fatalf("%v %s: element %d of %g decodes to %g", typ, dist.name, i, x[i], y[i])
					}
					err := math.Abs(float64(y[i]) - float64(x[i]))
					if err > rel*amax+abs {
						t.Fatalf("%v %s: element %d: %g decodes to %g, error %.3g > %.3g·%.3g + %.3g",
							typ, dist.name, i, x[i], y[i], err, rel, amax, abs)
					}
					if amax > 0 {
						worst = math.Max(worst, err/amax)
					}
				}
			}
			if dist.name == "zeros" {
				for i, v := range y {
					if v != 0 {
						t.Fatalf("%v zeros: element %d decodes to %g", typ, i, v)
					}
				}
			}
			t.Logf("%v %-16s worst error / block absmax %.4f", typ, dist.name, worst)
		}
	}
}

// TestRoundTripExactValues checks values a format can hold come back
// exactly: small integers times a power of two for the offset-free formats.
func TestRoundTripExactValues(t *testing.T) {
	cases := map[dtype.Type]int{ // levels available on each side of zero
		dtype.F32: 1000, dtype.F16: 1000, dtype.BF16: 100,
		dtype.Q8_0: 127, dtype.Q8_1: 127, dtype.Q8_K: 127,
		dtype.Q4_0: 7, dtype.Q5_0: 15,
	}
	for typ, levels := range cases {
		r := rand.New(rand.NewPCG(5, uint64(typ)))
		n := 8 * typ.BlockSize()
		if typ.BlockSize() == 1 {
			n = 64
		}
		x := make([]float32, n)
		for i := range x {
			x[i] = float32(r.IntN(2*levels+1)-levels) * 0.25
		}
		// Pin each block's absmax to the top level so the scale is exact.
		bs := max(typ.BlockSize(), 1)
		for b := 0; b < n; b += bs {
			x[b] = -float32(levels) * 0.25
			if typ == dtype.Q4_0 || typ == dtype.Q5_0 {
				x[b] = -float32(levels+1) * 0.25 // these map −absmax to −8 / −16
			}
		}
		y := make([]float32, n)
		if err := Dequantize(typ, mustQuantize(t, typ, x), y); err != nil {
			t.Fatal(err)
		}
		for i := range x {
			if x[i] != y[i] {
				t.Fatalf("%v: element %d: %g came back as %g", typ, i, x[i], y[i])
			}
		}
	}
}

// TestF16RoundTripAllHalves checks every non-NaN half survives widening
// and narrowing, and NaNs stay NaN.
func TestF16RoundTripAllHalves(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := F16ToF32(uint16(h))
		back := F32ToF16(f)
		if f != f {
			if back&0x7c00 != 0x7c00 || back&0x3ff == 0 {
				t.Fatalf("NaN half %04x came back as %04x", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Fatalf("half %04x → %g → %04x", h, f, back)
		}
	}
}

func TestBF16RoundTripAllValues(t *testing.T) {
	for h := 0; h < 1<<16; h++ {
		f := BF16ToF32(uint16(h))
		back := F32ToBF16(f)
		if f != f {
			if back&0x7f80 != 0x7f80 || back&0x7f == 0 {
				t.Fatalf("NaN bf16 %04x came back as %04x", h, back)
			}
			continue
		}
		if back != uint16(h) {
			t.Fatalf("bf16 %04x → %g → %04x", h, f, back)
		}
	}
}
