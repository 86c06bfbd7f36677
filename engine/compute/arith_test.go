package compute

import (
	"math"
	"math/big"
	"math/rand/v2"
	"testing"
)

// exactFMA rounds a·b+c, computed exactly, once to float32.
func exactFMA(a, b, c float32) float32 {
	x := new(big.Float).SetPrec(400).SetFloat64(float64(a))
	x.Mul(x, new(big.Float).SetPrec(400).SetFloat64(float64(b)))
	x.Add(x, new(big.Float).SetPrec(400).SetFloat64(float64(c)))
	f, _ := x.Float32()
	return f
}

func TestFMA32IsRoundedOnce(t *testing.T) {
	// Sums whose float64 rounding lands exactly on a float32 midpoint:
	// rounding that again would go the wrong way.
	a := float32(math.Ldexp(1+math.Ldexp(1, -18), -12))
	b := float32(math.Ldexp(1-math.Ldexp(1, -18), -12)) // a·b = 2⁻²⁴ − 2⁻⁶⁰
	c := float32(1 + math.Ldexp(1, -23))                // odd last bit
	if got, want := FMA32(a, b, c), c; got != want {
		t.Fatalf("FMA32(a, b, 1+2⁻²³) = %v, want %v (1+2⁻²³: the exact sum is just below the midpoint)", got, want)
	}
	if got, want := FMA32(-a, b, -c), -c; got != want {
		t.Fatalf("negated: %v, want %v", got, want)
	}
	b2 := float32(math.Ldexp(1+math.Ldexp(1, -18), -12)) // a·b2 = 2⁻²⁴ + 2⁻¹⁷·2⁻²⁴… + 2⁻⁶⁰
	if got, want := FMA32(a, b2, 1), exactFMA(a, b2, 1); got != want {
		t.Fatalf("FMA32(a, b2, 1) = %v, want %v", got, want)
	}
	rng := rand.New(rand.NewPCG(5, 5))
	r := func() float32 {
		return float32(math.Ldexp(rng.Float64()*2-1, rng.IntN(40)-20))
	}
	for i := 0; i < 200000; i++ {
		a, b, c := r(), r(), r()
		if i%3 == 0 { // c close to −a·b: heavy cancellation
			c = -float32(float64(a) * float64(b))
		}
		if got, want := FMA32(a, b, c), exactFMA(a, b, c); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("FMA32(%v, %v, %v) = %v, want %v", a, b, c, got, want)
		}
	}
}

func TestExp32(t *testing.T) {
	for x := float32(-87); x < 88; x += 0.0137 {
		got, want := float64(Exp32(x)), math.Exp(float64(x))
		if math.Abs(got-want) > 2*want*math.Ldexp(1, -23) { // within 2 ulp
			t.Fatalf("Exp32(%v) = %v, exp = %v", x, got, want)
		}
	}
	for _, c := range []struct{ x, want float32 }{
		{0, 1},
		{float32(math.Inf(-1)), 0},
		{float32(math.Inf(1)), float32(math.Inf(1))},
		{-200, 0},
		{200, float32(math.Inf(1))},
	} {
		if got := Exp32(c.x); got != c.want {
			t.Errorf("Exp32(%v) = %v, want %v", c.x, got, c.want)
		}
	}
	if got := Exp32(float32(math.NaN())); got == got {
		t.Errorf("Exp32(NaN) = %v", got)
	}
	// SiLU32 is x/(1+e^−x): a few values checked against float64.
	for _, x := range []float32{-20, -3.5, -1, -1e-3, 0, 1e-3, 0.5, 2, 9.75, 40} {
		want := float64(x) / (1 + math.Exp(-float64(x)))
		if got := float64(SiLU32(x)); math.Abs(got-want) > 4*math.Abs(want)*math.Ldexp(1, -23)+1e-30 {
			t.Errorf("SiLU32(%v) = %v, want %v", x, got, want)
		}
	}
}

// Sum16 adds in halves, which here keeps a bit that adding in order loses.
func TestSum16AddsInHalves(t *testing.T) {
	var v [16]float32
	tiny := float32(math.Ldexp(1, -24))
	v[0], v[4], v[8], v[12] = 1, tiny, tiny, tiny
	var seq float32
	for _, x := range v {
		seq += x
	}
	if got, want := Sum16(&v), float32(1+math.Ldexp(1, -23)); got != want || seq == want {
		t.Fatalf("Sum16 = %v, want %v (in order: %v)", got, want, seq)
	}
}

func TestDotF32Orders(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	for _, n := range []int{1, 15, 16, 63, 64, 96, 130, 256} {
		x, y := make([]float32, n), make([]float32, n)
		var want, scale float64
		for i := range x {
			x[i], y[i] = float32(rng.NormFloat64()), float32(rng.NormFloat64())
			want += float64(x[i]) * float64(y[i])
			scale += math.Abs(float64(x[i]) * float64(y[i]))
		}
		for name, got := range map[string]float32{
			"DotF32": DotF32(x, y, false), "DotF32 padded": DotF32(x, y, true), "DotF32Tiled": DotF32Tiled(x, y),
		} {
			if math.Abs(float64(got)-want) > 1e-6*scale {
				t.Errorf("%s of %d elements = %v, want %v", name, n, got, want)
			}
		}
		if n%64 == 0 && DotF32(x, y, false) != DotF32(x, y, true) {
			t.Errorf("%d elements: padding changed a row with no remainder", n)
		}
		if n <= 16 && DotF32(x, y, true) != DotF32Tiled(x, y) {
			t.Errorf("%d elements: the two orders differ on a row of at most 16", n)
		}
	}
	// The remainder after the last block of 64 is added with scalar fused
	// multiply-adds after the lanes are summed.
	x := make([]float32, 65)
	y := make([]float32, 65)
	x[0], y[0] = 1, 1
	x[64], y[64] = float32(math.Ldexp(1, -12)), float32(math.Ldexp(1+math.Ldexp(1, -20), -12))
	if got, want := DotF32(x, y, false), FMA32(x[64], y[64], 1); got != want {
		t.Fatalf("DotF32 with a remainder = %v, want fma(x64, y64, 1) = %v", got, want)
	}
}
