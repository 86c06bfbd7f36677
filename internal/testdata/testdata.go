// Package testdata finds the shared test material: llama.cpp's vocabulary
// files and chat templates, which come inside the npm package
// node-llama-cpp@3.21.1 (the oracle) as a git bundle of the llama.cpp release
// it was built from. `make testdata` installs the package and extracts the
// bundle into build/llama.cpp; tests only read from there, so a plain clone
// needs nothing beyond what the repository installs.
package testdata

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
)

// RepoRoot is the folder holding go.mod, found by walking up from the
// working directory (go test runs in the package's folder).
func RepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("testdata: no go.mod above the working directory")
		}
		dir = parent
	}
}

// OracleDir is scripts/oracle, where the npm package is installed.
func OracleDir(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "scripts", "oracle")
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "node-llama-cpp", "package.json")); err != nil {
		t.Fatalf("testdata: node-llama-cpp is not installed in %s: run `make testdata`", dir)
	}
	return dir
}

var extractOnce sync.Once
var extractErr error

// LlamaCppDir returns build/llama.cpp, the llama.cpp source tree from the npm
// package's bundle, extracting it first if `make testdata` has not.
func LlamaCppDir(t testing.TB) string {
	t.Helper()
	root, err := RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(root, "build", "llama.cpp")
	extractOnce.Do(func() {
		if _, err := os.Stat(filepath.Join(dir, "models")); err == nil {
			return
		}
		bundle := filepath.Join(OracleDir(t), "node_modules", "node-llama-cpp", "llama", "gitRelease.bundle")
		out, err := exec.Command("git", "clone", "--quiet", bundle, dir).CombinedOutput()
		if err != nil {
			extractErr = fmt.Errorf("testdata: git clone %s: %v: %s", bundle, err, out)
		}
	})
	if extractErr != nil {
		t.Fatal(extractErr)
	}
	return dir
}

// VocabDir is llama.cpp's models/ folder: ggml-vocab-*.gguf with their .inp/.out cases.
func VocabDir(t testing.TB) string { return filepath.Join(LlamaCppDir(t), "models") }

// TemplatesDir is llama.cpp's models/templates/ folder of real chat templates.
func TemplatesDir(t testing.TB) string { return filepath.Join(LlamaCppDir(t), "models", "templates") }
