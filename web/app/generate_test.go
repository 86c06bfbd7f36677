package main

import (
	"bufio"
	"bytes"
	"io/fs"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// The generated components are what `go generate` makes of the .vugu
// files today: the //go:generate lines of doc.go are run on a copy of the
// package (the .vugu files and the hand-written Go, which vugugen reads to
// see which types exist), and every *_gen.go file must come out as
// committed, with none missing and none extra.
func TestGeneratedCodeIsCurrent(t *testing.T) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal("the go command is needed to run go:generate's lines: ", err)
	}
	copyDir := t.TempDir()
	entries, err := os.ReadDir(".")
	if err != nil {
		t.Fatal(err)
	}
	var vugu int
	for _, e := range entries {
		name := e.Name()
		generated := strings.HasSuffix(name, "_gen.go")
		source := strings.HasSuffix(name, ".vugu") || strings.HasSuffix(name, ".go") && !generated && !strings.HasSuffix(name, "_test.go")
		if e.IsDir() || !source {
			continue
		}
		if strings.HasSuffix(name, ".vugu") {
			vugu++
		}
		b, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(copyDir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if vugu == 0 {
		t.Fatal("no .vugu files in the package")
	}

	directives := generateDirectives(t, "doc.go")
	if len(directives) == 0 {
		t.Fatal("doc.go has no //go:generate lines")
	}
	for _, args := range directives {
		if args[len(args)-1] != "." {
			t.Fatalf("the go:generate line %q does not end with the package folder \".\"", strings.Join(args, " "))
		}
		args[len(args)-1] = copyDir
		if args[0] == "go" {
			args[0] = goCmd
		}
		cmd := exec.Command(args[0], args[1:]...)
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("%s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}

	want := generatedFiles(t, ".")
	got := generatedFiles(t, copyDir)
	if !slices.Equal(slices.Sorted(maps.Keys(want)), slices.Sorted(maps.Keys(got))) {
		t.Fatalf("go generate writes %v, the package has %v: run go generate ./web/app/...", slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)))
	}
	if len(want) < vugu {
		t.Fatalf("%d generated files for %d .vugu files", len(want), vugu)
	}
	for name, b := range got {
		if !bytes.Equal(b, want[name]) {
			t.Errorf("%s is stale: run go generate ./web/app/...", name)
		}
	}
}

// generateDirectives returns the arguments of each //go:generate line of
// file.
func generateDirectives(t *testing.T, file string) [][]string {
	t.Helper()
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out [][]string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "//go:generate "); ok {
			out = append(out, strings.Fields(rest))
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

// generatedFiles reads the *_gen.go files of dir.
func generatedFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	files := map[string][]byte{}
	matches, err := fs.Glob(os.DirFS(dir), "*_gen.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range matches {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		files[name] = b
	}
	return files
}
