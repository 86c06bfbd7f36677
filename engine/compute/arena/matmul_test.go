//go:build !js

package arena_test

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

var weightTypes = []dtype.Type{
	dtype.F32, dtype.F16, dtype.BF16,
	dtype.Q4_0, dtype.Q4_1, dtype.Q5_0, dtype.Q5_1, dtype.Q8_0,
	dtype.Q2_K, dtype.Q3_K, dtype.Q4_K, dtype.Q5_K, dtype.Q6_K,
}

func randn(rng *rand.Rand, n int, scale float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(rng.NormFloat64()) * scale
	}
	return x
}

// quantizeRows encodes rows × cols floats as typ, row by row.
func quantizeRows(tb testing.TB, typ dtype.Type, rows, cols int, x []float32) []byte {
	tb.Helper()
	rb, _ := typ.RowSize(int64(cols))
	data := make([]byte, int64(rows)*rb)
	for r := 0; r < rows; r++ {
		if err := quant.Quantize(typ, x[r*cols:(r+1)*cols], data[int64(r)*rb:int64(r+1)*rb]); err != nil {
			tb.Fatal(err)
		}
	}
	return data
}

// wasmOrderMatMul is what the kernels promise: each activation row
// converted and multiplied as compute.OrderWasm.KernelFor says (llama.cpp's
// generic order, quant.VecDot, for quantized weights; the four-lane order
// for F32, F16 and BF16), whatever the weight's shape.
func wasmOrderMatMul(typ dtype.Type, w []byte, out, in int, x []float32, n int) []float32 {
	act, dot, ok := compute.OrderWasm.KernelFor(typ, out, in, n)
	if !ok {
		panic("no wasm-order kernel for " + typ.String())
	}
	wrb, _ := typ.RowSize(int64(in))
	xrb, _ := act.RowSize(int64(in))
	xq := make([]byte, xrb)
	dst := make([]float32, n*out)
	for r := 0; r < n; r++ {
		if err := quant.Quantize(act, x[r*in:(r+1)*in], xq); err != nil {
			panic(err)
		}
		for o := 0; o < out; o++ {
			dst[r*out+o] = dot(w[int64(o)*wrb:int64(o+1)*wrb], xq, in)
		}
	}
	return dst
}

// matmulRowLength is a weight type and a row length to try.
type matmulRowLength struct {
	typ dtype.Type
	in  int
}

// matmulRowLengths are two blocks of each weight type, and for the float
// types lengths that end in every way the kernels' steps of 8 and 4
// elements can (13: 8 + 4 + 1, 70: 8·8 + 4 + 2, 256: whole steps).
func matmulRowLengths() []matmulRowLength {
	var out []matmulRowLength
	for _, typ := range weightTypes {
		if typ.BlockSize() == 1 {
			out = append(out, matmulRowLength{typ, 13}, matmulRowLength{typ, 70}, matmulRowLength{typ, 256})
			continue
		}
		out = append(out, matmulRowLength{typ, 2 * max(32, typ.BlockSize())})
	}
	return out
}

// Every weight type, on llama.cpp's generic shapes and its AMX shapes, by
// one and several activation rows, as whole weights and as row views,
// with one thread and three: the kernels give compute.OrderWasm's bits
// exactly; the rows around the output are untouched.
func TestMatMulIsWasmOrder(t *testing.T) {
	for _, threads := range []int{1, 3} {
		b := newWasm(t, threads, arena.Options{})
		rng := rand.New(rand.NewPCG(5, uint64(threads)))
		for _, tc := range matmulRowLengths() {
			typ, in := tc.typ, tc.in
			for _, c := range []struct{ n, out, from, to int }{
				{1, 37, 0, 37}, {3, 64, 0, 64}, {17, 37, 0, 37}, {5, 96, 16, 80}, {1, 96, 40, 41}, {8, 128, 0, 128},
			} {
				what := fmt.Sprintf("%d threads: %v weight %d×%d rows %d–%d by %d rows", threads, typ, c.out, in, c.from, c.to, c.n)
				w := quantizeRows(t, typ, c.out, in, randn(rng, c.out*in, 0.5))
				wt, err := b.Alloc(typ, c.out, in)
				if err != nil {
					t.Fatal(err)
				}
				if err := b.Load(wt, bytes.NewReader(w)); err != nil {
					t.Fatal(err)
				}
				x := randn(rng, c.n*in, 1)
				xt := alloc(t, b, c.n, in, x)
				rows := c.to - c.from
				whole := alloc(t, b, c.n+2, rows, fill(make([]float32, (c.n+2)*rows), guard))
				b.MatMul(whole.Slice(1, c.n+1), wt.Slice(c.from, c.to), xt)
				all := read(b, whole)
				for i, v := range all {
					if (i < rows || i >= len(all)-rows) && v != guard {
						t.Fatalf("%s: wrote outside its output (guard element %d = %v)", what, i, v)
					}
				}
				got := all[rows : len(all)-rows]
				wrb, _ := typ.RowSize(int64(in))
				want := wasmOrderMatMul(typ, w[int64(c.from)*wrb:int64(c.to)*wrb], rows, in, x, c.n)
				for i := range got {
					if math.Float32bits(got[i]) != math.Float32bits(want[i]) {
						t.Fatalf("%s: [%d][%d] = %v, compute.OrderWasm gives %v", what, i/rows, i%rows, got[i], want[i])
					}
				}
				b.Free(wt)
				b.Free(xt)
				b.Free(whole)
			}
		}
	}
}

const guard = float32(-1234.5)

func fill(x []float32, v float32) []float32 {
	for i := range x {
		x[i] = v
	}
	return x
}

func alloc(tb testing.TB, b compute.Backend, rows, cols int, x []float32) compute.Tensor {
	tb.Helper()
	t, err := b.Alloc(dtype.F32, rows, cols)
	if err != nil {
		tb.Fatal(err)
	}
	if x != nil {
		b.Write(t, x)
	}
	return t
}

func read(b compute.Backend, t compute.Tensor) []float32 {
	out := make([]float32, t.Rows()*t.Cols())
	b.Read(t, out)
	return out
}
