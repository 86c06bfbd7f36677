package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
)

// The float-operation kernels against compute's reference backend: the
// same data through compute.NewReference's operations and through the
// kernels under wazero, compared bit for bit (any NaN equals any NaN), at
// awkward sizes and alignments, in place and not, with every byte of
// memory outside the output checked unchanged.

// refBackend returns a one-thread reference backend closed at the end of
// the test.
func refBackend(tb testing.TB) *compute.Reference {
	b := compute.NewReference(1)
	tb.Cleanup(func() { b.Close() })
	return b
}

// refF32 allocates a rows × cols F32 tensor holding data.
func refF32(tb testing.TB, b compute.Backend, rows, cols int, data []float32) compute.Tensor {
	tb.Helper()
	t, err := b.Alloc(dtype.F32, rows, cols)
	if err != nil {
		tb.Fatal(err)
	}
	if data != nil {
		b.Write(t, data)
	}
	return t
}

// refRead returns the contents of an F32 tensor.
func refRead(b compute.Backend, t compute.Tensor) []float32 {
	out := make([]float32, t.Rows()*t.Cols())
	b.Read(t, out)
	return out
}

// mixedF32 returns n values: mostly gaussian times scale, a fraction
// awkward ones (NaN, infinities, signed zeros, subnormals, huge values).
func mixedF32(r *rand.Rand, n int, scale float64, awkward float64) []float32 {
	x := make([]float32, n)
	for i := range x {
		if r.Float64() < awkward {
			x[i] = awkwardF32(r)
		} else {
			x[i] = float32(r.NormFloat64() * scale)
		}
	}
	return x
}

// callChecked calls kernel and fails if any byte outside [out, out+size)
// changed.
func (e *kernelEnv) callChecked(t *testing.T, what fmt.Stringer, out uint32, size int, kernel string, args ...uint32) {
	t.Helper()
	before := wholeMemory(e)
	e.call(t, kernel, args...)
	after := wholeMemory(e)
	copy(after[out:int(out)+size], before[out:int(out)+size])
	checkSameMemory(t, what, before, after)
}

// compareF32 fails at the first element that differs.
func compareF32(tb testing.TB, what fmt.Stringer, got, want []float32) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("%v: %d results, want %d", what, len(got), len(want))
	}
	for i := range got {
		if !sameF32(got[i], want[i]) {
			tb.Fatalf("%v: element %d = %g (%#08x), reference %g (%#08x)", what, i,
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
}

// caseName formats a test case for messages.
type caseName string

func (c caseName) String() string { return string(c) }

func f32Bits(v float32) uint32 { return math.Float32bits(v) }

// placing says where the output goes: its own buffer, or over an input.
type placing int

const (
	separate placing = iota
	inPlaceA
	inPlaceB
)

func TestAddMulMatchReference(t *testing.T) {
	e := newKernels(t, 8)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(21, 22))
	i := 0
	for _, rows := range []int{1, 2, 3, 5} {
		for _, cols := range []int{1, 3, 4, 5, 16, 17, 33, 576} {
			for _, bRows := range []int{1, rows} {
				for _, op := range []string{KernelAdd, KernelMul} {
					i++
					where := placing(i % 3)
					if where == inPlaceB && bRows != rows {
						where = inPlaceA
					}
					name := caseName(fmt.Sprintf("%s rows %d cols %d b_rows %d placing %d", op, rows, cols, bRows, where))
					x := mixedF32(r, rows*cols, 10, 0.1)
					y := mixedF32(r, bRows*cols, 10, 0.1)

					ta, tbb := refF32(t, b, rows, cols, x), refF32(t, b, bRows, cols, y)
					td := refF32(t, b, rows, cols, nil)
					if op == KernelAdd {
						b.Add(td, ta, tbb)
					} else {
						b.Mul(td, ta, tbb)
					}
					want := refRead(b, td)

					e.reset()
					pa, pb := e.place(t, f32Bytes(x), uint32(i%4)), e.place(t, f32Bytes(y), uint32(i%3))
					pd := e.place(t, make([]byte, 4*rows*cols), uint32(i%5))
					switch where {
					case inPlaceA:
						pd = pa
					case inPlaceB:
						pd = pb
					}
					e.callChecked(t, name, pd, 4*rows*cols, op, pd, pa, pb, uint32(rows), uint32(cols), uint32(bRows))
					compareF32(t, name, e.readF32s(pd, rows*cols), want)
				}
			}
		}
	}
}

func TestScaleMatchesReference(t *testing.T) {
	e := newKernels(t, 4)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(23, 24))
	for i, n := range []int{1, 2, 3, 4, 5, 7, 8, 64, 100, 577} {
		for _, s := range []float32{0.125, -3.7, 0, float32(math.Inf(1)), 1e-40, float32(math.NaN())} {
			name := caseName(fmt.Sprintf("scale n %d s %g", n, s))
			x := mixedF32(r, n, 100, 0.2)
			ta, td := refF32(t, b, 1, n, x), refF32(t, b, 1, n, nil)
			b.Scale(td, ta, s)
			want := refRead(b, td)
			e.reset()
			pa := e.place(t, f32Bytes(x), uint32(i%4))
			pd := pa
			if i%2 == 0 {
				pd = e.place(t, make([]byte, 4*n), 3)
			}
			e.callChecked(t, name, pd, 4*n, KernelScale, pd, pa, uint32(n), f32Bits(s))
			compareF32(t, name, e.readF32s(pd, n), want)
		}
	}
}

// actCols are row lengths around the 16-element groups of silu and
// softmax, and the model's.
var actCols = []int{1, 2, 5, 15, 16, 17, 31, 32, 33, 47, 100, 576, 1536}

func TestSiLUSwiGLUMatchReference(t *testing.T) {
	e := newKernels(t, 8)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(25, 26))
	i := 0
	for _, rows := range []int{1, 3} {
		for _, cols := range actCols {
			for _, scale := range []float64{1, 8, 60} {
				for _, gated := range []bool{false, true} {
					i++
					op := KernelSiLU
					if gated {
						op = KernelSwiGLU
					}
					name := caseName(fmt.Sprintf("%s rows %d cols %d scale %g", op, rows, cols, scale))
					n := rows * cols
					x, u := mixedF32(r, n, scale, 0.05), mixedF32(r, n, 2, 0.05)
					tx, tu, td := refF32(t, b, rows, cols, x), refF32(t, b, rows, cols, u), refF32(t, b, rows, cols, nil)
					if gated {
						b.SwiGLU(td, tx, tu)
					} else {
						b.SiLU(td, tx)
					}
					want := refRead(b, td)

					e.reset()
					px, pu := e.place(t, f32Bytes(x), uint32(i%4)), e.place(t, f32Bytes(u), uint32(i%3))
					pd := e.place(t, make([]byte, 4*n), uint32(i%7))
					if i%3 == 0 {
						pd = px
					}
					if gated {
						e.callChecked(t, name, pd, 4*n, op, pd, px, pu, uint32(rows), uint32(cols))
					} else {
						e.callChecked(t, name, pd, 4*n, op, pd, px, uint32(rows), uint32(cols))
					}
					compareF32(t, name, e.readF32s(pd, n), want)
				}
			}
		}
	}
}

func TestSoftmaxMatchesReference(t *testing.T) {
	e := newKernels(t, 8)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(27, 28))
	i := 0
	for _, rows := range []int{1, 2} {
		for _, cols := range append(actCols, 256, 1000) {
			for _, kind := range []string{"gaussian", "wide", "awkward", "masked"} {
				i++
				name := caseName(fmt.Sprintf("softmax rows %d cols %d %s", rows, cols, kind))
				n := rows * cols
				var x []float32
				switch kind {
				case "gaussian":
					x = mixedF32(r, n, 3, 0)
				case "wide":
					x = mixedF32(r, n, 40, 0)
				case "awkward":
					x = mixedF32(r, n, 5, 0.05)
				default: // some −Inf, as a causal mask writes
					x = mixedF32(r, n, 3, 0)
					for j := range x {
						if r.IntN(3) == 0 {
							x[j] = float32(math.Inf(-1))
						}
					}
				}
				tx, td := refF32(t, b, rows, cols, x), refF32(t, b, rows, cols, nil)
				b.Softmax(td, tx)
				want := refRead(b, td)

				e.reset()
				px := e.place(t, f32Bytes(x), uint32(i%4))
				pd := px
				if i%2 == 0 {
					pd = e.place(t, make([]byte, 4*n), uint32(i%5))
				}
				e.callChecked(t, name, pd, 4*n, KernelSoftmax, pd, px, uint32(rows), uint32(cols))
				compareF32(t, name, e.readF32s(pd, n), want)
			}
		}
	}
}

func TestRMSNormMatchesReference(t *testing.T) {
	e := newKernels(t, 8)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(29, 30))
	i := 0
	for _, shape := range []struct{ cols, group int }{
		{1, 1}, {3, 3}, {5, 5}, {16, 16}, {17, 17}, {576, 576}, // whole rows
		{192, 64}, {576, 64}, {9, 3}, {20, 5}, {8, 1}, {384, 128}, // per-head groups
	} {
		for _, rows := range []int{1, 2, 5} {
			for _, eps := range []float32{1e-5, 1e-6, 0} {
				i++
				name := caseName(fmt.Sprintf("rmsnorm rows %d cols %d group %d eps %g", rows, shape.cols, shape.group, eps))
				n := rows * shape.cols
				awk := 0.0
				if i%4 == 0 {
					awk = 0.02
				}
				x := mixedF32(r, n, math.Pow(10, float64(i%7-3)), awk)
				w := mixedF32(r, shape.group, 1, 0)
				tx, tw, td := refF32(t, b, rows, shape.cols, x), refF32(t, b, 1, shape.group, w), refF32(t, b, rows, shape.cols, nil)
				b.RMSNorm(td, tx, tw, eps)
				want := refRead(b, td)

				e.reset()
				px, pw := e.place(t, f32Bytes(x), uint32(i%4)), e.place(t, f32Bytes(w), uint32(i%3))
				pd := px
				if i%2 == 0 {
					pd = e.place(t, make([]byte, 4*n), uint32(i%5))
				}
				e.callChecked(t, name, pd, 4*n, KernelRMSNorm, pd, px, pw, uint32(rows), uint32(shape.cols), uint32(shape.group), f32Bits(eps))
				compareF32(t, name, e.readF32s(pd, n), want)
			}
		}
	}
}

// Arguments the kernels refuse: nothing at all is written.
func TestFloatOpsBadArgumentsWriteNothing(t *testing.T) {
	e := newKernels(t, 1)
	e.reset()
	p := e.place(t, f32Bytes(mixedF32(rand.New(rand.NewPCG(1, 1)), 256, 1, 0)), 0)
	neg := uint32(0xffffffff)
	one := f32Bits(1)
	for _, c := range []struct {
		kernel string
		args   []uint32
	}{
		{KernelAdd, []uint32{p, p, p, 0, 4, 1}}, {KernelAdd, []uint32{p, p, p, 2, 0, 1}}, {KernelAdd, []uint32{p, p, p, neg, 4, 1}},
		{KernelMul, []uint32{p, p, p, 2, neg, 2}},
		{KernelScale, []uint32{p, p, 0, one}}, {KernelScale, []uint32{p, p, neg, one}},
		{KernelSiLU, []uint32{p, p, 0, 16}}, {KernelSiLU, []uint32{p, p, 2, 0}},
		{KernelSwiGLU, []uint32{p, p, p, neg, 16}},
		{KernelSoftmax, []uint32{p, p, 1, 0}}, {KernelSoftmax, []uint32{p, p, 0, 8}},
		{KernelRMSNorm, []uint32{p, p, p, 1, 8, 3, one}}, {KernelRMSNorm, []uint32{p, p, p, 1, 8, 0, one}},
		{KernelRMSNorm, []uint32{p, p, p, 0, 8, 8, one}}, {KernelRMSNorm, []uint32{p, p, p, 1, 8, neg, one}},
		// rows, cols, head_dim, n_dims: head_dim not dividing cols, odd or
		// too many rotated dims, none
		{KernelRope, []uint32{p, p, 1, 12, 8, 4, 0, p}}, {KernelRope, []uint32{p, p, 1, 16, 8, 3, 0, p}},
		{KernelRope, []uint32{p, p, 1, 16, 8, 10, 1, p}}, {KernelRope, []uint32{p, p, 1, 16, 8, 0, 0, p}},
		{KernelRope, []uint32{p, p, 1, 16, 0, 0, 0, p}}, {KernelRope, []uint32{p, p, 0, 16, 8, 8, 0, p}},
		// n, pos0, heads, kv_heads (not dividing), dk, dv
		{KernelAttention, []uint32{p, p, p, p, 0, 0, 2, 1, 4, 4, 4, 4, one, p}},
		{KernelAttention, []uint32{p, p, p, p, 1, neg, 2, 1, 4, 4, 4, 4, one, p}},
		{KernelAttention, []uint32{p, p, p, p, 1, 0, 3, 2, 4, 4, 8, 8, one, p}},
		{KernelAttention, []uint32{p, p, p, p, 1, 0, 2, 0, 4, 4, 8, 8, one, p}},
		{KernelAttention, []uint32{p, p, p, p, 1, 0, 2, 1, 0, 4, 8, 8, one, p}},
		{KernelAttention, []uint32{p, p, p, p, 1, 0, 2, 1, 4, 0, 8, 8, one, p}},
	} {
		name := caseName(fmt.Sprintf("%s%v", c.kernel, c.args))
		e.callChecked(t, name, 0, 0, c.kernel, c.args...)
	}
}
