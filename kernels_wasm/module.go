package kernels

import (
	"github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Names of the exported kernels (see the package documentation for their
// signatures).
const (
	DotF32 = "dot_f32"
)

// MemoryImport is the module and field name under which kernels.wasm
// imports its memory.
const (
	MemoryImportModule = "env"
	MemoryImportName   = "memory"
)

// Options choose a variant of the kernel module.
type Options struct {
	// SharedMemory imports a shared memory (the threads proposal), for
	// several Web Workers running kernels on one arena. The imported
	// memory must then be shared too. kernels.wasm is the unshared build.
	SharedMemory bool
	// Relaxed uses the relaxed-SIMD proposal's integer dot products in
	// the quantized kernels where they are faster (relaxed_register.go),
	// with the same exports and bit-identical results. Engines without
	// relaxed SIMD refuse the module: load it only where
	// web/engine/features.js's hasRelaxedSimd() says yes (it validates
	// and runs a relaxed dot product).
	Relaxed bool
}

// importLimits accept any memory of the right kind: no minimum, and for a
// shared memory (which must declare a maximum) the largest one.
func importLimits(o Options) wasm.Limits {
	if o.SharedMemory {
		return wasm.Limits{Max: 65536, HasMax: true, Shared: true}
	}
	return wasm.Limits{}
}

// Build returns the kernel module's binary. Build(Options{}) is the content
// of kernels.wasm.
func Build(o Options) ([]byte, error) {
	m := wasm.NewModule()
	m.ImportMemory(MemoryImportModule, MemoryImportName, importLimits(o))
	m.ExportFunc(DotF32, defineDotF32(m))
	if o.Relaxed {
		m.EnableRelaxedSIMD()
		registerRelaxed(m)
	} else {
		registerBlock32(m)
		registerKAndFloat(m)
	}
	registerFloatOps(m)
	return m.Encode()
}

// MemoryModule returns a module that only defines a memory with limits l
// and exports it as "memory": instantiated under the name "env", it
// provides the memory kernels.wasm imports (wazero links imports to
// modules by name).
func MemoryModule(l wasm.Limits) ([]byte, error) {
	m := wasm.NewModule()
	m.DefineMemory(l)
	m.ExportMemory(MemoryImportName)
	return m.Encode()
}
