package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// arithModule is a test module that exposes the emitters of fma32.go,
// vexp.go and expf.go over arrays, so that millions of inputs go through
// one call:
//
//	t_fma2, t_fma4(dst, a, b, c, n)   exactFMA on four or eight lanes a step (n mod 8 = 0)
//	t_fma_scalar(dst, a, b, c, n)   the module's scalar fma32
//	t_vexp(dst, x, n), t_vsilu(dst, x, n)   vexp.lanes, vexp.silu (n mod 4 = 0)
//	t_expf(dst, x, n)           the module's expf
//	t_reduce16(dst, x, n)       reduce16 of each 16 floats (n mod 16 = 0)
//	t_dot(x, y, n) f32          dot_f32x64
func arithModule(tb testing.TB) []byte {
	tb.Helper()
	m := NewModule()
	m.ImportMemory(MemoryImportModule, MemoryImportName, Limits{})
	fma32 := defineFMA32(m)
	expf := defineExpf(m)

	for _, pairs := range []int{2, 4} { // t_fma2, t_fma4: four or eight lanes a step
		name := fmt.Sprintf("t_fma%d", pairs)
		f := m.Func(name, []ValType{I32, I32, I32, I32, I32})
		dst, a, b, c, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4)
		var h [3][4]Local
		for i := range h {
			for j := range h[i] {
				h[i][j] = f.NewLocal(V128)
			}
		}
		e := newExactFMA(f)
		f.Do(LocalGet(n), I32Const(int32(pairs)), I32DivU, LocalSet(n))
		countdown(f, n, func() {
			for i, p := range []Local{a, b, c} {
				for v := 0; v < pairs/2; v++ {
					f.Do(LocalGet(p), V128Load(16*uint32(v)).Align(0), LocalSet(h[i][2*v]))
					promoteHalves(f, h[i][2*v], h[i][2*v], h[i][2*v+1])
				}
			}
			var ops []fmaPair
			for j := range pairs {
				ops = append(ops, fmaPair{get(f, h[0][j]), get(f, h[1][j]), get(f, h[2][j])})
			}
			e.sums(ops...)
			for v := 0; v < pairs/2; v++ {
				f.Do(LocalGet(dst))
				e.demoted(2*v, 2*v+1)
				f.Do(V128Store(16 * uint32(v)).Align(0))
			}
			for _, p := range []Local{dst, a, b, c} {
				advance(f, p, int32(8*pairs))
			}
		})
		m.ExportFunc(name, f)
	}
	{
		f := m.Func("t_fma_scalar", []ValType{I32, I32, I32, I32, I32})
		dst, a, b, c, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4)
		countdown(f, n, func() {
			f.Do(LocalGet(dst), LocalGet(a), F32Load(0), LocalGet(b), F32Load(0), LocalGet(c), F32Load(0), Call(fma32), F32Store(0))
			for _, p := range []Local{dst, a, b, c} {
				advance(f, p, 4)
			}
		})
		m.ExportFunc("t_fma_scalar", f)
	}
	for _, silu := range []bool{false, true} {
		name := "t_vexp"
		if silu {
			name = "t_vsilu"
		}
		f := m.Func(name, []ValType{I32, I32, I32})
		dst, x, n := f.Param(0), f.Param(1), f.Param(2)
		keep := f.NewLocal(V128)
		v := newVexp(f, newExactFMA(f))
		f.Do(LocalGet(n), I32Const(2), I32ShrU, LocalSet(n))
		countdown(f, n, func() {
			f.Do(LocalGet(dst), LocalGet(x), V128Load(0))
			if silu {
				v.silu(keep)
			} else {
				v.lanes()
			}
			f.Do(V128Store(0))
			advance(f, dst, 16)
			advance(f, x, 16)
		})
		m.ExportFunc(name, f)
	}
	{
		f := m.Func("t_expf", []ValType{I32, I32, I32})
		dst, x, n := f.Param(0), f.Param(1), f.Param(2)
		countdown(f, n, func() {
			f.Do(LocalGet(dst), LocalGet(x), F32Load(0), Call(expf), F32Store(0))
			advance(f, dst, 4)
			advance(f, x, 4)
		})
		m.ExportFunc("t_expf", f)
	}
	{
		f := m.Func("t_reduce16", []ValType{I32, I32, I32})
		dst, x, n := f.Param(0), f.Param(1), f.Param(2)
		var v [4]Local
		for i := range v {
			v[i] = f.NewLocal(V128)
		}
		f.Do(LocalGet(n), I32Const(4), I32ShrU, LocalSet(n))
		countdown(f, n, func() {
			for i := range v {
				f.Do(LocalGet(x), V128Load(16*uint32(i)), LocalSet(v[i]))
			}
			f.Do(LocalGet(dst))
			reduce16(f, v)
			f.Do(F32Store(0))
			advance(f, dst, 4)
			advance(f, x, 64)
		})
		m.ExportFunc("t_reduce16", f)
	}
	m.ExportFunc("t_dot", defineDotF32x64(m, fma32))
	return mustEncode(tb, m)
}

// newArithEnv instantiates the arithmetic test module.
func newArithEnv(tb testing.TB, pages uint32) *kernelEnv {
	return newKernelEnv(tb, arithModule(tb), pages, false)
}

// mapF32 runs kernel(dst, x, n) over xs in chunks that fit the memory and
// returns its outputs.
func (e *kernelEnv) mapF32(tb testing.TB, kernel string, xs []float32) []float32 {
	tb.Helper()
	out := make([]float32, 0, len(xs))
	chunk := int(e.mem.Size()/8) / 64 * 16 // floats: two arrays fill half the memory
	for len(xs) > 0 {
		k := min(chunk, len(xs))
		e.reset()
		px := e.place(tb, f32Bytes(xs[:k]), 0)
		pd := e.place(tb, make([]byte, 4*k), 0)
		e.call(tb, kernel, pd, px, uint32(k))
		out = append(out, e.readF32s(pd, k)...)
		xs = xs[k:]
	}
	return out
}

// awkwardF32 returns a float32 from a mix meant to hit every case:
// random bits (any exponent, NaN, infinities, subnormals), signed zeros,
// powers of two and values near them, and normal values of moderate size.
func awkwardF32(r *rand.Rand) float32 {
	switch r.IntN(10) {
	case 0:
		return math.Float32frombits(r.Uint32())
	case 1:
		return [...]float32{0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)),
			float32(math.NaN()), math.MaxFloat32, -math.MaxFloat32, math.SmallestNonzeroFloat32, 0x1p-126}[r.IntN(9)]
	case 2: // subnormal
		v := math.Float32frombits(r.Uint32() & 0x807fffff)
		return v
	case 3: // a power of two, or one step from it
		p := float32(math.Ldexp(1, r.IntN(60)-30))
		return math.Float32frombits(math.Float32bits(p) + uint32(r.IntN(3)) - 1)
	default:
		return float32(r.NormFloat64() * math.Pow(10, float64(r.IntN(9)-4)))
	}
}
