// Command genkernels writes kernels.wasm, the kernel module Build gives;
// `go generate ./kernels_wasm/...` runs it.
//
//	go run ./internal/genkernels kernels.wasm
package main

import (
	"fmt"
	"os"
	"path/filepath"

	kernels "github.com/hearth-ai/hearth/kernels_wasm"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: genkernels OUTPUT.wasm")
		os.Exit(2)
	}
	if err := generate(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "genkernels:", err)
		os.Exit(1)
	}
}

// generate writes the module to a temporary file beside out and renames it
// into place, so a failed run never leaves a half-written kernels.wasm.
func generate(out string) error {
	bin, err := kernels.Build(kernels.Options{})
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(out), ".kernels-*.wasm")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(bin); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), out)
}
