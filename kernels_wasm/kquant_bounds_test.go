package kernels

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Every kernel reads only its rows and writes only its outputs: with a
// row (or an output) ending at the last byte of memory, nothing traps and
// the results still match; one byte less of memory is a trap.
func TestKernelsStayInsideTheirRows(t *testing.T) {
	e := newCachedKernels(t, 1, 41)
	size := e.mem.Size()
	types := append(append([]struct {
		t    dtype.Type
		name string
	}{}, kTypes...), floatTypes...)
	for _, kt := range types {
		n := 512
		xt := quant.VecDotType(kt.t)
		w, x := benchLikeRow(t, e, kt.t, n), benchLikeRow(t, e, xt, n)
		want := quant.VecDot(kt.t, n, w, x)
		for _, wAtEnd := range []bool{true, false} {
			e.reset()
			var pw, px uint32
			if wAtEnd {
				pw, px = size-uint32(len(w)), e.place(t, x, 1)
			} else {
				pw, px = e.place(t, w, 1), size-uint32(len(x))
			}
			e.mem.Write(pw, w)
			e.mem.Write(px, x)
			if got := e.callF32(t, "vec_dot_"+kt.name, pw, px, uint32(n)); !sameF32(got, want) && !closeFloat(kt.t, got, want) {
				t.Errorf("vec_dot_%s at the end of memory: %v, want %v", kt.name, got, want)
			}
			pd := size - 4
			if wAtEnd {
				pd = e.place(t, make([]byte, 4), 0)
			}
			e.call(t, "matmul_"+kt.name, pd, pw, px, uint32(n), 0, 1, 1, 1)
			if got := e.readF32s(pd, 1)[0]; !sameF32(got, want) && !closeFloat(kt.t, got, want) {
				t.Errorf("matmul_%s at the end of memory: %v, want %v", kt.name, got, want)
			}
			// one byte further: a trap, not a silent read (Q3_K and Q6_K
			// never read the activations' group sums, the end of their rows)
			if !wAtEnd && (kt.t == dtype.Q3_K || kt.t == dtype.Q6_K) {
				continue
			}
			sw, sx := pw, px+1
			if wAtEnd {
				sw, sx = pw+1, px
			}
			if _, err := e.mod.ExportedFunction("vec_dot_"+kt.name).Call(e.ctx, uint64(sw), uint64(sx), uint64(n)); err == nil {
				t.Errorf("vec_dot_%s (weights at the end: %v) read past the end of memory without a trap", kt.name, wAtEnd)
			}
		}
	}
	// the activation converters, source and destination at the end
	for _, c := range []struct {
		name  string
		out   int // bytes per element
		block int
	}{{QuantizeQ8K, q8KBlock, qkK}, {ConvertF16, 2, 1}, {ConvertBF16, 2, 1}} {
		n := 2 * c.block
		if c.block == 1 {
			n = 21
		}
		outBytes := n / c.block * c.out
		e.reset()
		src := size - uint32(4*n)
		e.mem.Write(src, f32Bytes(gaussian(e, n)))
		e.call(t, c.name, e.place(t, make([]byte, outBytes), 0), src, uint32(n))
		e.reset()
		e.call(t, c.name, size-uint32(outBytes), e.place(t, f32Bytes(gaussian(e, n)), 0), uint32(n))
		if _, err := e.mod.ExportedFunction(c.name).Call(e.ctx, 64, uint64(src+1), uint64(n)); err == nil {
			t.Errorf("%s read past the end of memory without a trap", c.name)
		}
	}
}

// benchLikeRow is a row of gaussian values in type t.
func benchLikeRow(tb testing.TB, e *kernelEnv, t dtype.Type, n int) []byte {
	if t == dtype.F32 || t == dtype.F16 || t == dtype.BF16 {
		return floatRow(tb, e, t, n, 1, false)
	}
	return quantRow(tb, e, t, n, 1)
}

// closeFloat accepts the float kernels' summation order (see floatBound).
func closeFloat(t dtype.Type, got, want float32) bool {
	if t != dtype.F32 && t != dtype.F16 && t != dtype.BF16 {
		return false
	}
	d := float64(got) - float64(want)
	return d*d <= 1e-8*float64(want)*float64(want)+1e-12
}
