package compute

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// OrderWllama quantizes activations as llama.cpp's reference C code: a
// half step rounds away from zero (the x86 quantizer, quant.Quantize,
// rounds it to even), and the scale is 1/d, not 127/amax.
func TestWllamaQuantizesQ8_0AsTheReferenceCode(t *testing.T) {
	x := make([]float32, 32)
	x[0] = 127 // amax 127: d = 1, id = 1
	x[1], x[2], x[3], x[4] = 2.5, -2.5, 3.5, 0.49
	got := make([]byte, 34)
	if err := OrderWllama.Quantize(dtype.Q8_0, x, got); err != nil {
		t.Fatal(err)
	}
	if d := quant.F16ToF32(uint16(got[0]) | uint16(got[1])<<8); d != 1 {
		t.Fatalf("d = %v, want 1", d)
	}
	for j, want := range []int8{127, 3, -3, 4, 0} {
		if q := int8(got[2+j]); q != want {
			t.Errorf("q[%d] = %d for %v, want %d (halves away from zero)", j, q, x[j], want)
		}
	}
	x86 := make([]byte, 34)
	if err := quant.Quantize(dtype.Q8_0, x, x86); err != nil {
		t.Fatal(err)
	}
	if int8(x86[3]) != 2 {
		t.Fatalf("quant.Quantize gave %d for 2.5: the x86 quantizer no longer rounds halves to even, and this test no longer tells the two apart", int8(x86[3]))
	}

	// A block whose 1/d differs from 127/amax, and an element that lands
	// on different sides of a half step with the two scales.
	rng := rand.New(rand.NewPCG(5, 21))
	found := false
	for trial := 0; trial < 100000 && !found; trial++ {
		amax := float32(math.Ldexp(1+rng.Float64(), rng.IntN(20)-10))
		d := amax / 127
		idRef, id86 := 1/d, 127/amax
		if idRef == id86 {
			continue
		}
		for k := 1; k < 127 && !found; k++ {
			// the float32 nearest to (k+0.5)/idRef, and its neighbours
			v := float32((float64(k) + 0.5) / float64(idRef))
			for _, c := range []float32{math.Nextafter32(v, 0), v, math.Nextafter32(v, 1e9)} {
				r, e := math.Round(float64(float32(c*idRef))), math.RoundToEven(float64(float32(c*id86)))
				if r == e {
					continue
				}
				x := make([]float32, 32)
				x[0], x[5] = amax, c
				ref, x86 := make([]byte, 34), make([]byte, 34)
				if err := OrderWllama.Quantize(dtype.Q8_0, x, ref); err != nil {
					t.Fatal(err)
				}
				quant.Quantize(dtype.Q8_0, x, x86)
				if int8(ref[7]) != int8(r) || int8(x86[7]) != int8(e) {
					t.Fatalf("amax %v, x %v: reference q %d (want %v), x86 q %d (want %v)", amax, c, int8(ref[7]), r, int8(x86[7]), e)
				}
				found = true
				break
			}
		}
	}
	if !found {
		t.Fatal("found no element the two scales quantize differently")
	}
}

// Q8_1 stores d and the quants as Q8_0 does, and s = d·Σq (d before its
// rounding to F16); Q8_K's
// quantizer is the same code on every build, so OrderWllama takes
// quant.Quantize's.
func TestWllamaQuantizesQ8_1AndQ8_K(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 1))
	x := make([]float32, 256)
	for i := range x {
		x[i] = float32(rng.NormFloat64())
	}
	q80, q81 := make([]byte, 8*34), make([]byte, 8*36)
	if err := OrderWllama.Quantize(dtype.Q8_0, x, q80); err != nil {
		t.Fatal(err)
	}
	if err := OrderWllama.Quantize(dtype.Q8_1, x, q81); err != nil {
		t.Fatal(err)
	}
	for ib := 0; ib < 8; ib++ {
		b0, b1 := q80[34*ib:], q81[36*ib:]
		if b0[0] != b1[0] || b0[1] != b1[1] || string(b0[2:34]) != string(b1[4:36]) {
			t.Fatalf("block %d: Q8_1's d and quants differ from Q8_0's", ib)
		}
		var sum int32
		for _, q := range b1[4:36] {
			sum += int32(int8(q))
		}
		var amax float32
		for _, v := range x[32*ib : 32*ib+32] {
			amax = max(amax, float32(math.Abs(float64(v))))
		}
		d := amax / 127 // before its rounding to F16
		if s := uint16(b1[2]) | uint16(b1[3])<<8; s != quant.F32ToF16(float32(sum)*d) {
			t.Fatalf("block %d: s = %#x, want d·Σq = %v", ib, s, float32(sum)*d)
		}
	}
	k1, k2 := make([]byte, 292), make([]byte, 292)
	if err := OrderWllama.Quantize(dtype.Q8_K, x, k1); err != nil {
		t.Fatal(err)
	}
	quant.Quantize(dtype.Q8_K, x, k2)
	if string(k1) != string(k2) {
		t.Fatal("Q8_K differs from quant.Quantize")
	}
	if err := OrderWllama.Quantize(dtype.Q8_0, x[:31], q80[:34]); err == nil {
		t.Fatal("31 values quantized to Q8_0 without an error")
	}
	if err := OrderWllama.Quantize(dtype.Q8_0, x[:32], q80[:33]); err == nil {
		t.Fatal("a 33-byte destination took a Q8_0 block without an error")
	}
}

// OrderWllama's kernels: quantized weights through quant.VecDot after the
// reference quantizer, F16 weights after activations rounded to halves,
// whatever the shape.
func TestWllamaKernelChoice(t *testing.T) {
	for _, c := range []struct {
		t, act dtype.Type
	}{{dtype.F32, dtype.F32}, {dtype.F16, dtype.F16}, {dtype.BF16, dtype.BF16}, {dtype.Q8_0, dtype.Q8_0},
		{dtype.Q4_0, dtype.Q8_0}, {dtype.Q4_1, dtype.Q8_1}, {dtype.Q4_K, dtype.Q8_K}, {dtype.Q6_K, dtype.Q8_K}} {
		for _, shape := range [][3]int{{37, 256, 1}, {64, 256, 5}} {
			act, _, ok := OrderWllama.KernelFor(c.t, shape[0], shape[1], shape[2])
			if !ok || act != c.act {
				t.Errorf("%v %v: activations %v (ok %v), want %v", c.t, shape, act, ok, c.act)
			}
		}
	}
	rng := rand.New(rand.NewPCG(2, 7))
	for _, typ := range []dtype.Type{dtype.Q8_0, dtype.Q4_0, dtype.Q4_K} {
		n := 512
		_, dot, _ := OrderWllama.KernelFor(typ, 64, n, 1)
		k, _ := wllamaKernelFor(typ)
		for trial := 0; trial < 20; trial++ {
			w := randomRow(t, rng, typ, n, 1)
			x := randomRow(t, rng, k.act, n, 2)
			want := quant.VecDot(typ, n, w, x)
			if got := dot(w, x, n); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("%v: %v, quant.VecDot %v", typ, got, want)
			}
			if k.fast != nil {
				xp := make([]uint64, n/32*k.words)
				k.pack(x, n/32, xp)
				if got := k.fast(w, x, xp, n); math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("%v: SWAR %v, quant.VecDot %v", typ, got, want)
				}
			}
		}
	}
}

// DotF32Wasm adds accumulators 0+2 and 1+3 before their sum, lanes in
// order, and the products past the last block of 16 one by one; the
// padded form puts those products in the lanes.
func TestDotF32WasmOrder(t *testing.T) {
	const big = 1 << 24
	x := make([]float32, 17)
	y := make([]float32, 17)
	for i := range x {
		x[i] = 1
	}
	// Lane 0 of accumulators 0…3: big, 1, −big, 1. (0+2)+(1+3) = 2; in
	// the order 0, 1, 2, 3 the first 1 would be lost.
	y[0], y[4], y[8], y[12] = big, 1, -big, 1
	if got := DotF32Wasm(x[:16], y[:16], 1); got != 2 {
		t.Fatalf("accumulators: %v, want 2", got)
	}
	// Lanes 0…3: big, 1, −big, 0 added in order lose the 1; the tail
	// then adds 1.
	y = make([]float32, 17)
	y[0], y[1], y[2], y[16] = big, 1, -big, 1
	if got := DotF32Wasm(x, y, 1); got != 1 {
		t.Fatalf("lanes then tail: %v, want 1", got)
	}
	// Padded, element 16 joins lane 0 of accumulator 0: (big+1) rounds
	// to big, then 1 − big … = 0.
	if got := DotF32WasmPadded(x, y, 1); got != 0 {
		t.Fatalf("padded: %v, want 0", got)
	}
	// Strided y.
	ys := make([]float32, 3*17)
	for i, v := range y {
		ys[3*i] = v
	}
	if got := DotF32Wasm(x, ys, 3); got != 1 {
		t.Fatalf("strided: %v, want 1", got)
	}
	// The F32 weight kernel is DotF32Wasm.
	rng := rand.New(rand.NewPCG(1, 1))
	for _, n := range []int{1, 15, 16, 33, 100} {
		w, a := randomRow(t, rng, dtype.F32, n, 1), randomRow(t, rng, dtype.F32, n, 1)
		_, dot, _ := OrderWllama.KernelFor(dtype.F32, 64, n, 4)
		if got, want := dot(w, a, n), DotF32Wasm(f32s(w), f32s(a), 1); math.Float32bits(got) != math.Float32bits(want) {
			t.Fatalf("n=%d: kernel %v, DotF32Wasm %v", n, got, want)
		}
	}
}

// SoftmaxRowWasm takes libm's exp of every element (no SIMD
// approximation), sums in float64 and multiplies by the reciprocal.
func TestSoftmaxRowWasm(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 6))
	x := make([]float32, 40)
	for i := range x {
		x[i] = float32(rng.NormFloat64() * 4)
	}
	m := float32(math.Inf(-1))
	for _, v := range x {
		m = max(m, v)
	}
	var sum float64
	for _, v := range x {
		sum += float64(float32(math.Exp(float64(v - m))))
	}
	d := make([]float32, len(x))
	SoftmaxRowWasm(d, x)
	for i, v := range x {
		want := float32(math.Exp(float64(v-m))) * float32(1/sum)
		if d[i] != want {
			t.Fatalf("element %d: %v, want %v", i, d[i], want)
		}
	}
}
