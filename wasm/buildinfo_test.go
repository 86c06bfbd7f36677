package wasm_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/wasm"
)

// buildID writes the build info of inputs into dir and reads it back.
func buildID(t *testing.T, dir string, inputs ...string) string {
	t.Helper()
	if err := wasm.WriteBuildInfo(dir, inputs...); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(dir, wasm.BuildInfoFile))
	if err != nil {
		t.Fatal(err)
	}
	var info wasm.BuildInfo
	if err := json.Unmarshal(b, &info); err != nil {
		t.Fatalf("%s is not JSON: %v\n%s", wasm.BuildInfoFile, err, b)
	}
	if len(info.Build) != 16 {
		t.Fatalf("build id %q: want 16 hex digits", info.Build)
	}
	return info.Build
}

// The build id follows the served files: the same files give the same id,
// a changed or added file a new one; precompressed copies, the build info
// itself and missing inputs do not count.
func TestBuildInfoFollowsTheFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("app.wasm", "app one")
	write("index.html", "<!doctype html>")
	page := filepath.Join(dir, "index.html")
	missing := filepath.Join(dir, "no-such-file")

	first := buildID(t, dir, dir, page, missing)
	if again := buildID(t, dir, dir, page, missing); again != first {
		t.Fatalf("the same files give ids %s and %s", first, again)
	}
	write("app.wasm.br", "compressed")
	write("app.wasm.gz", "compressed")
	if id := buildID(t, dir, dir, page); id != first {
		t.Fatalf("precompressed copies changed the id: %s, was %s", id, first)
	}
	write("app.wasm", "app two")
	second := buildID(t, dir, dir, page)
	if second == first {
		t.Fatal("a changed file kept the build id")
	}
	write("extra.js", "export {}")
	third := buildID(t, dir, dir, page)
	if third == second {
		t.Fatal("an added file kept the build id")
	}
	// The same content under another name is another build.
	os.Remove(filepath.Join(dir, "extra.js"))
	write("other.js", "export {}")
	if id := buildID(t, dir, dir, page); id == second || id == third {
		t.Fatal("a renamed file kept the build id")
	}
}

// A build info that cannot be written is an error that names the file.
func TestBuildInfoUnwritable(t *testing.T) {
	dir := t.TempDir()
	err := wasm.WriteBuildInfo(filepath.Join(dir, "no-such-dir"), dir)
	if err == nil || !strings.Contains(err.Error(), wasm.BuildInfoFile) {
		t.Fatalf("writing into a missing folder: %v; want an error naming %s", err, wasm.BuildInfoFile)
	}
}
