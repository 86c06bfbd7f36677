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
// engine's wasm_exec.js, which BuildAssets writes into web/engine. It
// also writes dir/build.json (WriteBuildInfo).
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
	// The build's id, for the service worker: the app and the shell's
	// files in web/ (with the engine's, when they are built there).
	web := filepath.Join(moduleRoot, "web")
	return WriteBuildInfo(dir, dir, filepath.Join(web, "index.html"), filepath.Join(web, "sw.js"),
		filepath.Join(web, "manifest.webmanifest"), filepath.Join(web, "icons"), filepath.Join(web, "engine"))
}
