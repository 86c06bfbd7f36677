package wasm

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// AppFile is the web app's program (web/app, GOOS=js GOARCH=wasm), which
// web/index.html runs on the page's main thread.
const AppFile = "app.wasm"

// BuildApp builds the web app (the module's ./web/app, built from
// moduleRoot with goCmd) into dir/app.wasm. The page also needs the
// engine's wasm_exec.js, which BuildAssets writes into web/engine.
func BuildApp(goCmd, moduleRoot, dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	build := exec.Command(goCmd, "build", "-trimpath", "-o", filepath.Join(dir, AppFile), "./web/app")
	build.Dir = moduleRoot
	build.Env = append(os.Environ(), "GOOS=js", "GOARCH=wasm")
	if out, err := build.CombinedOutput(); err != nil {
		return fmt.Errorf("building the web app for js/wasm: %v\n%s", err, out)
	}
	return nil
}
