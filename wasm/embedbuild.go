package wasm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// EmbedFile is the runtime of pages that embed Hearth (the module's
// ./wasm/embed, GOOS=js GOARCH=wasm): the action executor on the page's
// main thread, which web/embed/runtime.js loads with the engine's
// wasm_exec.js.
const EmbedFile = "embed.wasm"

// BuildEmbed builds the embed runtime (./wasm/embed, built from
// moduleRoot with goCmd) into dir/embed.wasm.
func BuildEmbed(goCmd, moduleRoot, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	build := exec.Command(goCmd, "build", "-trimpath", "-o", filepath.Join(dir, EmbedFile), "./wasm/embed")
	build.Dir = moduleRoot
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the embed runtime for js/wasm: %v\n%s", err, out)
	}
	return nil
}
