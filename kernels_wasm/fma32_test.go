package kernels

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
)

// nearTie returns a, b, c whose exact a·b + c lies within 2⁻⁴⁰ of a
// float32 spacing of a point halfway between two float32s (or on it), so
// that rounding a·b + c first to float64 then to float32 often goes the
// wrong way: a·b = ±h(1 − i²·2⁻⁴⁶) with h half the float32 spacing at c.
func nearTie(r *rand.Rand) (a, b, c float32) {
	// c: any finite float32, subnormals included, of either sign
	var cb uint32
	switch r.IntN(4) {
	case 0:
		cb = r.Uint32() & 0x007fffff // subnormal
	case 1:
		cb = 0x7f7fffff - uint32(r.IntN(4)) // at the top: ties with infinity
	default:
		cb = r.Uint32()%0x7f000000 + 0x00800000
	}
	c = math.Float32frombits(cb | uint32(r.IntN(2))<<31)
	exp := int(cb>>23) - 127 - 24 // log₂ of half the spacing at c
	if cb>>23 == 0 {
		exp = -150
	}
	i := float64(r.IntN(200))
	// a = (1 + i·2⁻²³)·2^ea, b = (1 − i·2⁻²³)·2^(exp−ea), both normal
	lo, hi := max(-126, exp-127), min(127, exp+126)
	ea := lo + r.IntN(hi-lo+1)
	a = float32(math.Ldexp(1+i*0x1p-23, ea))
	b = float32(math.Ldexp(1-i*0x1p-23, exp-ea))
	if r.IntN(2) == 0 {
		a = -a
	}
	if r.IntN(2) == 0 {
		b = -b
	}
	return a, b, c
}

// The exact FMA (four lanes with the tie test, and the scalar function)
// gives compute.FMA32's bits on random awkward triples and on near-ties,
// among which double rounding in float64 is wrong often.
func TestExactFMAMatchesFMA32(t *testing.T) {
	e := newArithEnv(t, 256)
	r := rand.New(rand.NewPCG(1, 2))
	const n = 1 << 20
	a, b, c := make([]float32, n), make([]float32, n), make([]float32, n)
	doubleRoundingWrong := 0
	for i := range a {
		if i%2 == 0 {
			a[i], b[i], c[i] = awkwardF32(r), awkwardF32(r), awkwardF32(r)
		} else {
			a[i], b[i], c[i] = nearTie(r)
		}
		if naive := float32(float64(a[i])*float64(b[i]) + float64(c[i])); !sameF32(naive, compute.FMA32(a[i], b[i], c[i])) {
			doubleRoundingWrong++
		}
	}
	if doubleRoundingWrong < 1000 {
		t.Fatalf("only %d inputs where rounding through float64 is wrong: the test data misses the hard case", doubleRoundingWrong)
	}
	t.Logf("%d of %d inputs round wrongly through float64 alone", doubleRoundingWrong, n)
	for _, kernel := range []string{"t_fma2", "t_fma4", "t_fma_scalar"} {
		got := e.fmaKernel(t, kernel, a, b, c)
		bad := 0
		for i := range got {
			if want := compute.FMA32(a[i], b[i], c[i]); !sameF32(got[i], want) {
				if bad++; bad <= 5 {
					t.Errorf("%s(%g, %g, %g) = %g (%#08x), FMA32 %g (%#08x)", kernel, a[i], b[i], c[i],
						got[i], math.Float32bits(got[i]), want, math.Float32bits(want))
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d differ", kernel, bad, n)
		}
	}
}

// fmaKernel runs t_fma2, t_fma4 or t_fma_scalar over the triples.
func (e *kernelEnv) fmaKernel(tb testing.TB, kernel string, a, b, c []float32) []float32 {
	tb.Helper()
	out := make([]float32, 0, len(a))
	chunk := int(e.mem.Size()/16) / 64 * 16
	for off := 0; off < len(a); off += chunk {
		k := min(chunk, len(a)-off)
		e.reset()
		pa := e.place(tb, f32Bytes(a[off:off+k]), 0)
		pb := e.place(tb, f32Bytes(b[off:off+k]), 0)
		pc := e.place(tb, f32Bytes(c[off:off+k]), 0)
		pd := e.place(tb, make([]byte, 4*k), 0)
		e.call(tb, kernel, pd, pa, pb, pc, uint32(k))
		out = append(out, e.readF32s(pd, k)...)
	}
	return out
}

// vexp lanes give compute.Exp32's bits, and vsilu compute.SiLU32's, over
// the range where exp is neither 0 nor infinite and well beyond (|n| >
// 192 switches to 0 or +Inf), and on awkward values.
func TestVexpMatchesExp32(t *testing.T) {
	e := newArithEnv(t, 256)
	r := rand.New(rand.NewPCG(3, 4))
	const n = 1 << 21
	x := make([]float32, n)
	for i := range x {
		switch i % 4 {
		case 0:
			x[i] = float32(r.Float64()*240 - 140) // [−140, 100]
		case 1:
			x[i] = float32(r.Float64()*20 - 10)
		case 2:
			x[i] = awkwardF32(r)
		default: // around the ends of |n| ≤ 192 and of the float32 range
			x[i] = float32([]float64{133.08, -133.08, 88.72, -87.34, -103.97}[r.IntN(5)] + (r.Float64()-0.5)*0.01)
		}
	}
	for _, k := range []struct {
		kernel string
		want   func(float32) float32
	}{{"t_vexp", compute.Exp32}, {"t_vsilu", compute.SiLU32}} {
		got := e.mapF32(t, k.kernel, x)
		bad := 0
		for i := range got {
			if want := k.want(x[i]); !sameF32(got[i], want) {
				if bad++; bad <= 5 {
					t.Errorf("%s(%g) = %g (%#08x), want %g (%#08x)", k.kernel, x[i], got[i], math.Float32bits(got[i]), want, math.Float32bits(want))
				}
			}
		}
		if bad > 0 {
			t.Errorf("%s: %d of %d differ", k.kernel, bad, n)
		}
	}
}

// reduce16 sums in compute.Sum16's order.
func TestReduce16MatchesSum16(t *testing.T) {
	e := newArithEnv(t, 32)
	r := rand.New(rand.NewPCG(5, 6))
	x := make([]float32, 16*20000)
	for i := range x {
		if i%3 == 0 {
			x[i] = awkwardF32(r)
		} else {
			x[i] = float32(r.NormFloat64() * math.Pow(2, float64(r.IntN(40)-20)))
		}
	}
	e.reset()
	px := e.place(t, f32Bytes(x), 0)
	pd := e.place(t, make([]byte, 4*len(x)/16), 0)
	e.call(t, "t_reduce16", pd, px, uint32(len(x)))
	got := e.readF32s(pd, len(x)/16)
	for g := range got {
		want := compute.Sum16((*[16]float32)(x[16*g:]))
		if !sameF32(got[g], want) {
			t.Fatalf("group %d: %g, Sum16 %g", g, got[g], want)
		}
	}
}

// dot_f32x64 is compute.DotF32(x, y, false) for lengths around its
// 64-element blocks, on random and awkward values, on values with few
// significand bits (whose sums often sit on float32 ties) and with
// near-ties planted in the lanes' second terms.
func TestDotF32x64MatchesDotF32(t *testing.T) {
	e := newArithEnv(t, 4)
	r := rand.New(rand.NewPCG(7, 8))
	lengths := []int{0, 1, 3, 15, 16, 17, 63, 64, 65, 100, 127, 128, 129, 191, 192, 256, 300}
	for trial := range 60 {
		for _, n := range lengths {
			x, y := make([]float32, n), make([]float32, n)
			for i := range x {
				switch trial % 3 {
				case 0:
					x[i], y[i] = float32(r.NormFloat64()), float32(r.NormFloat64()*math.Pow(2, float64(r.IntN(30)-15)))
				case 1:
					x[i], y[i] = awkwardF32(r), awkwardF32(r)
				default:
					x[i] = float32(math.Ldexp(float64(r.IntN(64)-32), r.IntN(24)-12))
					y[i] = float32(math.Ldexp(float64(r.IntN(64)-32), r.IntN(24)-12))
				}
			}
			if trial%2 == 1 && n >= 128 {
				// a near-tie in one lane's second fused multiply-add, the
				// rest zero: the first block leaves c in lane l (c·1), the
				// second adds a·b, and the sum is that lane's result
				clear(x)
				clear(y)
				l := r.IntN(64)
				x[l+64], y[l+64], x[l] = nearTie(r)
				y[l] = 1
			}
			e.reset()
			px, py := e.place(t, f32Bytes(x), uint32(trial%4)), e.place(t, f32Bytes(y), uint32(trial%3))
			before := wholeMemory(e)
			got := e.callF32(t, "t_dot", px, py, uint32(n))
			checkSameMemory(t, "t_dot", before, wholeMemory(e))
			if want := compute.DotF32(x, y, false); !sameF32(got, want) {
				t.Fatalf("trial %d, n=%d: %g (%#08x), DotF32 %g (%#08x)", trial, n, got, math.Float32bits(got), want, math.Float32bits(want))
			}
		}
	}
}
