package compute

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The AMX-order kernels against the meaning of a dot product: the sum, in
// float64, of the dequantized weights times the dequantized activations.
// Only the accumulation order may differ, so the results agree to a few
// float32 roundings of the running sum.
func TestAMXKernelsComputeTheDotProduct(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	for typ, a := range amxKernels {
		for _, n := range []int{256, 512, 1024} {
			for trial := 0; trial < 20; trial++ {
				wf := make([]float32, n)
				xf := make([]float32, n)
				for i := range wf {
					wf[i] = float32(rng.NormFloat64())
					xf[i] = float32(rng.NormFloat64()) * float32(1+trial%3)
				}
				wrb, _ := typ.RowSize(int64(n))
				xrb, _ := a.act.RowSize(int64(n))
				w, x := make([]byte, wrb), make([]byte, xrb)
				if err := quant.Quantize(typ, wf, w); err != nil {
					t.Fatal(err)
				}
				if err := quant.Quantize(a.act, xf, x); err != nil {
					t.Fatal(err)
				}
				wd, xd := make([]float32, n), make([]float32, n)
				if err := quant.Dequantize(typ, w, wd); err != nil {
					t.Fatal(err)
				}
				if err := quant.Dequantize(a.act, x, xd); err != nil {
					t.Fatal(err)
				}
				var want, scale float64
				for i := range wd {
					want += float64(wd[i]) * float64(xd[i])
					scale += math.Abs(float64(wd[i]) * float64(xd[i]))
				}
				got := a.dot(w, x, n)
				tol := 1e-5
				if typ == dtype.Q4_1 {
					tol = 2e-3 // Q8_1 keeps d·Σq as F16: the minimums' term is that rounded
				}
				if math.Abs(float64(got)-want) > tol*scale {
					t.Fatalf("%v·%v, %d elements: kernel %v, dequantized sum %v (scale %v)", typ, a.act, n, got, want, scale)
				}
				if typ != dtype.F16 { // quant.VecDot pairs F16 with F16 activations
					ref := quant.VecDot(typ, n, w, x)
					if math.Abs(float64(got-ref)) > 1e-5*scale {
						t.Fatalf("%v, %d elements: kernel %v, quant.VecDot %v", typ, n, got, ref)
					}
				}
			}
		}
	}
}

// The block sums are accumulated with one rounding per block (a fused
// multiply-add), in block order. Block 0 contributes c, a value with bits
// far below block 1's; block 1's integer sum times its scales needs more
// than 24 bits, so rounding that product before adding c can give a
// different float32.
func TestQ8_0KernelFusesEachBlock(t *testing.T) {
	put := func(b []byte, d float32, q []int8) {
		h := quant.F32ToF16(d)
		b[0], b[1] = byte(h), byte(h>>8)
		for i, v := range q {
			b[2+i] = byte(v)
		}
	}
	q := make([]int8, 32)
	for i := range q {
		q[i] = int8(127 - 3*i)
	}
	var isum float32
	for _, v := range q {
		isum += float32(v) * float32(v)
	}
	// Block 0: one product of 1 with scales 0.3 and 0.7 (as F16).
	c := float32(math.FMA(1, float64(quant.F16ToF32(quant.F32ToF16(0.3))*quant.F16ToF32(quant.F32ToF16(0.7))), 0))
	found := false
	for k := 1; k < 1024 && !found; k++ {
		dw := quant.F16ToF32(quant.F32ToF16(1 + float32(k)/1024))
		dx := quant.F16ToF32(quant.F32ToF16(1 + float32(1023-k)/1024))
		fused := float32(math.FMA(float64(isum), float64(dw*dx), float64(c)))
		if fused == float32(isum*(dw*dx))+c {
			continue // this pair does not tell the two apart
		}
		found = true
		w, x := make([]byte, 68), make([]byte, 68)
		put(w, 0.3, []int8{1})
		put(x, 0.7, []int8{1})
		put(w[34:], dw, q)
		put(x[34:], dx, q)
		if got := dotQ8_0(w, x, 64); got != fused {
			t.Fatalf("dotQ8_0 = %v, want fma(%v, dw·dx, %v) = %v (unfused: %v)", got, isum, c, fused, float32(isum*(dw*dx))+c)
		}
	}
	if !found {
		t.Fatal("no scales found whose fused and unfused sums differ")
	}
}

func TestKernelChoice(t *testing.T) {
	for _, c := range []struct {
		typ        dtype.Type
		rows, cols int
		act        dtype.Type
	}{
		{dtype.Q8_0, 64, 64, dtype.Q8_0},
		{dtype.Q4_0, 64, 64, dtype.Q8_0},
		{dtype.Q4_K, 64, 256, dtype.Q8_K},
		{dtype.F16, 64, 48, dtype.F32},   // AMX: F32 activations
		{dtype.F16, 37, 48, dtype.F16},   // generic: F16 activations
		{dtype.F16, 64, 40, dtype.F16},   // rows not a multiple of 16
		{dtype.BF16, 64, 64, dtype.BF16}, // no AMX kernel
		{dtype.F32, 64, 64, dtype.F32},
		{dtype.Q5_0, 64, 64, dtype.Q8_0},
	} {
		act, _, ok := KernelFor(c.typ, c.rows, c.cols, 1)
		if !ok || act != c.act {
			t.Errorf("KernelFor(%v, %d, %d) activations %v (ok %v), want %v", c.typ, c.rows, c.cols, act, ok, c.act)
		}
	}
	if _, _, ok := KernelFor(dtype.Q8_K, 64, 256, 1); ok {
		t.Error("KernelFor(Q8_K) succeeded; Q8_K is an activation type")
	}
}
