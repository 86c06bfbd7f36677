//go:build !js

package wasm_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/wasm"
)

// built holds the engine's build products, made once per test binary: the
// Node test and the browser test both run them.
var built struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// engineAssets builds engine.wasm, the kernels and wasm_exec.js (once) and
// returns their directory, which also holds web/engine's JS glue, so that
// it can be served as the browser's /engine/.
func engineAssets(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			built.err = err
			return
		}
		root, err := testdata.RepoRoot()
		if err != nil {
			built.err = err
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "hearth-engine-"); built.err != nil {
			return
		}
		if built.err = wasm.BuildAssets(goCmd, root, built.dir); built.err != nil {
			return
		}
		glue, _ := filepath.Glob(filepath.Join(root, "web", "engine", "*.js"))
		if len(glue) == 0 {
			built.err = fmt.Errorf("no JS glue in %s", filepath.Join(root, "web", "engine"))
			return
		}
		for _, src := range glue {
			if filepath.Base(src) == wasm.WasmExecFile {
				continue // built from this Go's lib/wasm above
			}
			b, err := os.ReadFile(src)
			if err != nil {
				built.err = err
				return
			}
			if built.err = os.WriteFile(filepath.Join(built.dir, filepath.Base(src)), b, 0o644); built.err != nil {
				return
			}
		}
	})
	if built.err != nil {
		t.Fatal("building the browser engine: ", built.err)
	}
	return built.dir
}

// nodeAndCLI finds node and builds the hearth CLI (the native truth the
// engine under Node is compared with) into a fresh folder, which it also
// returns for the test's files.
func nodeAndCLI(t *testing.T) (node, cli, dir string) {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is needed to run the browser engine: ", err)
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go command is needed to build the browser engine: ", err)
	}
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir = t.TempDir()
	cli = filepath.Join(dir, "hearth")
	build := exec.Command(goCmd, "build", "-o", cli, "./engine/cmd/hearth")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building hearth: %v\n%s", err, out)
	}
	return node, cli, dir
}
