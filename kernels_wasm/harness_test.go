package kernels

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"

	"github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// kernelEnv runs a kernel module under wazero the way the browser will:
// a module named "env" owns the memory, the kernel module imports it.
type kernelEnv struct {
	ctx  context.Context
	mem  api.Memory
	mod  api.Module
	top  uint32 // bump allocator
	rand *rand.Rand
}

// newKernelEnv instantiates bin (a kernel module) over a fresh memory of
// the given number of pages.
func newKernelEnv(tb testing.TB, bin []byte, pages uint32, shared bool) *kernelEnv {
	tb.Helper()
	ctx := context.Background()
	features := api.CoreFeaturesV2 // SIMD included
	lim := wasm.Limits{Min: pages}
	if shared {
		features |= experimental.CoreFeaturesThreads
		lim = wasm.Limits{Min: pages, Max: pages, HasMax: true, Shared: true}
	}
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCoreFeatures(features))
	tb.Cleanup(func() { r.Close(ctx) })
	envBin, err := MemoryModule(lim)
	if err != nil {
		tb.Fatal(err)
	}
	env, err := r.InstantiateWithConfig(ctx, envBin, wazero.NewModuleConfig().WithName(MemoryImportModule))
	if err != nil {
		tb.Fatal(err)
	}
	mod, err := r.InstantiateWithConfig(ctx, bin, wazero.NewModuleConfig().WithName("kernels"))
	if err != nil {
		tb.Fatal(err)
	}
	return &kernelEnv{ctx: ctx, mem: env.Memory(), mod: mod, top: 64, rand: rand.New(rand.NewPCG(11, 13))}
}

// mustEncode encodes a test module, failing the test on an error.
func mustEncode(tb testing.TB, m *wasm.Module) []byte {
	tb.Helper()
	bin, err := m.Encode()
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// newKernels builds the module fresh (what go generate writes) and
// instantiates it.
func newKernels(tb testing.TB, pages uint32) *kernelEnv {
	tb.Helper()
	bin, err := Build(Options{})
	if err != nil {
		tb.Fatal(err)
	}
	return newKernelEnv(tb, bin, pages, false)
}

// place copies data into memory at an address that is misalign bytes past
// a 16-byte boundary, with 32 random bytes before and after it, and
// returns the address.
func (e *kernelEnv) place(tb testing.TB, data []byte, misalign uint32) uint32 {
	tb.Helper()
	e.top = (e.top+15)&^15 + 32 + misalign
	p := e.top
	e.top += uint32(len(data)) + 32
	if e.top > e.mem.Size() {
		tb.Fatalf("test memory exhausted: %d bytes needed", e.top)
	}
	junk := make([]byte, 32)
	for i := range junk {
		junk[i] = byte(e.rand.Uint32())
	}
	e.mem.Write(p-32, junk)
	e.mem.Write(p+uint32(len(data)), junk)
	e.mem.Write(p, data)
	return p
}

// reset frees everything placed.
func (e *kernelEnv) reset() { e.top = 64 }

// snapshot copies the memory in use.
func (e *kernelEnv) snapshot() []byte {
	b, _ := e.mem.Read(0, e.top+64)
	return bytes.Clone(b)
}

// checkUntouched fails if any byte outside [from, to) differs from before:
// the guard bytes around outputs, the inputs, everything.
func (e *kernelEnv) checkUntouched(tb testing.TB, before []byte, from, to uint32) {
	tb.Helper()
	after, _ := e.mem.Read(0, uint32(len(before)))
	for i := range before {
		if (uint32(i) < from || uint32(i) >= to) && before[i] != after[i] {
			tb.Fatalf("byte %d changed (%#x → %#x), outside the output [%d, %d)", i, before[i], after[i], from, to)
		}
	}
}

// call calls an exported kernel.
func (e *kernelEnv) call(tb testing.TB, name string, args ...uint32) []uint64 {
	tb.Helper()
	a := make([]uint64, len(args))
	for i, v := range args {
		a[i] = uint64(v)
	}
	res, err := e.mod.ExportedFunction(name).Call(e.ctx, a...)
	if err != nil {
		tb.Fatalf("%s%v: %v", name, args, err)
	}
	return res
}

// callF32 calls a kernel returning one f32.
func (e *kernelEnv) callF32(tb testing.TB, name string, args ...uint32) float32 {
	tb.Helper()
	return math.Float32frombits(uint32(e.call(tb, name, args...)[0]))
}

// readF32s reads n float32s at p.
func (e *kernelEnv) readF32s(p uint32, n int) []float32 {
	b, _ := e.mem.Read(p, uint32(4*n))
	out := make([]float32, n)
	for i := range out {
		out[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
	}
	return out
}

func f32Bytes(x []float32) []byte {
	b := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(b[4*i:], math.Float32bits(v))
	}
	return b
}

// sameF32 is bit equality, except that any NaN equals any NaN (wasm leaves
// the payload of a computed NaN to the engine).
func sameF32(a, b float32) bool {
	if a != a && b != b {
		return true
	}
	return math.Float32bits(a) == math.Float32bits(b)
}
