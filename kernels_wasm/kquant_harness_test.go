package kernels

import (
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
	"github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Test helpers for the k-quant, Q8_K and float kernels: one compiled
// module shared by all their tests (compiling the whole module again for
// each test would dominate the run time), and matmul checks that compare
// every byte of memory.

var (
	cachedBuild struct {
		once  sync.Once
		bin   []byte
		err   error
		cache wazero.CompilationCache
	}
)

// newCachedKernels instantiates the module Build gives over a fresh memory
// of the given number of pages, compiling it once per test binary.
func newCachedKernels(tb testing.TB, pages uint32, seed uint64) *kernelEnv {
	tb.Helper()
	cachedBuild.once.Do(func() {
		cachedBuild.bin, cachedBuild.err = Build(Options{})
		cachedBuild.cache = wazero.NewCompilationCache()
	})
	if cachedBuild.err != nil {
		tb.Fatal(cachedBuild.err)
	}
	ctx := context.Background()
	cfg := wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2).WithCompilationCache(cachedBuild.cache)
	r := wazero.NewRuntimeWithConfig(ctx, cfg)
	tb.Cleanup(func() { r.Close(ctx) })
	envBin, err := MemoryModule(wasm.Limits{Min: pages})
	if err != nil {
		tb.Fatal(err)
	}
	env, err := r.InstantiateWithConfig(ctx, envBin, wazero.NewModuleConfig().WithName(MemoryImportModule))
	if err != nil {
		tb.Fatal(err)
	}
	mod, err := r.InstantiateWithConfig(ctx, cachedBuild.bin, wazero.NewModuleConfig().WithName("kernels"))
	if err != nil {
		tb.Fatal(err)
	}
	return &kernelEnv{ctx: ctx, mem: env.Memory(), mod: mod, top: 64, rand: rand.New(rand.NewPCG(seed, 17))}
}

// randomBlockBytes is n random bytes: as a block row, every scale bit pattern
// shows up (subnormal, infinite and NaN halves and floats).
func randomBlockBytes(e *kernelEnv, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(e.rand.Uint32())
	}
	return b
}

// quantRow is n gaussian values times scale, quantized to t by quant.
func quantRow(tb testing.TB, e *kernelEnv, t dtype.Type, n int, scale float64) []byte {
	tb.Helper()
	x := gaussian(e, n)
	for i := range x {
		x[i] *= float32(scale)
	}
	b := make([]byte, n/t.BlockSize()*t.TypeSize())
	if err := quant.Quantize(t, x, b); err != nil {
		tb.Fatal(err)
	}
	return b
}

// mmCase is one matmul call: rows [row0, row1) of a weight matrix of
// row1 + extra rows, tokens activation rows, a dst with dstStride.
type mmCase struct {
	t                     dtype.Type
	n, row0, row1, tokens int
	extraRows, dstStride  int
	raw                   bool
	misW, misX, misD      uint32
}

// checkMatmulAll runs matmul_<t>(…) on c and checks every output against
// quant.VecDot (bit for bit, or within tol when tol is not nil) and every
// other byte of memory against its value before the call.
//
// It returns the weights, the activations and where dst is.
func checkMatmulAll(t *testing.T, e *kernelEnv, name string, c mmCase, tol func(w, x []byte, want float32) float64) (w, x []byte, pd uint32) {
	t.Helper()
	e.reset()
	wt, xt := c.t, quant.VecDotType(c.t)
	wRow, xRow := c.n/wt.BlockSize()*wt.TypeSize(), c.n/xt.BlockSize()*xt.TypeSize()
	rows := c.row1 + c.extraRows
	row := func(typ dtype.Type, n, bytes int, scale float64) []byte {
		switch {
		case typ == dtype.F32 || typ == dtype.F16 || typ == dtype.BF16:
			return floatRow(t, e, typ, n, scale, c.raw)
		case c.raw:
			return randomBlockBytes(e, bytes)
		}
		return quantRow(t, e, typ, n, scale)
	}
	for range rows {
		w = append(w, row(wt, c.n, wRow, 1)...)
	}
	for range c.tokens {
		x = append(x, row(xt, c.n, xRow, 0.5)...)
	}
	pw, px := e.place(t, w, c.misW), e.place(t, x, c.misX)
	dstLen := 4 * max(1, (c.tokens-1)*c.dstStride+c.row1+1)
	pd = e.place(t, randomBlockBytes(e, dstLen), c.misD)
	before := e.snapshot()
	e.call(t, name, pd, pw, px, uint32(c.n), uint32(c.row0), uint32(c.row1), uint32(c.tokens), uint32(c.dstStride))
	after, _ := e.mem.Read(0, uint32(len(before)))
	output := make([]bool, len(before))
	for tok := range c.tokens {
		for r := c.row0; r < c.row1; r++ {
			off := pd + uint32(4*(tok*c.dstStride+r))
			for b := off; b < off+4; b++ {
				output[b] = true
			}
			got := math.Float32frombits(binary.LittleEndian.Uint32(after[off:]))
			wr, xr := w[r*wRow:(r+1)*wRow], x[tok*xRow:(tok+1)*xRow]
			want := quant.VecDot(wt, c.n, wr, xr)
			if tol == nil {
				if !sameF32(got, want) {
					t.Fatalf("%s %+v: token %d row %d = %v (%#08x), quant.VecDot %v (%#08x)",
						name, c, tok, r, got, math.Float32bits(got), want, math.Float32bits(want))
				}
			} else if d := tol(wr, xr, want); !(math.Abs(float64(got)-float64(want)) <= d) && !sameF32(got, want) {
				t.Fatalf("%s %+v: token %d row %d = %v, quant.VecDot %v ± %.3g", name, c, tok, r, got, want, d)
			}
		}
	}
	for i := range before {
		if !output[i] && before[i] != after[i] {
			t.Fatalf("%s %+v: byte %d changed (%#x → %#x), not an output", name, c, i, before[i], after[i])
		}
	}
	return w, x, pd
}
