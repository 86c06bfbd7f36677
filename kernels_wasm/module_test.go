package kernels

import (
	"bytes"
	"os"
	"testing"

	"github.com/tetratelabs/wazero/api"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The committed kernels.wasm is what Build gives now.
func TestKernelsWasmIsFresh(t *testing.T) {
	want, err := Build(Options{})
	if err != nil {
		t.Fatal(err)
	}
	again, err := Build(Options{})
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(want, again) {
		t.Fatal("Build is not deterministic: two builds differ")
	}
	got, err := os.ReadFile("kernels.wasm")
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("kernels.wasm is stale: run go generate ./kernels_wasm/... (%d bytes on disk, %d built, read error %v)", len(got), len(want), err)
	}
}

// The module's interface as wazero decodes it: one imported memory
// env.memory, and the kernels with the documented signatures.
func TestKernelsInterface(t *testing.T) {
	cm := compileBuild(t, Options{})
	mems := cm.ImportedMemories()
	if len(mems) != 1 {
		t.Fatalf("%d imported memories, want 1", len(mems))
	}
	if mod, name, _ := mems[0].Import(); mod != "env" || name != "memory" || mems[0].Min() != 0 {
		t.Errorf("memory imported as %s.%s min %d", mod, name, mems[0].Min())
	}
	if _, hasMax := mems[0].Max(); hasMax {
		t.Error("the unshared import declares a maximum: it would refuse larger memories")
	}
	i32, f32 := api.ValueTypeI32, api.ValueTypeF32
	want := map[string][2][]api.ValueType{
		DotF32:       {{i32, i32, i32}, {f32}},
		VecDotQ8_0:   {{i32, i32, i32}, {f32}},
		VecDotQ4_0:   {{i32, i32, i32}, {f32}},
		VecDotQ4_1:   {{i32, i32, i32}, {f32}},
		VecDotQ5_0:   {{i32, i32, i32}, {f32}},
		VecDotQ5_1:   {{i32, i32, i32}, {f32}},
		MatmulQ8_0:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulQ4_0:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulQ4_1:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulQ5_0:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulQ5_1:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		QuantizeQ8_0: {{i32, i32, i32}, nil},
		QuantizeQ8_1: {{i32, i32, i32}, nil},
		// The k-quant and float kernels (kquant_interface_test.go checks
		// them in both builds).
		QuantizeQ8K: {{i32, i32, i32}, nil},
		ConvertF16:  {{i32, i32, i32}, nil},
		ConvertBF16: {{i32, i32, i32}, nil},
		VecDotQ2K:   {{i32, i32, i32}, {f32}},
		VecDotQ3K:   {{i32, i32, i32}, {f32}},
		VecDotQ4K:   {{i32, i32, i32}, {f32}},
		VecDotQ5K:   {{i32, i32, i32}, {f32}},
		VecDotQ6K:   {{i32, i32, i32}, {f32}},
		VecDotF32:   {{i32, i32, i32}, {f32}},
		VecDotF16:   {{i32, i32, i32}, {f32}},
		VecDotBF16:  {{i32, i32, i32}, {f32}},
		MatmulQ2K:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulQ3K:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulQ4K:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulQ5K:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulQ6K:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulF32:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulF16:   {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		MatmulBF16:  {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
	}
	for name, sig := range floatOpsSignatures() { // float_ops_interface_test.go checks them in both builds
		want[name] = sig
	}
	if exp := cm.ExportedFunctions(); len(exp) != len(want) {
		t.Errorf("%d exports, want %d", len(exp), len(want))
	}
	checkSignatures(t, Options{}, cm, want)
}

// The shared-memory variant links to a shared memory and computes the same.
func TestSharedMemoryVariant(t *testing.T) {
	bin, err := Build(Options{SharedMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	e := newKernelEnv(t, bin, 2, true)
	n := 32 * 7
	w, x := q8Row(t, e, n, 1), q8Row(t, e, n, 1)
	pw, px := e.place(t, w, 1), e.place(t, x, 2)
	got := e.callF32(t, VecDotQ8_0, pw, px, uint32(n))
	if want := quant.VecDot(dtype.Q8_0, n, w, x); !sameF32(got, want) {
		t.Errorf("shared: %v, quant.VecDot %v", got, want)
	}
}

// Reading past the end of memory is a trap, reported as an error.
func TestKernelsTrapOutOfBounds(t *testing.T) {
	e := newKernels(t, 1)
	size := e.mem.Size()
	calls := []struct {
		name string
		args []uint64
	}{
		{DotF32, []uint64{uint64(size - 8), 0, 4}},
		{DotF32, []uint64{0, uint64(size - 60), 16}},
		{VecDotQ8_0, []uint64{uint64(size - 33), 0, 32}},
		{MatmulQ8_0, []uint64{0, 64, uint64(size - 60), 64, 0, 5, 1, 5}},
		{MatmulQ8_0, []uint64{uint64(size - 8), 64, 64, 32, 0, 4, 1, 4}},
		{MatmulQ4_0, []uint64{0, 64, uint64(size - 60), 64, 0, 4, 4, 4}},
		{QuantizeQ8_0, []uint64{uint64(size - 20), 64, 32}},
		{QuantizeQ8_1, []uint64{64, uint64(size - 100), 32}},
	}
	for _, c := range calls {
		if _, err := e.mod.ExportedFunction(c.name).Call(e.ctx, c.args...); err == nil {
			t.Errorf("%s%v read or wrote past the end of memory without a trap", c.name, c.args)
		}
	}
}
