package kernels

import (
	"bytes"
	"context"
	"fmt"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// compileBuild builds the module with options o and compiles it under
// wazero (with the threads proposal, for the shared-memory builds); the
// runtime closes when the test ends.
func compileBuild(t *testing.T, o Options) wazero.CompiledModule {
	t.Helper()
	bin, err := Build(o)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2|experimental.CoreFeaturesThreads))
	t.Cleanup(func() { r.Close(ctx) })
	cm, err := r.CompileModule(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	return cm
}

// checkSignatures reports every name in want that cm does not export with
// the parameter and result types want gives it, naming the build o.
func checkSignatures(t *testing.T, o Options, cm wazero.CompiledModule, want map[string][2][]api.ValueType) {
	t.Helper()
	build := fmt.Sprintf("%+v", o)
	exp := cm.ExportedFunctions()
	for name, sig := range want {
		d := exp[name]
		if d == nil {
			t.Errorf("%s: no export %s", build, name)
			continue
		}
		if !bytes.Equal(d.ParamTypes(), sig[0]) || !bytes.Equal(d.ResultTypes(), sig[1]) {
			t.Errorf("%s: %s: %v -> %v, want %v -> %v", build, name, d.ParamTypes(), d.ResultTypes(), sig[0], sig[1])
		}
	}
}
