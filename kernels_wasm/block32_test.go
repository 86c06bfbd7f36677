package kernels

import (
	"bytes"
	"fmt"
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// block32Kernel names one weight type's kernels.
type block32Kernel struct {
	typ            dtype.Type
	vecDot, matmul string
}

var block32Kernels = []block32Kernel{
	{dtype.Q4_0, VecDotQ4_0, MatmulQ4_0},
	{dtype.Q4_1, VecDotQ4_1, MatmulQ4_1},
	{dtype.Q5_0, VecDotQ5_0, MatmulQ5_0},
	{dtype.Q5_1, VecDotQ5_1, MatmulQ5_1},
	{dtype.Q8_0, VecDotQ8_0, MatmulQ8_0},
}

// dataKind is how test rows are made.
type dataKind int

const (
	quantized   dataKind = iota // quant.Quantize of gaussian values
	rawFinite                   // random bytes, finite F16 fields
	rawAnything                 // random bytes
	extreme                     // large sums of one sign, finite F16 fields
	numDataKinds
)

func (k dataKind) String() string {
	return [...]string{"quantized", "raw-finite", "raw", "extreme"}[k]
}

// rows makes count rows of n elements of type typ.
func makeRows(tb testing.TB, e *kernelEnv, typ dtype.Type, count, n int, kind dataKind, scale float64) []byte {
	var b []byte
	for range count {
		switch kind {
		case quantized:
			b = append(b, quantizedRow(tb, e, typ, n, scale)...)
		case extreme:
			b = append(b, extremeRow(e, typ, n)...)
		default:
			b = append(b, rawRow(e, typ, n, kind == rawFinite)...)
		}
	}
	return b
}

// blockCounts cover the 4-block loop with every tail, and real row sizes.
var blockCounts = []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 18, 31, 48}

// vec_dot_T is bit-identical to quant.VecDot (NaN = NaN), on quantized data
// and on arbitrary bytes, at any alignment; quantized rows also agree with
// a float64 dot of the dequantized rows.
func TestBlock32VecDotMatchesQuant(t *testing.T) {
	e := newKernels(t, 2)
	for _, k := range block32Kernels {
		xt := quant.VecDotType(k.typ)
		for _, nb := range blockCounts {
			n := 32 * nb
			for trial, mis := range [][2]uint32{{0, 0}, {1, 2}, {3, 7}, {2, 15}} {
				for kind := range numDataKinds {
					e.reset()
					w := makeRows(t, e, k.typ, 1, n, kind, 1+float64(trial))
					x := makeRows(t, e, xt, 1, n, kind, 0.01)
					pw, px := e.place(t, w, mis[0]), e.place(t, x, mis[1])
					before := wholeMemory(e)
					got := e.callF32(t, k.vecDot, pw, px, uint32(n))
					checkSameMemory(t, k.vecDot, before, wholeMemory(e))
					want := quant.VecDot(k.typ, n, w, x)
					if !sameF32(got, want) {
						t.Errorf("%v: %d blocks, misalign %v, %v: %v (%#08x), quant.VecDot %v (%#08x)",
							k.typ, nb, mis, kind, got, math.Float32bits(got), want, math.Float32bits(want))
					}
					if kind == quantized {
						checkAgainstDequantized(t, k.typ, n, w, x, got)
					}
				}
			}
		}
	}
}

// checkAgainstDequantized compares with Σ w[i]·x[i] over the dequantized
// rows in float64: an oracle that shares no code path with either VecDot.
func checkAgainstDequantized(t *testing.T, typ dtype.Type, n int, wr, xr []byte, got float32) {
	t.Helper()
	wf, xf := make([]float32, n), make([]float32, n)
	if err := quant.Dequantize(typ, wr, wf); err != nil {
		t.Fatal(err)
	}
	xt := quant.VecDotType(typ)
	if err := quant.Dequantize(xt, xr, xf); err != nil {
		t.Fatal(err)
	}
	var exact, mag float64
	for i := range wf {
		p := float64(wf[i]) * float64(xf[i])
		exact += p
		mag += math.Abs(p)
	}
	// The offset formats use the stored s = d·Σq (an F16, rounded) instead
	// of summing m·x, so they get a looser bound.
	tol := float64(n/32+3) * 0x1p-24 * mag
	if xt == dtype.Q8_1 {
		var m float64
		for i := range xf {
			m += math.Abs(float64(xf[i]))
		}
		tol += 0x1p-10 * m * maxAbsMin(typ, wr)
	}
	if diff := math.Abs(float64(got) - exact); diff > tol {
		t.Errorf("%v, %d blocks: %v, dequantized dot %v ± %.3g", typ, n/32, got, exact, tol)
	}
}

// maxAbsMin is the largest |m| of a row of an offset format.
func maxAbsMin(typ dtype.Type, row []byte) float64 {
	var m float64
	for blk := 0; blk < len(row); blk += typ.TypeSize() {
		h := uint16(row[blk+2]) | uint16(row[blk+3])<<8
		m = math.Max(m, math.Abs(float64(quant.F16ToF32(h))))
	}
	return m
}

func TestBlock32VecDotRejectsBadLength(t *testing.T) {
	e := newKernels(t, 1)
	for _, k := range block32Kernels {
		for _, n := range []int32{1, 31, 33, 63, -32, -1} {
			if got := e.callF32(t, k.vecDot, 64, 64, uint32(n)); got == got {
				t.Errorf("%s n=%d: %v, want NaN", k.vecDot, n, got)
			}
			if ref := quant.VecDot(k.typ, int(n), nil, nil); ref == ref {
				t.Errorf("quant.VecDot %v n=%d: %v, want NaN (the kernel copies that contract)", k.typ, n, ref)
			}
		}
	}
}

// matmulCase is one call of matmul_T and what it must write.
type matmulCase struct {
	k                block32Kernel
	n, row0, row1    int
	tokens, stride   int
	kind             dataKind
	misW, misX, misD uint32
}

func (c matmulCase) String() string {
	return fmt.Sprintf("%s n=%d rows [%d,%d) tokens=%d stride=%d %v misalign %d/%d/%d",
		c.k.matmul, c.n, c.row0, c.row1, c.tokens, c.stride, c.kind, c.misW, c.misX, c.misD)
}

// run places the weights (rows [0, row1)), activations and a dst of
// random bytes, calls matmul, and checks that every output is
// bit-identical to quant.VecDot and that no other byte of memory changed.
func (c matmulCase) run(t *testing.T, e *kernelEnv) {
	t.Helper()
	e.reset()
	xt := quant.VecDotType(c.k.typ)
	rowBytes := c.n / 32 * c.k.typ.TypeSize()
	xRowBytes := c.n / 32 * xt.TypeSize()
	w := makeRows(t, e, c.k.typ, c.row1, c.n, c.kind, 1)
	x := makeRows(t, e, xt, c.tokens, c.n, c.kind, 0.1)
	dstBytes := 4 * ((c.tokens-1)*c.stride + c.row1)
	junk := make([]byte, dstBytes)
	for i := range junk {
		junk[i] = byte(e.rand.Uint32())
	}
	pw, px, pd := e.place(t, w, c.misW), e.place(t, x, c.misX), e.place(t, junk, c.misD)
	before := wholeMemory(e)
	e.call(t, c.k.matmul, pd, pw, px, uint32(c.n), uint32(c.row0), uint32(c.row1), uint32(c.tokens), uint32(c.stride))

	after := wholeMemory(e)
	got := e.readF32s(pd, dstBytes/4)
	for tok := range c.tokens {
		xr := x[tok*xRowBytes : (tok+1)*xRowBytes]
		for r := c.row0; r < c.row1; r++ {
			cell := tok*c.stride + r
			want := quant.VecDot(c.k.typ, c.n, w[r*rowBytes:(r+1)*rowBytes], xr)
			if !sameF32(got[cell], want) {
				t.Fatalf("%v: token %d row %d = %v (%#08x), quant.VecDot %v (%#08x)",
					c, tok, r, got[cell], math.Float32bits(got[cell]), want, math.Float32bits(want))
			}
			at := int(pd) + 4*cell
			copy(after[at:at+4], before[at:at+4]) // an output: checked above
		}
	}
	checkSameMemory(t, c, before, after)
}

// wholeMemory copies all of the kernels' memory, not only the part in use.
func wholeMemory(e *kernelEnv) []byte {
	b, _ := e.mem.Read(0, e.mem.Size())
	return bytes.Clone(b)
}

// checkSameMemory fails at the first byte that differs.
func checkSameMemory(t *testing.T, what any, before, after []byte) {
	t.Helper()
	if bytes.Equal(before, after) {
		return
	}
	for i := range before {
		if before[i] != after[i] {
			t.Fatalf("%v: byte %d changed (%#x → %#x), not an output", what, i, before[i], after[i])
		}
	}
}

// matmul_T: every output bit-identical to quant.VecDot, over token counts
// around the 4-token tiles, row counts around the 4-row groups, row ranges
// that start past 0, dst strides wider than the rows, misaligned pointers,
// quantized and arbitrary bytes; nothing else in memory written.
func TestBlock32MatmulMatchesQuant(t *testing.T) {
	e := newKernels(t, 4)
	mis := [][3]uint32{{0, 0, 0}, {3, 1, 2}, {2, 5, 9}, {1, 14, 7}}
	i := 0
	for _, k := range block32Kernels {
		for _, tokens := range []int{1, 2, 3, 4, 5, 6, 8, 9} {
			for rows := 1; rows <= 9; rows++ {
				for _, nb := range []int{0, 1, 3, 5} {
					i++
					c := matmulCase{k: k, n: 32 * nb, row1: rows, tokens: tokens, stride: rows}
					c.kind = dataKind(i % int(numDataKinds))
					m := mis[i%len(mis)]
					c.misW, c.misX, c.misD = m[0], m[1], m[2]
					if i%3 != 0 { // a row range that starts past 0
						c.row0 = i % rows
					}
					if i%2 == 0 { // room between the tokens' outputs
						c.stride = rows + 1 + i%5
					}
					c.run(t, e)
				}
			}
		}
	}
}

// A longer row through each path, with real sizes.
func TestBlock32MatmulRealShape(t *testing.T) {
	e := newKernels(t, 2)
	for _, k := range block32Kernels {
		for _, tokens := range []int{1, 4, 7} {
			c := matmulCase{k: k, n: 576, row0: 2, row1: 13, tokens: tokens, stride: 16, misW: 1, misX: 3, misD: 2}
			c.run(t, e)
		}
	}
}

func TestBlock32MatmulEdgeCases(t *testing.T) {
	e := newKernels(t, 1)
	for _, k := range block32Kernels {
		// No rows or no tokens: nothing written (dst points at guard bytes).
		e.reset()
		pd := e.place(t, make([]byte, 64), 1)
		for _, rt := range [][3]int32{{0, 0, 1}, {3, 2, 1}, {0, 4, 0}, {0, 4, -2}, {-1, -5, 3}} {
			before := wholeMemory(e)
			e.call(t, k.matmul, pd, 64, 64, 32, uint32(rt[0]), uint32(rt[1]), uint32(rt[2]), 4)
			checkSameMemory(t, fmt.Sprintf("%s rows [%d,%d) tokens %d", k.matmul, rt[0], rt[1], rt[2]), before, wholeMemory(e))
		}
		// A bad length: every output NaN, as quant.VecDot gives, and only
		// the outputs written.
		for _, n := range []int32{33, -32, 1} {
			for _, rt := range [][4]int{{0, 1, 1, 1}, {1, 5, 3, 6}, {0, 6, 5, 7}} {
				row0, row1, tokens, stride := rt[0], rt[1], rt[2], rt[3]
				e.reset()
				size := 4 * ((tokens-1)*stride + row1)
				pd := e.place(t, make([]byte, size), 3)
				before := wholeMemory(e)
				e.call(t, k.matmul, pd, 64, 64, uint32(n), uint32(row0), uint32(row1), uint32(tokens), uint32(stride))
				got := e.readF32s(pd, size/4)
				after := wholeMemory(e)
				for tok := range tokens {
					for r := row0; r < row1; r++ {
						cell := tok*stride + r
						if v := got[cell]; v == v {
							t.Errorf("%s n=%d: token %d row %d = %v, want NaN", k.matmul, n, tok, r, v)
						}
						copy(after[int(pd)+4*cell:], before[int(pd)+4*cell:int(pd)+4*cell+4])
					}
				}
				checkSameMemory(t, fmt.Sprintf("%s n=%d %v", k.matmul, n, rt), before, after)
			}
		}
	}
}
