package compute

import (
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/quant"
)

// randomHalves returns n halves of values spread over several binades
// (some subnormal, some zero), as quant.F32ToF16 rounds them.
func randomHalves(r *rand.Rand, n int) []uint16 {
	h := make([]uint16, n)
	for i := range h {
		x := float32(r.NormFloat64() * math.Exp2(float64(r.IntN(12)-6)))
		switch r.IntN(20) {
		case 0:
			x = 0
		case 1:
			x *= 1e-5 // subnormal halves
		}
		h[i] = quant.F32ToF16(x)
	}
	return h
}

func halfBytes(h []uint16) []byte {
	b := make([]byte, 2*len(h))
	for i, v := range h {
		binary.LittleEndian.PutUint16(b[2*i:], v)
	}
	return b
}

// The attention's fast forms (plain additions, halves read from bytes,
// with a stride) give DotF16's and DotF16Tiled's bits (fused
// multiply-adds): every product of two halves is exact in float32.
func TestDotHalvesMatchDotF16(t *testing.T) {
	r := rand.New(rand.NewPCG(61, 62))
	for n := 0; n <= 300; n += 1 + n/16 {
		for _, stride := range []int{1, 3} {
			x, y := randomHalves(r, n), randomHalves(r, n*stride)
			yCol := make([]uint16, n) // every stride-th half
			for i := range yCol {
				yCol[i] = y[i*stride]
			}
			a := make([]float32, n)
			for i, h := range x {
				a[i] = quant.F16ToF32(h)
			}
			yb := halfBytes(y)
			for _, padded := range []bool{false, true} {
				got, want := dotHalves64(a, yb, stride, padded), DotF16(x, yCol, padded)
				if math.Float32bits(got) != math.Float32bits(want) {
					t.Fatalf("n %d stride %d padded %v: dotHalves64 = %v, DotF16 = %v", n, stride, padded, got, want)
				}
			}
			if got, want := dotHalves16(a, yb, stride), DotF16Tiled(x, yCol); math.Float32bits(got) != math.Float32bits(want) {
				t.Fatalf("n %d stride %d: dotHalves16 = %v, DotF16Tiled = %v", n, stride, got, want)
			}
		}
	}
}

// DotF16's remainder after the last block of 64 is summed in float64 and
// rounded once: 64 products that cancel to 0, then 1, 2⁻²⁴ and 2⁻²⁴. In
// float64 the two 2⁻²⁴ add up to 2⁻²³, which float32 keeps next to 1; in
// float32 lanes each would be rounded away on its own.
func TestDotF16RemainderInFloat64(t *testing.T) {
	one, tiny := quant.F32ToF16(1), quant.F32ToF16(0x1p-24)
	x := make([]uint16, 67)
	y := make([]uint16, 67)
	for i := range 64 {
		x[i], y[i] = one, one
		if i%2 == 1 {
			y[i] = quant.F32ToF16(-1)
		}
	}
	x[64], y[64] = one, one
	x[65], y[65] = tiny, one
	x[66], y[66] = tiny, one
	// float64: 0 + 1 + 2⁻²⁴ + 2⁻²⁴ = 1 + 2⁻²³, a float32.
	if got := DotF16(x, y, false); got != 1+0x1p-23 {
		t.Fatalf("DotF16 = %v, want 1 + 2⁻²³ (a float64 sum of the remainder)", got)
	}
	// In the lanes (padded), 1 + 2⁻²⁴ rounds to 1 (a tie, to even) and
	// −1 + 2⁻²⁴ is lost when its lane is added to −1.
	if got := DotF16(x, y, true); got != 1 {
		t.Fatalf("DotF16 padded = %v, want 1 (float32 lanes)", got)
	}
}
