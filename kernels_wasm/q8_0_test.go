package kernels

import (
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// q8Row quantizes n gaussian values to Q8_0 with engine/quant.
func q8Row(t testing.TB, e *kernelEnv, n int, scale float64) []byte {
	x := gaussian(e, n)
	for i := range x {
		x[i] *= float32(scale)
	}
	b := make([]byte, n/32*34)
	if err := quant.Quantize(dtype.Q8_0, x, b); err != nil {
		t.Fatal(err)
	}
	return b
}

// rawRow is n/32 blocks of random bytes: every scale bit pattern can show
// up (subnormal, infinite, NaN halves) and quants include −128.
func rawRow(e *kernelEnv, n int) []byte {
	b := make([]byte, n/32*34)
	for i := range b {
		b[i] = byte(e.rand.Uint32())
	}
	return b
}

// blockCounts cover the 4-block loop with every tail, and real row sizes.
var blockCounts = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 18, 31, 48, 64, 128}

// vec_dot_q8_0_q8_0 is bit-identical to quant.VecDot (NaN = NaN), on
// quantized data and on arbitrary bytes, at any alignment.
func TestVecDotQ8_0MatchesQuant(t *testing.T) {
	e := newKernels(t, 2)
	for _, nb := range blockCounts {
		n := 32 * nb
		for trial, mis := range [][2]uint32{{0, 0}, {1, 2}, {3, 7}, {2, 15}} {
			for _, raw := range []bool{false, true} {
				e.reset()
				var wr, xr []byte
				if raw {
					wr, xr = rawRow(e, n), rawRow(e, n)
				} else {
					wr, xr = q8Row(t, e, n, 1+float64(trial)), q8Row(t, e, n, 0.01)
				}
				pw, px := e.place(t, wr, mis[0]), e.place(t, xr, mis[1])
				before := e.snapshot()
				got := e.callF32(t, VecDotQ8_0Q8_0, pw, px, uint32(n))
				e.checkUntouched(t, before, 0, 0)
				want := quant.VecDot(dtype.Q8_0, n, wr, xr)
				if !sameF32(got, want) {
					t.Errorf("%d blocks, misalign %v, raw %v: %v (%#08x), quant.VecDot %v (%#08x)",
						nb, mis, raw, got, math.Float32bits(got), want, math.Float32bits(want))
				}
				if !raw {
					checkAgainstDequantized(t, n, wr, xr, got)
				}
			}
		}
	}
}

// checkAgainstDequantized compares with Σ w[i]·x[i] over the dequantized
// rows in float64: an oracle that shares no code path with either VecDot.
func checkAgainstDequantized(t *testing.T, n int, wr, xr []byte, got float32) {
	t.Helper()
	wf, xf := make([]float32, n), make([]float32, n)
	if err := quant.Dequantize(dtype.Q8_0, wr, wf); err != nil {
		t.Fatal(err)
	}
	if err := quant.Dequantize(dtype.Q8_0, xr, xf); err != nil {
		t.Fatal(err)
	}
	var exact, mag float64
	for i := range wf {
		p := float64(wf[i]) * float64(xf[i])
		exact += p
		mag += math.Abs(p)
	}
	// Per block: the scale product and the term each round once (2u), and
	// the running sum adds one rounding per block.
	tol := float64(n/32+3) * 0x1p-24 * mag
	if diff := math.Abs(float64(got) - exact); diff > tol {
		t.Errorf("%d blocks: %v, dequantized dot %v ± %.3g", n/32, got, exact, tol)
	}
}

func TestVecDotQ8_0RejectsBadLength(t *testing.T) {
	e := newKernels(t, 1)
	for _, n := range []int32{1, 31, 33, 63, -32, -1} {
		if got := e.callF32(t, VecDotQ8_0Q8_0, 64, 64, uint32(n)); got == got {
			t.Errorf("n=%d: %v, want NaN", n, got)
		}
		if ref := quant.VecDot(dtype.Q8_0, int(n), nil, nil); ref == ref {
			t.Errorf("quant.VecDot n=%d: %v, want NaN (the kernel copies that contract)", n, ref)
		}
	}
}

// matvec_q8_0: every output bit-identical to quant.VecDot of its row, for
// row counts around the 4-row groups, with misaligned pointers, and nothing
// outside dst written.
func TestMatvecQ8_0MatchesQuant(t *testing.T) {
	e := newKernels(t, 16)
	for _, rows := range []int{1, 2, 3, 4, 5, 7, 8, 9, 13, 16} {
		for _, nb := range []int{0, 1, 2, 3, 5, 18} {
			for _, mis := range [][3]uint32{{0, 0, 0}, {3, 1, 2}, {2, 5, 9}} {
				for _, raw := range []bool{false, true} {
					e.reset()
					n := 32 * nb
					rowBytes := n / 32 * 34
					w := make([]byte, 0, rows*rowBytes)
					for range rows {
						if raw {
							w = append(w, rawRow(e, n)...)
						} else {
							w = append(w, q8Row(t, e, n, 1)...)
						}
					}
					x := q8Row(t, e, n, 0.1)
					if raw {
						x = rawRow(e, n)
					}
					pw, px := e.place(t, w, mis[0]), e.place(t, x, mis[1])
					pd := e.place(t, make([]byte, 4*rows), mis[2])
					before := e.snapshot()
					e.call(t, MatvecQ8_0, pd, pw, px, uint32(rows), uint32(n))
					e.checkUntouched(t, before, pd, pd+uint32(4*rows))
					got := e.readF32s(pd, rows)
					for r := range rows {
						want := quant.VecDot(dtype.Q8_0, n, w[r*rowBytes:(r+1)*rowBytes], x)
						if !sameF32(got[r], want) {
							t.Errorf("%d rows × %d blocks, misalign %v, raw %v: row %d = %v, quant.VecDot %v",
								rows, nb, mis, raw, r, got[r], want)
						}
					}
				}
			}
		}
	}
}

func TestMatvecQ8_0EdgeCases(t *testing.T) {
	e := newKernels(t, 1)
	// rows ≤ 0: nothing written (dst points at guard bytes).
	pd := e.place(t, make([]byte, 16), 1)
	for _, rows := range []int32{0, -1, -5} {
		before := e.snapshot()
		e.call(t, MatvecQ8_0, pd, 64, 64, uint32(rows), 32)
		e.checkUntouched(t, before, 0, 0)
	}
	// A bad length: every row NaN, as quant.VecDot gives, and only dst
	// written.
	for _, n := range []int32{33, -32} {
		for _, rows := range []int{1, 4, 6} {
			e.reset()
			pd := e.place(t, make([]byte, 4*rows), 3)
			before := e.snapshot()
			e.call(t, MatvecQ8_0, pd, 64, 64, uint32(rows), uint32(n))
			e.checkUntouched(t, before, pd, pd+uint32(4*rows))
			for r, v := range e.readF32s(pd, rows) {
				if v == v {
					t.Errorf("n=%d rows=%d: row %d = %v, want NaN", n, rows, r, v)
				}
			}
		}
	}
}
