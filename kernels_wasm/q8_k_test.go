package kernels

import (
	"bytes"
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// nanBits are NaNs of both signs, quiet and signalling, with payloads that
// reach and pass 127 in their low bits.
var nanBits = []uint32{0x7fc00000, 0xffc00000, 0x7f800001, 0x7fc00005, 0xff80007f, 0x7fa00080, 0x7fbfffff, 0xffffffff, 0x7f8000ff}

// specialRows are activation rows (of 256) that reach every branch of the
// Q8_K quantizer: zero blocks, ties, ±inf, NaN, subnormal and huge maxima,
// a maximum magnitude met twice with both signs.
func specialRows(e *kernelEnv) map[string][]float32 {
	block := func(fill func(i int) float32) []float32 {
		x := make([]float32, qkK)
		for i := range x {
			x[i] = fill(i)
		}
		return x
	}
	f := math.Float32frombits
	rows := map[string][]float32{
		"zeros":      make([]float32, qkK),
		"minus zero": block(func(int) float32 { return float32(math.Copysign(0, -1)) }),
		"nan and zeros": block(func(i int) float32 {
			if i%3 == 0 {
				return f(nanBits[i%len(nanBits)])
			}
			return 0
		}),
		// iscale = −1: every half-integer is a tie, rounded to even
		"ties": block(func(i int) float32 {
			if i == 7 {
				return 127
			}
			return float32(i%64-32) + 0.5
		}),
		// iscale = −1/2: ties again, through a scale
		"ties scaled": block(func(i int) float32 {
			if i == 200 {
				return -254
			}
			return float32(i%100-50) + 1
		}),
		"equal magnitudes": block(func(i int) float32 {
			switch i {
			case 30:
				return -9
			case 90:
				return 9
			}
			return float32(i%7) - 3
		}),
		"inf": block(func(i int) float32 {
			if i == 100 {
				return float32(math.Inf(1))
			}
			return float32(i) - 128
		}),
		"minus inf and nan": block(func(i int) float32 {
			switch {
			case i == 3:
				return float32(math.Inf(-1))
			case i == 200:
				return float32(math.Inf(1))
			case i%5 == 0:
				return f(nanBits[i%len(nanBits)])
			}
			return float32(i)
		}),
		"nans": block(func(i int) float32 {
			if i%2 == 0 {
				return f(nanBits[i%len(nanBits)])
			}
			return float32(i%17) - 8
		}),
		"subnormal max": block(func(i int) float32 {
			switch i % 4 {
			case 0:
				return f(uint32(i))
			case 1:
				return -f(uint32(i))
			}
			return 0
		}),
		"huge":        block(func(i int) float32 { return float32(i-100) * 1e36 }),
		"tiny normal": block(func(i int) float32 { return float32(i-100) * 1e-37 }),
	}
	random := make([]float32, 4*qkK)
	for i := range random {
		random[i] = f(e.rand.Uint32()) // every class of float32
	}
	rows["random bits"] = random
	return rows
}

// quantize_q8_k writes exactly quant.Quantize's bytes, and nothing else.
func TestQuantizeQ8KMatchesQuant(t *testing.T) {
	e := newCachedKernels(t, 4, 21)
	check := func(name string, x []float32, mis [2]uint32) {
		t.Helper()
		e.reset()
		want := make([]byte, len(x)/qkK*q8KBlock)
		if err := quant.Quantize(dtype.Q8_K, x, want); err != nil {
			t.Fatal(err)
		}
		ps := e.place(t, f32Bytes(x), mis[0])
		pd := e.place(t, randomBlockBytes(e, len(want)), mis[1])
		before := e.snapshot()
		e.call(t, QuantizeQ8K, pd, ps, uint32(len(x)))
		e.checkUntouched(t, before, pd, pd+uint32(len(want)))
		got, _ := e.mem.Read(pd, uint32(len(want)))
		if !bytes.Equal(got, want) {
			for i := range want {
				if got[i] != want[i] {
					t.Fatalf("%s (%d elements, misalign %v): byte %d (block %d, offset %d) = %#x, quant %#x",
						name, len(x), mis, i, i/q8KBlock, i%q8KBlock, got[i], want[i])
				}
			}
		}
	}
	for name, x := range specialRows(e) {
		check(name, x, [2]uint32{1, 3})
	}
	for _, nb := range []int{0, 1, 2, 3, 5} {
		for i, scale := range []float64{1, 1e-3, 1e3, 1e-30, 3e30} {
			x := gaussian(e, nb*qkK)
			for j := range x {
				x[j] *= float32(scale)
			}
			check("gaussian", x, [2]uint32{uint32(i % 4), uint32(3 - i%4)})
		}
	}
	// several special blocks in one row
	var all []float32
	for _, x := range specialRows(e) {
		all = append(all, x...)
	}
	check("all special blocks", all, [2]uint32{2, 0})
}

// A bad length writes nothing (quant.Quantize refuses it).
func TestQuantizeQ8KBadLength(t *testing.T) {
	e := newCachedKernels(t, 1, 22)
	pd := e.place(t, make([]byte, 2*q8KBlock), 0)
	ps := e.place(t, f32Bytes(gaussian(e, 512)), 0)
	for _, n := range []int32{1, 255, 257, -256, -1} {
		before := e.snapshot()
		e.call(t, QuantizeQ8K, pd, ps, uint32(n))
		e.checkUntouched(t, before, 0, 0)
		if err := quant.Quantize(dtype.Q8_K, make([]float32, max(0, n)), make([]byte, 2*q8KBlock)); n >= 0 && err == nil {
			t.Errorf("quant.Quantize accepts %d elements", n)
		}
	}
}
