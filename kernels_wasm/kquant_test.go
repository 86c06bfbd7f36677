package kernels

import (
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The k-quant weight types, each with the kernels' name.
var kTypes = []struct {
	t    dtype.Type
	name string
}{
	{dtype.Q4_K, "q4_k"},
	{dtype.Q6_K, "q6_k"},
	{dtype.Q5_K, "q5_k"},
	{dtype.Q3_K, "q3_k"},
	{dtype.Q2_K, "q2_k"},
}

// vec_dot_T is bit-identical to quant.VecDot (NaN = NaN), on quantized rows
// and on random bytes (any scale, level and bsum), at any alignment.
func TestVecDotKMatchesQuant(t *testing.T) {
	for _, kt := range kTypes {
		t.Run(kt.name, func(t *testing.T) {
			e := newCachedKernels(t, 2, 1)
			for _, nb := range []int{0, 1, 2, 3, 5} {
				n := qkK * nb
				for trial, mis := range [][2]uint32{{0, 0}, {1, 2}, {3, 7}, {2, 15}} {
					for _, raw := range []bool{false, true} {
						for rep := range 3 {
							e.reset()
							var w, x []byte
							if raw {
								w, x = randomBlockBytes(e, nb*kt.t.TypeSize()), randomBlockBytes(e, nb*q8KBlock)
							} else {
								w, x = quantRow(t, e, kt.t, n, 1+float64(trial)), quantRow(t, e, dtype.Q8_K, n, 0.1)
							}
							pw, px := e.place(t, w, mis[0]), e.place(t, x, mis[1])
							before := e.snapshot()
							got := e.callF32(t, "vec_dot_"+kt.name, pw, px, uint32(n))
							e.checkUntouched(t, before, 0, 0)
							want := quant.VecDot(kt.t, n, w, x)
							if !sameF32(got, want) {
								t.Fatalf("%d blocks, misalign %v, raw %v, rep %d: %v (%#08x), quant.VecDot %v (%#08x)",
									nb, mis, raw, rep, got, math.Float32bits(got), want, math.Float32bits(want))
							}
						}
					}
				}
			}
		})
	}
}

// A bad length gives NaN, as quant.VecDot does, reading nothing.
func TestVecDotKBadLength(t *testing.T) {
	e := newCachedKernels(t, 1, 2)
	for _, kt := range kTypes {
		for _, n := range []int32{1, 32, 255, 257, 511, -256, -1} {
			if got := e.callF32(t, "vec_dot_"+kt.name, 0xfffffff0, 0xfffffff0, uint32(n)); got == got {
				t.Errorf("vec_dot_%s n=%d: %v, want NaN", kt.name, n, got)
			}
			if ref := quant.VecDot(kt.t, int(n), nil, nil); ref == ref {
				t.Errorf("quant.VecDot %v n=%d: %v, want NaN", kt.t, n, ref)
			}
		}
	}
}

// matmul_T: every output bit-identical to quant.VecDot of its row and
// token, for every tile shape and remainder (rows 1…9, tokens 1…9), row
// ranges that start past row 0, dst strides wider than the rows,
// misaligned pointers, and no other byte of memory changed.
func TestMatmulKMatchesQuant(t *testing.T) {
	for _, kt := range kTypes {
		t.Run(kt.name, func(t *testing.T) {
			e := newCachedKernels(t, 8, 3)
			name := "matmul_" + kt.name
			i := 0
			for _, tokens := range []int{1, 2, 3, 4, 5, 7, 8, 9, 12, 13, 15} {
				for rows := 1; rows <= 9; rows++ {
					i++
					c := mmCase{
						t: kt.t, n: qkK * (1 + i%3), row1: rows, tokens: tokens,
						dstStride: rows + i%4, raw: i%5 == 0,
						misW: uint32(i % 4), misX: uint32(i % 3), misD: uint32(i % 2),
					}
					if i%2 == 1 {
						c.row0 = i % rows // a range inside the matrix
						c.extraRows = 1 + i%2
					}
					checkMatmulAll(t, e, name, c, nil)
				}
			}
		})
	}
}

func TestMatmulKEdgeCases(t *testing.T) {
	for _, kt := range kTypes {
		name := "matmul_" + kt.name
		t.Run(kt.name, func(t *testing.T) {
			e := newCachedKernels(t, 2, 4)
			// nothing written: no tokens, an empty or reversed row range, a
			// negative row0 (dst points at memory that must not change)
			for _, a := range [][4]int32{{0, 0, 1, 0}, {0, 2, 2, 1}, {0, 3, 1, 1}, {0, 0, 4, 0}, {0, 0, 4, -3}, {256, -1, 2, 1}} {
				e.reset()
				pd := e.place(t, make([]byte, 64), 1)
				before := e.snapshot()
				e.call(t, name, pd, 64, 64, uint32(256+a[0]), uint32(a[1]), uint32(a[2]), uint32(a[3]), 4)
				e.checkUntouched(t, before, 0, 0)
			}
			// n = 0: every output 0, as quant.VecDot gives
			checkMatmulAll(t, e, name, mmCase{t: kt.t, n: 0, row0: 1, row1: 6, tokens: 5, dstStride: 7, extraRows: 1, misD: 3}, nil)
			// a bad length: NaN in every output, nothing else written
			for _, n := range []int32{255, 257, -256} {
				for _, shape := range [][3]int{{0, 1, 1}, {2, 7, 3}, {1, 5, 6}} {
					e.reset()
					row0, row1, tokens := shape[0], shape[1], shape[2]
					stride := row1 + 2
					pd := e.place(t, make([]byte, 4*tokens*stride), 2)
					before := e.snapshot()
					e.call(t, name, pd, 64, 64, uint32(n), uint32(row0), uint32(row1), uint32(tokens), uint32(stride))
					after := e.readF32s(pd, tokens*stride)
					var cells []int
					for tok := range tokens {
						for r := row0; r < row1; r++ {
							cells = append(cells, tok*stride+r)
							if v := after[tok*stride+r]; v == v {
								t.Fatalf("n=%d %v: token %d row %d = %v, want NaN", n, shape, tok, r, v)
							}
						}
					}
					// restore the outputs, then nothing may differ
					for _, c := range cells {
						e.mem.Write(pd+uint32(4*c), before[pd+uint32(4*c):pd+uint32(4*c)+4])
					}
					e.checkUntouched(t, before, 0, 0)
				}
			}
		})
	}
}

// The weights as llama.cpp's quantizer writes them, against the
// dequantized product in float64: an oracle that shares no code with
// either dot product, to catch a shared misreading of the format.
func TestVecDotKAgainstDequantized(t *testing.T) {
	for _, kt := range kTypes {
		e := newCachedKernels(t, 2, 5)
		n := 3 * qkK
		w, x := quantRow(t, e, kt.t, n, 1), quantRow(t, e, dtype.Q8_K, n, 1)
		pw, px := e.place(t, w, 1), e.place(t, x, 3)
		got := e.callF32(t, "vec_dot_"+kt.name, pw, px, uint32(n))
		wf, xf := make([]float32, n), make([]float32, n)
		if err := quant.Dequantize(kt.t, w, wf); err != nil {
			t.Fatal(err)
		}
		if err := quant.Dequantize(dtype.Q8_K, x, xf); err != nil {
			t.Fatal(err)
		}
		var exact, mag float64
		for i := range wf {
			exact += float64(wf[i]) * float64(xf[i])
			mag += math.Abs(float64(wf[i]) * float64(xf[i]))
		}
		if d := math.Abs(float64(got) - exact); d > 1e-5*mag {
			t.Errorf("%s: %v, dequantized dot %v (off by %.3g of %.3g)", kt.name, got, exact, d, mag)
		}
	}
}
