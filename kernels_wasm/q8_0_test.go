package kernels

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// q8Row quantizes n gaussian values to Q8_0 with engine/quant.
func q8Row(t testing.TB, e *kernelEnv, n int, scale float64) []byte {
	return quantizedRow(t, e, dtype.Q8_0, n, scale)
}

// quantizedRow quantizes n gaussian values (times scale) to type typ with
// engine/quant.
func quantizedRow(t testing.TB, e *kernelEnv, typ dtype.Type, n int, scale float64) []byte {
	t.Helper()
	x := gaussian(e, n)
	for i := range x {
		x[i] *= float32(scale)
	}
	b := make([]byte, n/typ.BlockSize()*typ.TypeSize())
	if err := quant.Quantize(typ, x, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// halfOffsets are where the F16 fields of a block are (scale d, then the
// minimum m or the sum s).
func halfOffsets(typ dtype.Type) []int {
	switch typ {
	case dtype.Q4_1, dtype.Q5_1, dtype.Q8_1:
		return []int{0, 2}
	}
	return []int{0}
}

// rawRow is n elements of type typ as random bytes: any quant (−128
// included), and, unless finiteScales, any F16 field (subnormal, infinite,
// NaN). With finiteScales the F16 fields are random values below 2 in
// magnitude (zeros and subnormals included), so sums stay finite.
func rawRow(e *kernelEnv, typ dtype.Type, n int, finiteScales bool) []byte {
	bs := typ.TypeSize()
	b := make([]byte, n/typ.BlockSize()*bs)
	for i := range b {
		b[i] = byte(e.rand.Uint32())
	}
	if finiteScales {
		for blk := 0; blk < len(b); blk += bs {
			for _, off := range halfOffsets(typ) {
				b[blk+off+1] &^= 0x40 // exponent ≤ 15
			}
		}
	}
	return b
}

// extremeRow is rawRow with finite scales and quants picked so that every
// weight–activation product is large and of one sign: weights near their
// lowest value (or highest, for the offset formats), activations near
// −128. The integer sums come near their limits, with random low bits, so
// that a float32 term computed in another order would round differently.
func extremeRow(e *kernelEnv, typ dtype.Type, n int) []byte {
	b := rawRow(e, typ, n, true)
	low := []byte{0x00, 0x01, 0x10, 0x11}  // nibbles 0 and 1
	high := []byte{0xff, 0xfe, 0xef, 0xee} // nibbles 15 and 14
	pick := func(set []byte) byte { return set[e.rand.IntN(len(set))] }
	for blk := 0; blk < len(b); blk += typ.TypeSize() {
		q := b[blk : blk+typ.TypeSize()]
		switch typ {
		case dtype.Q4_0:
			for i := 2; i < 18; i++ {
				q[i] = pick(low)
			}
		case dtype.Q4_1:
			for i := 4; i < 20; i++ {
				q[i] = pick(high)
			}
		case dtype.Q5_0:
			copy(q[2:6], []byte{0, 0, 0, 0})
			for i := 6; i < 22; i++ {
				q[i] = pick(low)
			}
		case dtype.Q5_1:
			copy(q[4:8], []byte{0xff, 0xff, 0xff, 0xff})
			for i := 8; i < 24; i++ {
				q[i] = pick(high)
			}
		case dtype.Q8_0, dtype.Q8_1:
			for i := len(q) - 32; i < len(q); i++ {
				q[i] = 0x80 + byte(e.rand.IntN(8))
			}
		}
	}
	return b
}
