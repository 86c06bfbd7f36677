package wasm

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
)

// The tests of this package check our bytes with an independent decoder
// and validator: wazero's (with the WebAssembly 2.0 features, SIMD included).

func newRuntime(t *testing.T, features api.CoreFeatures) (context.Context, wazero.Runtime) {
	t.Helper()
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCoreFeatures(features))
	t.Cleanup(func() { r.Close(ctx) })
	return ctx, r
}

// encode encodes m, failing the test on error.
func encode(t *testing.T, m *Module) []byte {
	t.Helper()
	bin, err := m.Encode()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// instantiate encodes m and instantiates it in a fresh runtime.
func instantiate(t *testing.T, m *Module) (context.Context, api.Module) {
	t.Helper()
	ctx, r := newRuntime(t, api.CoreFeaturesV2)
	mod, err := r.Instantiate(ctx, encode(t, m))
	if err != nil {
		t.Fatal(err)
	}
	return ctx, mod
}

// call calls an exported function and returns its results.
func call(t *testing.T, ctx context.Context, mod api.Module, name string, args ...uint64) []uint64 {
	t.Helper()
	fn := mod.ExportedFunction(name)
	if fn == nil {
		t.Fatalf("no export %q", name)
	}
	res, err := fn.Call(ctx, args...)
	if err != nil {
		t.Fatalf("%s%v: %v", name, args, err)
	}
	return res
}
