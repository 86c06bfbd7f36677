// Package wasm is a small, typed WebAssembly binary emitter: enough of the
// core format (types, imports, functions, one memory, exports, code, names)
// and of SIMD128 to write compute kernels in Go and get a .wasm file out.
//
// A function body is built instruction by instruction, and every
// instruction is checked as it is added, with the validation algorithm of
// the WebAssembly specification: operand types on the stack, block nesting,
// branch targets and results. So a kernel that would not validate fails
// when it is generated, with the Go source line of the faulty call and the
// instruction named, instead of being rejected (or misbehaving) later in a
// browser.
//
//	m := wasm.NewModule()
//	m.ImportMemory("env", "memory", wasm.Limits{Min: 1})
//	f := m.Func("add", []wasm.ValType{wasm.I32, wasm.I32}, wasm.I32)
//	f.Do(wasm.LocalGet(f.Param(0)), wasm.LocalGet(f.Param(1)), wasm.I32Add)
//	m.ExportFunc("add", f)
//	bin, err := m.Encode()
//
// The package has no dependencies and emits the same bytes for the same
// calls on every machine: nothing depends on map order or addresses.
//
// Files follow the binary format: leb128.go (integers), types.go (value and
// function types, the type section), import.go, memory.go (limits, the
// memory section), export.go, code.go (function and code sections),
// names.go (the "name" custom section) and module.go (the builder, section
// order). func.go, control.go and check.go build and check bodies; instr.go
// encodes instructions, and ops.go, ops_control.go, ops_numeric.go,
// ops_memory.go, ops_lanes.go and ops_simd.go list them; ops_relaxed.go
// lists the relaxed-SIMD ones, which a module must enable
// (Module.EnableRelaxedSIMD).
package wasm
