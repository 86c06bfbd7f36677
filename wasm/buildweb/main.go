// Command buildweb writes the browser engine's build products (engine.wasm,
// kernels.wasm, kernels_shared.wasm, their relaxed-SIMD variants
// kernels_relaxed.wasm and kernels_relaxed_shared.wasm, wasm_exec.js) into a
// directory, by default web/engine, where web/engine/worker.js loads them;
// and the web app (web/app) as app.wasm into web/dist, where web/index.html
// loads it, with build.json, the build's id for the service worker (web/sw.js);
// and beside them the embed runtime (wasm/embed) as embed.wasm, which
// web/embed/runtime.js loads. Run it from the module root:
//
//	go run ./wasm/buildweb [-o web/engine] [-app web/dist]
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/hearth-ai/hearth/wasm"
)

func main() {
	out := flag.String("o", "web/engine", "output `directory`")
	appOut := flag.String("app", "web/dist", "output `directory` of the web app (\"\": do not build it)")
	goCmd := flag.String("go", "go", "the go command")
	flag.Parse()
	if err := wasm.BuildAssets(*goCmd, ".", *out); err != nil {
		fmt.Fprintln(os.Stderr, "buildweb:", err)
		os.Exit(1)
	}
	if *appOut == "" {
		return
	}
	if err := wasm.BuildApp(*goCmd, ".", *appOut); err != nil {
		fmt.Fprintln(os.Stderr, "buildweb:", err)
		os.Exit(1)
	}
	if err := wasm.BuildEmbed(*goCmd, ".", *appOut); err != nil {
		fmt.Fprintln(os.Stderr, "buildweb:", err)
		os.Exit(1)
	}
}
