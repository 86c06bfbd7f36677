package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/quant"
)

// geluTable is what the arena hands gelu: for each half h, the
// reference's fn at a float32 that rounds to h, inside (−10, 10) where one
// exists (so that ±10, reached only by inputs just inside the clamp, get
// the table's value and not the clamp's).
func geluTable(fn func(float32) float32) []float32 {
	t := make([]float32, 1<<16)
	for h := range t {
		x := quant.F16ToF32(uint16(h))
		if x == 10 || x == -10 {
			x = math.Nextafter32(x, 0)
		}
		t[h] = fn(x)
	}
	return t
}

// layernorm gives the reference backend's LayerNorm bit for bit: rows of
// lengths that leave 4- and 1-lane steps, far from zero mean, with and
// without weight and bias, in place and not, misaligned.
func TestLayerNormMatchesReference(t *testing.T) {
	e := newKernels(t, 64)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(81, 82))
	for i, shape := range [][2]int{{1, 1}, {3, 7}, {5, 77}, {2, 768}, {4, 130}, {1, 4}} {
		rows, cols := shape[0], shape[1]
		x := mixedF32(r, rows*cols, 3, 0)
		for j := range x[:cols] {
			x[j] += 50
		}
		w, bias := mixedF32(r, cols, 1, 0), mixedF32(r, cols, 0.2, 0)
		eps := float32(1e-6)
		if i%2 == 1 {
			eps = 1e-5
		}
		for _, withW := range []bool{true, false} {
			for _, withB := range []bool{true, false} {
				for _, inPlace := range []bool{false, true} {
					name := fmt.Sprintf("%d×%d weight %v bias %v in place %v", rows, cols, withW, withB, inPlace)
					tx, td := refF32(t, b, rows, cols, x), refF32(t, b, rows, cols, nil)
					var tw, tb compute.Tensor
					if withW {
						tw = refF32(t, b, 1, cols, w)
					}
					if withB {
						tb = refF32(t, b, 1, cols, bias)
					}
					b.LayerNorm(td, tx, tw, tb, eps)
					want := refRead(b, td)

					e.reset()
					mis := uint32(i*4+3) % 16
					px := e.place(t, f32Bytes(x), mis)
					pw, pb := uint32(0), uint32(0)
					if withW {
						pw = e.place(t, f32Bytes(w), (mis+4)%16)
					}
					if withB {
						pb = e.place(t, f32Bytes(bias), (mis+8)%16)
					}
					pd := px
					if !inPlace {
						pd = e.place(t, make([]byte, 4*len(x)), (mis+12)%16)
					}
					before := e.snapshot()
					e.call(t, KernelLayerNorm, pd, px, pw, pb, uint32(rows), uint32(cols), f32Bits(eps))
					got := e.readF32s(pd, len(x))
					for j := range want {
						if !sameF32(got[j], want[j]) {
							t.Fatalf("%s: [%d] = %v, reference %v", name, j, got[j], want[j])
						}
					}
					e.checkUntouched(t, before, pd, pd+uint32(4*len(x)))
				}
			}
		}
	}
}

// gelu with the reference's table gives its GELU and GELUQuick bit for
// bit: random values of several spreads, values at and next to ±10, the
// halves' edges (65504, subnormals), infinities, NaN, signed zeros;
// lengths that leave a one-lane tail; in place.
func TestGELUMatchesReference(t *testing.T) {
	e := newKernels(t, 64)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(83, 84))
	edges := []float32{10, -10, math.Nextafter32(10, 0), math.Nextafter32(-10, 0), math.Nextafter32(10, 11), 9.998, -9.998,
		65504, 65520, -70000, 3e-8, -6e-5, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
	for _, op := range []struct {
		name  string
		ref   func(dst, x compute.Tensor)
		table []float32
		clamp uint32
	}{
		{"GELU", b.GELU, geluTable(compute.GELU32), 1},
		{"GELUQuick", b.GELUQuick, geluTable(compute.GELUQuick32), 0},
	} {
		for i, n := range []int{1, 3, 4, 37, 1000, 4099} {
			x := mixedF32(r, n, []float64{0.5, 4, 20}[i%3], 0.05)
			for j := range x {
				if r.IntN(8) == 0 {
					x[j] = edges[r.IntN(len(edges))]
				}
			}
			tx, td := refF32(t, b, 1, n, x), refF32(t, b, 1, n, nil)
			op.ref(td, tx)
			want := refRead(b, td)
			for _, inPlace := range []bool{false, true} {
				e.reset()
				ptab := e.place(t, f32Bytes(op.table), 0)
				px := e.place(t, f32Bytes(x), uint32(i)%16)
				pd := px
				if !inPlace {
					pd = e.place(t, make([]byte, 4*n), uint32(i+5)%16)
				}
				before := e.snapshot()
				e.call(t, KernelGELU, pd, px, uint32(n), ptab, op.clamp)
				got := e.readF32s(pd, n)
				for j := range want {
					if !sameF32(got[j], want[j]) {
						t.Fatalf("%s n=%d in place %v: [%d] at %v = %v, reference %v", op.name, n, inPlace, j, x[j], got[j], want[j])
					}
				}
				e.checkUntouched(t, before, pd, pd+uint32(4*n))
			}
		}
	}
}

// Bad sizes write nothing.
func TestEncoderRowsBadArgumentsWriteNothing(t *testing.T) {
	e := newKernels(t, 4)
	p := e.place(t, make([]byte, 4096), 0)
	before := wholeMemory(e)
	for _, rc := range [][2]int32{{0, 4}, {4, 0}, {-1, 4}, {4, -1}} {
		e.call(t, KernelLayerNorm, p, p+1024, p+2048, p+3072, uint32(rc[0]), uint32(rc[1]), f32Bits(1e-6))
	}
	for _, n := range []int32{0, -4} {
		e.call(t, KernelGELU, p, p+1024, uint32(n), p+2048, 1)
	}
	checkSameMemory(t, "bad sizes", before, wholeMemory(e))
}
