package kernels

import (
	"bytes"
	"encoding/binary"
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// floatInputs are float32s that reach every branch of the F16 and BF16
// conversions: each half and each bfloat16 of a sample, the midpoints
// between neighbours (ties) and the floats either side of them, the
// overflow and underflow thresholds, NaNs with payloads, random bits.
func floatInputs(e *kernelEnv) []float32 {
	var x []float32
	f := math.Float32frombits
	add := func(v float32) {
		b := math.Float32bits(v)
		x = append(x, v, -v, f(b+1), f(b-1))
	}
	for h := 0; h < 1<<16; h += 7 {
		a, b := quant.F16ToF32(uint16(h)), quant.F16ToF32(uint16(h+1))
		add(a)
		if a == a && b == b && !math.IsInf(float64(a), 0) && !math.IsInf(float64(b), 0) {
			add((a + b) / 2) // exact: halves have 11 significant bits
		}
	}
	for h := 0; h < 1<<16; h += 5 {
		a := quant.BF16ToF32(uint16(h))
		add(a)
		add(f(math.Float32bits(a) | 0x8000)) // the tie above it
	}
	for _, v := range []float32{0, 65504, 65519.99, 65520, 65536, 0x1p-14, 0x1p-24, 0x1p-25, 0x1.8p-25, 0x1p-26, 1e-45,
		float32(math.Inf(1)), math.MaxFloat32} {
		add(v)
	}
	for _, b := range nanBits {
		x = append(x, f(b))
	}
	for range 20000 {
		x = append(x, f(e.rand.Uint32()))
	}
	return x
}

// convert_f16 and convert_bf16 write exactly quant.Quantize's bytes, for
// every length's tail, at any alignment, and nothing else.
func TestConvertFloatMatchesQuant(t *testing.T) {
	e := newCachedKernels(t, 64, 31)
	all := floatInputs(e)
	for _, c := range []struct {
		name string
		t    dtype.Type
	}{{ConvertF16, dtype.F16}, {ConvertBF16, dtype.BF16}} {
		check := func(x []float32, mis [2]uint32) {
			t.Helper()
			e.reset()
			want := make([]byte, 2*len(x))
			if err := quant.Quantize(c.t, x, want); err != nil {
				t.Fatal(err)
			}
			ps := e.place(t, f32Bytes(x), mis[0])
			pd := e.place(t, randomBlockBytes(e, len(want)), mis[1])
			before := e.snapshot()
			e.call(t, c.name, pd, ps, uint32(len(x)))
			e.checkUntouched(t, before, pd, pd+uint32(len(want)))
			got, _ := e.mem.Read(pd, uint32(len(want)))
			if !bytes.Equal(got, want) {
				for i := 0; i < len(x); i++ {
					g, w := binary.LittleEndian.Uint16(got[2*i:]), binary.LittleEndian.Uint16(want[2*i:])
					if g != w {
						t.Fatalf("%s(%v = %#08x) = %#04x, quant %#04x (element %d of %d, misalign %v)",
							c.name, x[i], math.Float32bits(x[i]), g, w, i, len(x), mis)
					}
				}
			}
		}
		check(all, [2]uint32{0, 0})
		for n := 0; n <= 19; n++ {
			start := (n * 977) % (len(all) - n)
			check(all[start:start+n], [2]uint32{uint32(n % 4), uint32(n % 3)})
		}
	}
}

func TestConvertFloatBadLength(t *testing.T) {
	e := newCachedKernels(t, 1, 32)
	pd := e.place(t, make([]byte, 64), 1)
	for _, name := range []string{ConvertF16, ConvertBF16} {
		for _, n := range []int32{0, -1, -8} {
			before := e.snapshot()
			e.call(t, name, pd, 0xfffffff0, uint32(n))
			e.checkUntouched(t, before, 0, 0)
		}
	}
}

// The float weight types, each with the kernels' name.
var floatTypes = []struct {
	t    dtype.Type
	name string
}{
	{dtype.F32, "f32"},
	{dtype.F16, "f16"},
	{dtype.BF16, "bf16"},
}

// floatRow is n values of type t: gaussian (times scale), or, raw, random
// bits of moderate exponent with zeros, subnormals, infinities and NaNs
// sprinkled in.
func floatRow(tb testing.TB, e *kernelEnv, t dtype.Type, n int, scale float64, raw bool) []byte {
	x := gaussian(e, n)
	for i := range x {
		x[i] *= float32(scale)
		if raw {
			b := e.rand.Uint32()
			switch b % 61 {
			case 0:
				x[i] = float32(math.Inf(1 - 2*int(b>>31)))
			case 1:
				x[i] = math.Float32frombits(nanBits[(b>>8)%uint32(len(nanBits))])
			case 2:
				x[i] = math.Float32frombits(b >> 16) // subnormal
			case 3:
				x[i] = 0
			default:
				x[i] = math.Float32frombits(b&0x807fffff | (127-40+(b>>8)%80)<<23)
			}
		}
	}
	b := make([]byte, n*t.TypeSize())
	if err := quant.Quantize(t, x, b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// floatBound is the documented bound of the float kernels against
// quant.VecDot: (⌊n/4⌋ + 6)·2⁻²⁴·Σ|w_i·x_i| (0 when a product is not
// finite: then the results must match exactly, NaN = NaN).
func floatBound(t dtype.Type) func(w, x []byte, want float32) float64 {
	return func(w, x []byte, want float32) float64 {
		n := len(w) / t.TypeSize()
		wf, xf := make([]float32, n), make([]float32, n)
		if quant.Dequantize(t, w, wf) != nil || quant.Dequantize(t, x, xf) != nil {
			return 0
		}
		var mag float64
		for i := range wf {
			p := float64(float32(wf[i] * xf[i]))
			if math.IsInf(p, 0) || p != p {
				return 0
			}
			mag += math.Abs(p)
		}
		return float64(n/4+6) * 0x1p-24 * mag
	}
}

// vec_dot_T is within the bound of quant.VecDot, for every tail length.
func TestVecDotFloatWithinBound(t *testing.T) {
	e := newCachedKernels(t, 4, 33)
	for _, ft := range floatTypes {
		bound := floatBound(ft.t)
		for _, n := range []int{0, 1, 2, 3, 4, 5, 7, 8, 9, 11, 12, 15, 16, 17, 31, 64, 100, 255, 576, 1000} {
			for trial, raw := range []bool{false, true, false, true} {
				e.reset()
				w, x := floatRow(t, e, ft.t, n, 1, raw), floatRow(t, e, ft.t, n, 0.1, raw)
				pw, px := e.place(t, w, uint32(trial)), e.place(t, x, uint32(3-trial))
				before := e.snapshot()
				got := e.callF32(t, "vec_dot_"+ft.name, pw, px, uint32(n))
				e.checkUntouched(t, before, 0, 0)
				want := quant.VecDot(ft.t, n, w, x)
				tol := bound(w, x, want)
				if !sameF32(got, want) && !(math.Abs(float64(got)-float64(want)) <= tol) {
					t.Errorf("vec_dot_%s n=%d raw=%v: %v, quant.VecDot %v ± %.3g", ft.name, n, raw, got, want, tol)
				}
			}
		}
		if got := e.callF32(t, "vec_dot_"+ft.name, 0xfffffff0, 0xfffffff0, 0xffffffff); got == got {
			t.Errorf("vec_dot_%s n=-1: %v, want NaN", ft.name, got)
		}
	}
}

// The bound is not loose: summing in float32 does differ from quant on
// long rows, by less than the bound (a test of the test).
func TestVecDotFloatDiffersWithinBound(t *testing.T) {
	e := newCachedKernels(t, 4, 34)
	differ := 0
	for range 20 {
		e.reset()
		n := 4096
		w, x := floatRow(t, e, dtype.F32, n, 1, false), floatRow(t, e, dtype.F32, n, 1, false)
		got := e.callF32(t, VecDotF32, e.place(t, w, 0), e.place(t, x, 0), uint32(n))
		if want := quant.VecDot(dtype.F32, n, w, x); got != want {
			differ++
		}
	}
	if differ == 0 {
		t.Error("vec_dot_f32 equals quant.VecDot on every long row: the float32 sum is not what the doc says")
	}
}

// matmul_T: every output within the bound of quant.VecDot and bit-equal to
// vec_dot_T (every tile sums in the same order), for every tile shape and
// remainder, row ranges, wide dst strides, misaligned pointers, nothing
// else written.
func TestMatmulFloat(t *testing.T) {
	for _, ft := range floatTypes {
		t.Run(ft.name, func(t *testing.T) {
			e := newCachedKernels(t, 8, 35)
			name := "matmul_" + ft.name
			i := 0
			for _, tokens := range []int{1, 2, 3, 4, 5, 8, 9, 13} {
				for rows := 1; rows <= 9; rows++ {
					i++
					c := mmCase{
						t: ft.t, n: []int{0, 1, 5, 8, 13, 64, 67}[i%7], row1: rows, tokens: tokens,
						dstStride: rows + i%3, raw: i%4 == 0,
						misW: uint32(i % 4), misX: uint32(i % 3), misD: uint32(i % 2),
					}
					if i%2 == 1 {
						c.row0 = i % rows
						c.extraRows = 1
					}
					w, x, pd := checkMatmulAll(t, e, name, c, floatBound(ft.t))
					// bit-equal to vec_dot_T on the same bytes
					wRow, xRow := c.n*ft.t.TypeSize(), c.n*ft.t.TypeSize()
					out := e.readF32s(pd, (c.tokens-1)*c.dstStride+c.row1)
					for tok := range c.tokens {
						for r := c.row0; r < c.row1; r++ {
							e.reset()
							pw, px := e.place(t, w[r*wRow:(r+1)*wRow], 1), e.place(t, x[tok*xRow:(tok+1)*xRow], 2)
							if v := e.callF32(t, "vec_dot_"+ft.name, pw, px, uint32(c.n)); !sameF32(v, out[tok*c.dstStride+r]) {
								t.Fatalf("%+v: token %d row %d: matmul %v, vec_dot %v", c, tok, r, out[tok*c.dstStride+r], v)
							}
						}
					}
				}
			}
		})
	}
}

func TestMatmulFloatBadLength(t *testing.T) {
	e := newCachedKernels(t, 1, 36)
	for _, ft := range floatTypes {
		pd := e.place(t, make([]byte, 4*12), 3)
		before := e.snapshot()
		e.call(t, "matmul_"+ft.name, pd, 64, 64, 0xffffffff, 1, 4, 2, 6)
		after := e.readF32s(pd, 12)
		for i, v := range after {
			if wantNaN := i%6 >= 1 && i%6 < 4; wantNaN != (v != v) {
				t.Errorf("matmul_%s n=-1: dst[%d] = %v", ft.name, i, v)
			}
		}
		e.mem.Write(pd, before[pd:pd+48])
		e.checkUntouched(t, before, 0, 0)
	}
}
