package kernels

import (
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// awkwardLengths cover every tail of the 16-, 4- and 1-element loops.
var awkwardLengths = []int{0, 1, 2, 3, 4, 5, 7, 8, 11, 15, 16, 17, 19, 31, 32, 33, 47, 63, 64, 65, 100, 255, 256, 257, 1000, 4099}

func gaussian(e *kernelEnv, n int) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(e.rand.NormFloat64())
	}
	return x
}

// dot_f32 against the float64 sum of the float32 products (quant.VecDot for
// F32 computes the same): the kernel sums in float32 over 16 lanes, so the
// bound is the usual one for n/16 + 5 additions in a row, relative to
// Σ|a·b|.
func TestDotF32(t *testing.T) {
	e := newKernels(t, 4)
	for _, n := range awkwardLengths {
		for _, mis := range [][2]uint32{{0, 0}, {1, 3}, {2, 0}, {3, 1}} {
			e.reset()
			a, b := gaussian(e, n), gaussian(e, n)
			pa, pb := e.place(t, f32Bytes(a), mis[0]), e.place(t, f32Bytes(b), mis[1])
			before := e.snapshot()
			got := e.callF32(t, DotF32, pa, pb, uint32(n))
			e.checkUntouched(t, before, 0, 0)

			var exact, mag float64
			for i := range a {
				p := float64(a[i]) * float64(b[i])
				exact += p
				mag += math.Abs(p)
			}
			if ref := quant.VecDot(dtype.F32, n, f32Bytes(a), f32Bytes(b)); math.Abs(float64(ref)-exact) > 1e-6*mag+1e-30 {
				t.Fatalf("n=%d: quant.VecDot %v, float64 loop %v", n, ref, exact)
			}
			tol := float64(n/16+6) * 0x1p-24 * mag
			if diff := math.Abs(float64(got) - exact); diff > tol || (n == 0 && got != 0) {
				t.Errorf("n=%d misalign %v: dot_f32 = %v, want %v ± %.3g (off by %.3g)", n, mis, got, exact, tol, diff)
			}
		}
	}
}

func TestDotF32SpecialValues(t *testing.T) {
	e := newKernels(t, 1)
	inf := float32(math.Inf(1))
	cases := []struct {
		a, b []float32
		want float32
	}{
		{[]float32{1, 2, 3}, []float32{4, 5, 6}, 32},
		{[]float32{inf, 1, 1, 1, 1}, []float32{1, 1, 1, 1, 1}, inf},
		{[]float32{inf, 0}, []float32{0, 1}, float32(math.NaN())},                    // inf·0 in the scalar tail
		{make([]float32, 20), append(make([]float32, 19), inf), float32(math.NaN())}, // 0·inf in the vector loop
	}
	for _, c := range cases {
		e.reset()
		pa, pb := e.place(t, f32Bytes(c.a), 0), e.place(t, f32Bytes(c.b), 0)
		if got := e.callF32(t, DotF32, pa, pb, uint32(len(c.a))); !(got == c.want || (got != got && c.want != c.want)) {
			t.Errorf("dot_f32(%v, %v) = %v, want %v", c.a, c.b, got, c.want)
		}
	}
	// A negative length is an empty sum.
	if got := e.callF32(t, DotF32, 64, 64, uint32(0xffffffff)); got != 0 {
		t.Errorf("dot_f32 with n = -1: %v, want 0", got)
	}
}
