//go:build !js

package arena_test

import (
	"context"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	kernels "github.com/hearth-ai/hearth/kernels_wasm"
)

// kernels.wasm exports every kernel the backend calls, with the
// parameters Signatures (so the JS bindings) gives it.
func TestSignaturesMatchTheKernelModule(t *testing.T) {
	bin, err := kernels.Build(kernels.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	r := wazero.NewRuntimeWithConfig(ctx, wazero.NewRuntimeConfig().WithCoreFeatures(api.CoreFeaturesV2))
	defer r.Close(ctx)
	mod, err := r.CompileModule(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	exports := mod.ExportedFunctions()
	for _, s := range arena.Signatures() {
		def, ok := exports[s.Name]
		if !ok {
			t.Errorf("kernels.wasm has no %s", s.Name)
			continue
		}
		want := make([]api.ValueType, len(s.Params))
		for i := range want {
			want[i] = api.ValueTypeI32
		}
		for _, i := range s.F32 {
			want[i] = api.ValueTypeF32
		}
		got := def.ParamTypes()
		if len(got) != len(want) {
			t.Errorf("%s takes %d parameters; Signatures says %d (%v)", s.Name, len(got), len(want), s.Params)
			continue
		}
		for i := range got {
			if got[i] != want[i] {
				t.Errorf("%s parameter %d (%s) is %s; Signatures says %s", s.Name, i, s.Params[i], api.ValueTypeName(got[i]), api.ValueTypeName(want[i]))
			}
		}
		if len(def.ResultTypes()) != 0 {
			t.Errorf("%s returns %d values; the backend expects none", s.Name, len(def.ResultTypes()))
		}
	}
}
