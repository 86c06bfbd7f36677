package compute

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// randomRow encodes n normal floats (times scale) as typ.
func randomRow(t *testing.T, rng *rand.Rand, typ dtype.Type, n int, scale float64) []byte {
	t.Helper()
	f := make([]float32, n)
	for i := range f {
		f[i] = float32(rng.NormFloat64() * scale)
	}
	rb, _ := typ.RowSize(int64(n))
	b := make([]byte, rb)
	if err := quant.Quantize(typ, f, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// OrderWasm multiplies quantized weights as quant.VecDot does, on every
// shape (AMX shapes included); Q8_0 and Q4_0 through the SWAR block sums
// too, with scales that span many binades so the float steps matter.
func TestWasmOrderIsQuantVecDotForQuantizedTypes(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 9))
	for _, typ := range []dtype.Type{dtype.Q4_0, dtype.Q4_1, dtype.Q5_0, dtype.Q5_1, dtype.Q8_0,
		dtype.Q2_K, dtype.Q3_K, dtype.Q4_K, dtype.Q5_K, dtype.Q6_K} {
		n := 2 * max(32, typ.BlockSize())
		for _, shape := range [][3]int{{37, n, 1}, {64, n, 1}, {64, n, 5}} {
			act, dot, ok := OrderWasm.KernelFor(typ, shape[0], shape[1], shape[2])
			if !ok || act != quant.VecDotType(typ) {
				t.Fatalf("OrderWasm.KernelFor(%v, %v): activations %v (ok %v), want %v", typ, shape, act, ok, quant.VecDotType(typ))
			}
			k, _ := wasmKernelFor(typ)
			for trial := 0; trial < 50; trial++ {
				w := randomRow(t, rng, typ, n, math.Ldexp(1, trial%20-10))
				x := randomRow(t, rng, act, n, math.Ldexp(1, trial%7-3))
				want := quant.VecDot(typ, n, w, x)
				if got := dot(w, x, n); math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("%v %v: dot %v, quant.VecDot %v", typ, shape, got, want)
				}
				if k.fast != nil {
					xp := make([]uint64, n/32*k.words)
					k.pack(x, n/32, xp)
					if got := k.fast(w, x, xp, n); math.Float32bits(got) != math.Float32bits(want) {
						t.Fatalf("%v: SWAR kernel %v, quant.VecDot %v", typ, got, want)
					}
				}
			}
		}
	}
}

// The float kernels of OrderWasm pair F16 and BF16 weights with activations
// of their own type (F32 with F32), whatever the shape, and stay within the
// bound kernels_wasm states against quant.VecDot's float64 sum:
// (⌊n/4⌋ + 6)·2⁻²⁴·Σ|w_i·x_i|.
func TestWasmOrderFloatKernelsAreDotProducts(t *testing.T) {
	rng := rand.New(rand.NewPCG(4, 4))
	for _, typ := range []dtype.Type{dtype.F32, dtype.F16, dtype.BF16} {
		for _, n := range []int{0, 1, 3, 4, 5, 7, 8, 70, 256, 1001} {
			for _, shape := range [][2]int{{37, 1}, {64, 4}} {
				act, dot, ok := OrderWasm.KernelFor(typ, shape[0], n, shape[1])
				if !ok || act != typ {
					t.Fatalf("OrderWasm.KernelFor(%v, %d×%d): activations %v (ok %v), want %v", typ, shape[0], n, act, ok, typ)
				}
				w, x := randomRow(t, rng, typ, n, 1), randomRow(t, rng, typ, n, 3)
				wd, xd := make([]float32, n), make([]float32, n)
				quant.Dequantize(typ, w, wd)
				quant.Dequantize(typ, x, xd)
				var scale float64
				for i := range wd {
					scale += math.Abs(float64(wd[i]) * float64(xd[i]))
				}
				got, want := dot(w, x, n), quant.VecDot(typ, n, w, x)
				if d, bound := math.Abs(float64(got-want)), float64(n/4+6)*math.Ldexp(1, -24)*scale; d > bound {
					t.Fatalf("%v, %d elements: %v, quant.VecDot %v: off by %.3g > %.3g", typ, n, got, want, d, bound)
				}
			}
		}
	}
}

// The lanes: with n = 4 and products 1, 2⁻²⁴, 2⁻²⁴, 2⁻²⁴ the four-lane
// order adds (1 + 2⁻²⁴) + (2⁻²⁴ + 2⁻²⁴) = 1 + 2⁻²³ (the first sum rounds
// to 1 by ties-to-even); a running sum would round to 1 three times. With
// n = 5, a fifth product 2⁻²⁴ goes to the tail, added after the lanes.
func TestWasmOrderFloatLanes(t *testing.T) {
	f32 := func(v ...float32) []byte {
		b := make([]byte, 4*len(v))
		for i, x := range v {
			u := math.Float32bits(x)
			b[4*i], b[4*i+1], b[4*i+2], b[4*i+3] = byte(u), byte(u>>8), byte(u>>16), byte(u>>24)
		}
		return b
	}
	e := float32(math.Ldexp(1, -24))
	ones := f32(1, 1, 1, 1, 1)
	if got, want := dotF32Lanes4(f32(1, e, e, e), ones[:16], 4), 1+2*e; got != want {
		t.Fatalf("four lanes: %v, want %v", got, want)
	}
	// (1 + e) + (e + e) = 1 + 2e, then + e: a tie, rounded to even, 1 + 4e.
	if got, want := dotF32Lanes4(f32(1, e, e, e, e), ones, 5), 1+4*e; got != want {
		t.Fatalf("four lanes and a tail: %v, want %v", got, want)
	}
	// Lane 0 of the second group: 1 + e rounds to 1 there too, and the
	// third lane's e + e survives.
	if got, want := dotF32Lanes4(f32(1, 0, e, 0, e, 0, e, 0), f32(1, 1, 1, 1, 1, 1, 1, 1), 8), 1+2*e; got != want {
		t.Fatalf("two groups: %v, want %v", got, want)
	}
}

func TestOrderNames(t *testing.T) {
	for _, o := range Orders {
		got, err := ParseOrder(o.String())
		if err != nil || got != o {
			t.Errorf("ParseOrder(%q) = %v, %v", o.String(), got, err)
		}
	}
	if OrderLlamaCppX86.String() != "x86" || OrderWasm.String() != "wasm" || OrderWllama.String() != "wllama" {
		t.Errorf("names %q, %q, %q; want x86, wasm, wllama", OrderLlamaCppX86, OrderWasm, OrderWllama)
	}
	for _, s := range []string{"", "WASM", "arm", "x86 "} {
		if _, err := ParseOrder(s); err == nil {
			t.Errorf("ParseOrder(%q) succeeded", s)
		}
	}
	if _, _, ok := Order(7).KernelFor(dtype.Q8_0, 64, 64, 1); ok {
		t.Error("an undefined order has kernels")
	}
	defer func() {
		if recover() == nil {
			t.Error("NewReferenceOrder with an undefined order did not panic")
		}
	}()
	NewReferenceOrder(1, Order(7)).Close()
}

// The default order is the one NewReference takes.
func TestDefaultOrder(t *testing.T) {
	b := NewReference(1)
	defer b.Close()
	if b.Order() != OrderLlamaCppX86 || Order(0) != OrderLlamaCppX86 {
		t.Fatalf("NewReference's order is %v, want x86 (the zero Order)", b.Order())
	}
}
