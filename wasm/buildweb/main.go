// Command buildweb writes the browser engine's build products (engine.wasm,
// kernels.wasm, kernels_shared.wasm, wasm_exec.js) into a directory, by
// default web/engine, where web/engine/worker.js loads them. Run it from
// the module root:
//
//	go run ./wasm/buildweb [-o web/engine]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/hearth-ai/hearth/wasm"
)

func main() {
	out := flag.String("o", "web/engine", "output `directory`")
	goCmd := flag.String("go", "go", "the go command")
	flag.Parse()
	if err := wasm.BuildAssets(*goCmd, ".", *out); err != nil {
		fmt.Fprintln(os.Stderr, "buildweb:", err)
		os.Exit(1)
	}
}
