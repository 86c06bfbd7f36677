package wasm

import (
	"bytes"
	"testing"

	"github.com/tetratelabs/wazero"
	"github.com/tetratelabs/wazero/api"
	"github.com/tetratelabs/wazero/experimental"
)

// buildSample is a module using every section this package writes.
func buildSample() *Module {
	m := NewModule()
	logf := m.ImportFunc("host", "log", i32s(I32, F32))
	m.ImportMemory("env", "memory", Limits{Min: 2, Max: 10, HasMax: true})
	a := m.Func("first", i32s(I32, I32, I32), F32)
	a.NewLocal(V128)
	a.NewLocal(V128)
	a.NewLocal(I32)
	a.Do(F32Const(0))
	b := m.Func("second", i32s(I32, I32, I32), F32) // same type as first
	b.Do(I32Const(1), F32Const(2), Call(logf), F32Const(3))
	c := m.Func("helper", nil)
	c.Do(Nop)
	m.ExportFunc("dot", a)
	m.ExportFunc("dot2", b)
	m.ExportFunc("log_again", logf)
	return m
}

// wazero's decoder reads back what we wrote: imports, exports, signatures,
// limits and debug names.
func TestModuleReadBackByWazero(t *testing.T) {
	bin := encode(t, buildSample())
	ctx, r := newRuntime(t, api.CoreFeaturesV2)
	cm, err := r.CompileModule(ctx, bin)
	if err != nil {
		t.Fatal(err)
	}
	mems := cm.ImportedMemories()
	if len(mems) != 1 {
		t.Fatalf("%d imported memories", len(mems))
	}
	mod, name, _ := mems[0].Import()
	max, hasMax := mems[0].Max()
	if mod != "env" || name != "memory" || mems[0].Min() != 2 || max != 10 || !hasMax {
		t.Errorf("memory import %s.%s min %d max %d %v", mod, name, mems[0].Min(), max, hasMax)
	}
	fns := cm.ImportedFunctions()
	if len(fns) != 1 {
		t.Fatalf("%d imported functions", len(fns))
	}
	if mod, name, _ := fns[0].Import(); mod != "host" || name != "log" || len(fns[0].ParamTypes()) != 2 ||
		fns[0].ParamTypes()[1] != api.ValueTypeF32 || len(fns[0].ResultTypes()) != 0 {
		t.Errorf("function import %s.%s %v %v", mod, name, fns[0].ParamTypes(), fns[0].ResultTypes())
	}
	exp := cm.ExportedFunctions()
	if len(exp) != 3 {
		t.Fatalf("%d exported functions", len(exp))
	}
	for _, e := range []struct{ export, debug string }{{"dot", "first"}, {"dot2", "second"}} {
		d := exp[e.export]
		if d == nil {
			t.Fatalf("no export %q", e.export)
		}
		if d.Name() != e.debug {
			t.Errorf("export %s has debug name %q, want %q", e.export, d.Name(), e.debug)
		}
		pt, rt := d.ParamTypes(), d.ResultTypes()
		if len(pt) != 3 || pt[0] != api.ValueTypeI32 || len(rt) != 1 || rt[0] != api.ValueTypeF32 {
			t.Errorf("export %s: %v -> %v", e.export, pt, rt)
		}
	}
	if d := exp["log_again"]; d == nil || d.Index() != 0 {
		t.Errorf("re-exported import: %v", d)
	}
	if exp["dot"].Index() != 1 || exp["dot2"].Index() != 2 {
		t.Errorf("indices %d %d, want 1 2 (imports first)", exp["dot"].Index(), exp["dot2"].Index())
	}
}

func TestEncodeIsDeterministic(t *testing.T) {
	m := buildSample()
	b1 := encode(t, m)
	b2 := encode(t, m)
	b3 := encode(t, buildSample())
	if !bytes.Equal(b1, b2) || !bytes.Equal(b1, b3) {
		t.Fatal("same module, different bytes")
	}
	// The two functions share one type; the helper adds a second, the
	// import a third: three types.
	m = buildSample()
	m.Encode()
	if len(m.types) != 3 {
		t.Errorf("%d types, want 3 (identical signatures share one)", len(m.types))
	}
}

// Locals of one type are encoded as one run; wazero sees all of them.
func TestLocalsRuns(t *testing.T) {
	f := NewModule().Func("f", i32s(I32))
	for _, ty := range []ValType{V128, V128, V128, I32, F32, F32} {
		f.NewLocal(ty)
	}
	body := f.encodeBody()
	want := []byte{3, 3, byte(V128), 1, byte(I32), 2, byte(F32), 0x0b}
	if !bytes.Equal(body, want) {
		t.Errorf("body % x, want % x", body, want)
	}
}

// A shared memory needs a maximum and the threads feature; the flags byte
// says so.
func TestSharedMemoryImport(t *testing.T) {
	lim := Limits{Min: 1, Max: 16, HasMax: true, Shared: true}
	if got := appendLimits(nil, lim); !bytes.Equal(got, []byte{3, 1, 16}) {
		t.Errorf("shared limits encode as % x", got)
	}
	if got := appendLimits(nil, Limits{Min: 1}); !bytes.Equal(got, []byte{0, 1}) {
		t.Errorf("minimum-only limits encode as % x", got)
	}
	env := NewModule()
	env.DefineMemory(lim)
	env.ExportMemory("memory")
	user := NewModule()
	user.ImportMemory("env", "memory", lim)
	f := user.Func("size", nil, I32)
	f.Do(MemorySize())
	user.ExportFunc("size", f)

	ctx, r := newRuntime(t, api.CoreFeaturesV2|experimental.CoreFeaturesThreads)
	envBin, userBin := encode(t, env), encode(t, user)
	if _, err := r.InstantiateWithConfig(ctx, envBin, wazero.NewModuleConfig().WithName("env")); err != nil {
		t.Fatal(err)
	}
	mod, err := r.InstantiateWithConfig(ctx, userBin, wazero.NewModuleConfig().WithName("user"))
	if err != nil {
		t.Fatal(err)
	}
	if got := call(t, ctx, mod, "size")[0]; got != 1 {
		t.Errorf("size of the shared memory = %d pages", got)
	}
	// Without the threads feature the shared flag is refused.
	ctx2, r2 := newRuntime(t, api.CoreFeaturesV2)
	if _, err := r2.CompileModule(ctx2, userBin); err == nil {
		t.Error("wazero accepted a shared memory without the threads feature: is the flag written?")
	}
}
