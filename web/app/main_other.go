//go:build !(js && wasm)

package main

import (
	"fmt"
	"os"
)

// Outside the browser there is nothing to run: the app is built for
// js/wasm by `go run ./wasm/buildweb` (make web-engine) and served by
// `make run`.
func main() {
	fmt.Fprintln(os.Stderr, "the Hearth app runs in a browser: build it with `go run ./wasm/buildweb` and serve web/ with `make run`")
	os.Exit(2)
}
