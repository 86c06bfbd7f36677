package compute

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/quant"
)

// The x86-order kernels against the dequantized dot product (in float64)
// and quant.VecDot: only the accumulation order differs, so they agree to
// a few float32 roundings.
func TestX86KernelsComputeTheDotProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	for typ, k := range x86Kernels {
		for _, n := range []int{32, 96, 256, 1024} {
			for trial := 0; trial < 20; trial++ {
				wf, xf := make([]float32, n), make([]float32, n)
				for i := range wf {
					wf[i] = float32(rng.NormFloat64())
					xf[i] = float32(rng.NormFloat64()) * float32(1+trial%3)
				}
				wrb, _ := typ.RowSize(int64(n))
				xrb, _ := k.act.RowSize(int64(n))
				w, x := make([]byte, wrb), make([]byte, xrb)
				if err := quant.Quantize(typ, wf, w); err != nil {
					t.Fatal(err)
				}
				if err := quant.Quantize(k.act, xf, x); err != nil {
					t.Fatal(err)
				}
				wd, xd := make([]float32, n), make([]float32, n)
				if err := quant.Dequantize(typ, w, wd); err != nil {
					t.Fatal(err)
				}
				if err := quant.Dequantize(k.act, x, xd); err != nil {
					t.Fatal(err)
				}
				var want, scale float64
				for i := range wd {
					want += float64(wd[i]) * float64(xd[i])
					scale += math.Abs(float64(wd[i]) * float64(xd[i]))
				}
				got := k.dot(w, x, n)
				// Q8_1 keeps d·Σq as F16: the minimums' term is that rounded.
				if math.Abs(float64(got)-want) > 2e-3*scale {
					t.Fatalf("%v·%v, %d elements: kernel %v, dequantized sum %v (scale %v)", typ, k.act, n, got, want, scale)
				}
				if ref := quant.VecDot(typ, n, w, x); math.Abs(float64(got-ref)) > 1e-5*scale {
					t.Fatalf("%v, %d elements: kernel %v, quant.VecDot %v", typ, n, got, ref)
				}
			}
		}
	}
}

// hsum8 adds the upper four lanes onto the lower four, then lanes two
// apart, then the last pair. With 1 in lane 0 and 2^-24 in lanes 1 and 5,
// that order adds the two small terms to each other first (1 + 2^-23),
// while lane order loses each to a tie rounded to even (1).
func TestHsum8AddsHalvesFirst(t *testing.T) {
	v := [8]float32{1, 0x1p-24, 0, 0, 0, 0x1p-24, 0, 0}
	if got, want := hsum8(&v), float32(1+0x1p-23); got != want {
		t.Fatalf("hsum8 = %v, want %v", got, want)
	}
	var seq float32
	for _, x := range v {
		seq += x
	}
	if seq == hsum8(&v) {
		t.Fatalf("the check cannot tell the orders apart (both %v)", seq)
	}
}
