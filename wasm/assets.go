// Package wasm builds Hearth's browser engine: the js/wasm Go program of
// wasm/engine, the four variants of kernels.wasm (unshared or shared
// memory, plain or relaxed SIMD) and Go's wasm_exec.js, which web/engine's
// glue loads. `go run ./wasm/buildweb` writes them into web/engine.
package wasm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	kernels "github.com/hearth-ai/hearth/kernels_wasm"
)

// Asset names in the output directory.
const (
	EngineFile        = "engine.wasm"         // the Go program (GOOS=js GOARCH=wasm)
	KernelsFile       = "kernels.wasm"        // kernels over an unshared memory
	KernelsSharedFile = "kernels_shared.wasm" // kernels over a shared memory (threads)
	WasmExecFile      = "wasm_exec.js"        // Go's JS support for js/wasm programs
)

// The kernels with relaxed-SIMD dot products, for engines that have them
// (web/engine/features.js picks one of the four kernel files).
const (
	KernelsRelaxedFile       = "kernels_relaxed.wasm"
	KernelsRelaxedSharedFile = "kernels_relaxed_shared.wasm"
)

// BuildAssets writes the engine's build products into dir: goCmd builds
// the engine package (the module's ./wasm/engine, built from moduleRoot).
func BuildAssets(goCmd, moduleRoot, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	build := exec.Command(goCmd, "build", "-trimpath", "-o", filepath.Join(dir, EngineFile), "./wasm/engine")
	build.Dir = moduleRoot
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the engine for js/wasm: %v\n%s", err, out)
	}
	for name, opt := range map[string]kernels.Options{
		KernelsFile: {}, KernelsSharedFile: {SharedMemory: true},
		KernelsRelaxedFile: {Relaxed: true}, KernelsRelaxedSharedFile: {Relaxed: true, SharedMemory: true},
	} {
		bin, err := kernels.Build(opt)
		if err != nil {
			return fmt.Errorf("building %s: %w", name, err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), bin, 0o644); err != nil {
			return err
		}
	}
	goroot, err := exec.Command(goCmd, "env", "GOROOT").Output()
	if err != nil {
		return fmt.Errorf("asking %s for GOROOT: %w", goCmd, err)
	}
	src := filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", WasmExecFile)
	b, err := os.ReadFile(src)
	if err != nil {
		return fmt.Errorf("reading Go's %s: %w", WasmExecFile, err)
	}
	return os.WriteFile(filepath.Join(dir, WasmExecFile), b, 0o644)
}
