package kernels

import (
	"bytes"
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// quantizeKernels pairs the activation quantizers with their types.
var quantizeKernels = []struct {
	typ  dtype.Type
	name string
}{{dtype.Q8_0, QuantizeQ8_0}, {dtype.Q8_1, QuantizeQ8_1}}

// specialBlock returns one block of 32 floats of the given kind.
func specialBlock(e *kernelEnv, kind int) []float32 {
	x := gaussian(e, 32)
	inf := float32(math.Inf(1))
	nan := float32(math.NaN())
	switch kind {
	case 0: // plain gaussian
	case 1: // zeros, both signs
		for i := range x {
			x[i] = 0
			if i%3 == 0 {
				x[i] = float32(math.Copysign(0, -1))
			}
		}
	case 2: // ties: amax 127 makes id 1, so k+½ must round to even
		for i := range x {
			x[i] = float32(i%9-4) + 0.5
		}
		x[5] = -127
		x[6] = 126.5
	case 3: // ties at other scales: amax 254 gives id ½
		for i := range x {
			x[i] = float32(2*(i-16)) + 1
		}
		x[0] = 254
	case 4: // +inf somewhere: amax inf, id 0, inf·0 NaN
		x[7] = inf
	case 5: // −inf
		x[20] = -inf
	case 6: // NaN in various lanes: which max wins depends on position
		x[3] = nan
	case 7:
		x[31] = nan
		x[12] = -inf
	case 8:
		x[0], x[8], x[16], x[24] = nan, 3, nan, -nan
	case 9: // subnormal amax: 127/amax overflows to inf
		for i := range x {
			x[i] = float32(i-16) * 1e-45
		}
	case 10: // tiny normal values: d a subnormal half
		for i := range x {
			x[i] *= 1e-6
		}
	case 11: // huge values: d overflows to an infinite half
		for i := range x {
			x[i] *= 3e37
		}
		x[2] = math.MaxFloat32
	case 12: // one value, the rest zero
		for i := range x {
			x[i] = 0
		}
		x[17] = -1e-3
	case 13: // all NaN
		for i := range x {
			x[i] = nan
		}
	case 14: // values around amax/127 multiples that stress rounding
		for i := range x {
			x[i] = float32(i) * 0.1
		}
		x[31] = 3.1
	}
	return x
}

const numSpecialBlocks = 15

// quantize_q8_0 and quantize_q8_1 write exactly quant.Quantize's bytes,
// for gaussian rows of many lengths and for blocks of ties, zeros,
// infinities, NaNs, subnormal and huge values, at any alignment; nothing
// else is written.
func TestQuantizeQ8MatchesQuant(t *testing.T) {
	e := newKernels(t, 4)
	for _, q := range quantizeKernels {
		var rows [][]float32
		for _, nb := range []int{1, 2, 3, 7, 18, 48} {
			x := gaussian(e, 32*nb)
			for i := range x {
				x[i] *= float32(nb) // scales differ row to row
			}
			rows = append(rows, x)
		}
		var special []float32
		for kind := range numSpecialBlocks {
			special = append(special, specialBlock(e, kind)...)
		}
		rows = append(rows, special)
		// A NaN at each position: whether it wins depends on where it is.
		var nans []float32
		for pos := range 32 {
			x := gaussian(e, 32)
			x[pos] = float32(math.NaN())
			nans = append(nans, x...)
		}
		rows = append(rows, nans)
		for i, x := range rows {
			mis := [][2]uint32{{0, 0}, {1, 3}, {2, 5}, {3, 9}}[i%4]
			want := make([]byte, len(x)/32*q.typ.TypeSize())
			if err := quant.Quantize(q.typ, x, want); err != nil {
				t.Fatal(err)
			}
			e.reset()
			ps := e.place(t, f32Bytes(x), mis[0])
			junk := make([]byte, len(want))
			for j := range junk {
				junk[j] = byte(e.rand.Uint32())
			}
			pd := e.place(t, junk, mis[1])
			before := wholeMemory(e)
			e.call(t, q.name, pd, ps, uint32(len(x)))
			after := wholeMemory(e)
			got := bytes.Clone(after[pd : pd+uint32(len(want))])
			copy(after[pd:], before[pd:pd+uint32(len(want))])
			checkSameMemory(t, q.name, before, after)
			if !bytes.Equal(got, want) {
				bs := q.typ.TypeSize()
				for b := 0; b < len(want); b += bs {
					if !bytes.Equal(got[b:b+bs], want[b:b+bs]) {
						t.Fatalf("%s row %d block %d (input %v):\n got %x\nwant %x", q.name, i, b/bs, x[b/bs*32:b/bs*32+32], got[b:b+bs], want[b:b+bs])
					}
				}
			}
		}
	}
}

// A length that is negative or not a whole number of blocks writes nothing
// (quant.Quantize refuses it with an error); n = 0 writes nothing either.
func TestQuantizeQ8BadLength(t *testing.T) {
	e := newKernels(t, 1)
	for _, q := range quantizeKernels {
		for _, n := range []int32{0, 1, 31, 33, -32, -1} {
			if n != 0 {
				if err := quant.Quantize(q.typ, make([]float32, max(n, 0)), nil); err == nil && n > 0 {
					t.Errorf("quant.Quantize %v n=%d accepted", q.typ, n)
				}
			}
			e.reset()
			ps := e.place(t, f32Bytes(gaussian(e, 64)), 0)
			pd := e.place(t, make([]byte, 80), 0)
			before := wholeMemory(e)
			e.call(t, q.name, pd, ps, uint32(n))
			checkSameMemory(t, q.name, before, wholeMemory(e))
		}
	}
}
