package main

import (
	"bytes"
	"crypto/rand"
	"io"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// text returns n bytes of compressible text.
func text(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "function hearth() { return 42; }\n"[i%33] + byte(i/2000)
	}
	return b
}

func writeFile(t *testing.T, path string, content []byte) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, content, 0o644); err != nil {
		t.Fatal(err)
	}
}

// decoded reads path+c.suffix back through the codec's decoder.
func decoded(t *testing.T, path string, c codec) []byte {
	t.Helper()
	f, err := os.Open(path + c.suffix)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r, err := c.decompress(f)
	if err != nil {
		t.Fatal(err)
	}
	b, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("%s%s: %v", path, c.suffix, err)
	}
	return b
}

func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

func modTime(t *testing.T, path string) time.Time {
	t.Helper()
	info, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return info.ModTime()
}

func TestTreeWritesCopies(t *testing.T) {
	dir := t.TempDir()
	big := map[string][]byte{
		"engine/engine.wasm": text(50000),
		"engine/worker.js":   text(3000),
		"index.html":         text(2000),
		"catalog.json":       text(1500),
		"style.css":          text(1200),
	}
	for name, b := range big {
		writeFile(t, filepath.Join(dir, name), b)
	}
	skipped := []string{
		"tiny.js",                           // below the minimum size
		"photo.png",                         // not a compressible type
		"model.gguf",                        // served by range, never compressed
		"node_modules/pkg/big.js",           // packages are not the app
		".cache/big.js",                     // hidden folder
		"engine/engine.wasm.gz.wasm.backup", // unknown extension
	}
	writeFile(t, filepath.Join(dir, "tiny.js"), text(100))
	for _, name := range skipped[1:] {
		writeFile(t, filepath.Join(dir, name), text(5000))
	}

	st, err := Tree(dir, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if st.Files != len(big) || st.Written != 2*len(big) || st.UpToDate != 0 {
		t.Errorf("stats %+v, want %d files and %d copies written", st, len(big), 2*len(big))
	}
	for name, want := range big {
		path := filepath.Join(dir, name)
		for _, c := range codecs {
			if got := decoded(t, path, c); !bytes.Equal(got, want) {
				t.Errorf("%s%s does not decode to the file", name, c.suffix)
			}
			if !modTime(t, path+c.suffix).Equal(modTime(t, path)) {
				t.Errorf("%s%s: time differs from the source's", name, c.suffix)
			}
			info, _ := os.Stat(path + c.suffix)
			if info.Size() >= int64(len(want)) {
				t.Errorf("%s%s: %d bytes, not smaller than %d", name, c.suffix, info.Size(), len(want))
			}
		}
	}
	for _, name := range skipped {
		for _, c := range codecs {
			if exists(filepath.Join(dir, name) + c.suffix) {
				t.Errorf("%s%s written, want none", name, c.suffix)
			}
		}
	}
	leftovers, _ := filepath.Glob(filepath.Join(dir, "engine", ".*.tmp"))
	if len(leftovers) != 0 {
		t.Errorf("temporary files left: %v", leftovers)
	}
}

func TestTreeKeepsCurrentCopies(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "engine.wasm")
	writeFile(t, path, text(20000))
	if _, err := Tree(dir, 1024); err != nil {
		t.Fatal(err)
	}
	gz := path + ".gz"

	// Nothing changed: nothing written.
	st, err := Tree(dir, 1024)
	if err != nil || st.Written != 0 || st.UpToDate != 2 {
		t.Fatalf("second run: %+v, %v", st, err)
	}

	// Rewritten with the same bytes (as make web-engine does): the copies
	// get the new time, not new content.
	later := modTime(t, path).Add(time.Hour)
	if err := os.Chtimes(path, later, later); err != nil {
		t.Fatal(err)
	}
	st, err = Tree(dir, 1024)
	if err != nil || st.Written != 0 {
		t.Fatalf("after touching the source: %+v, %v", st, err)
	}
	if !modTime(t, gz).Equal(later) {
		t.Errorf(".gz time %v, want the source's %v", modTime(t, gz), later)
	}

	// New content: new copies.
	changed := text(21000)
	writeFile(t, path, changed)
	evenLater := later.Add(time.Hour)
	if err := os.Chtimes(path, evenLater, evenLater); err != nil {
		t.Fatal(err)
	}
	st, err = Tree(dir, 1024)
	if err != nil || st.Written != 2 {
		t.Fatalf("after changing the source: %+v, %v", st, err)
	}
	for _, c := range codecs {
		if !bytes.Equal(decoded(t, path, c), changed) {
			t.Errorf("%s does not hold the new content", c.suffix)
		}
	}
}

func TestTreeSkipsIncompressible(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "noise.wasm")
	noise := make([]byte, 8000)
	rand.Read(noise)
	writeFile(t, path, noise)
	// A stale copy from an older, compressible version must go: the server
	// would ignore it, but it would also mislead.
	writeFile(t, path+".gz", []byte("old"))
	old := modTime(t, path).Add(-time.Hour)
	if err := os.Chtimes(path+".gz", old, old); err != nil {
		t.Fatal(err)
	}
	st, err := Tree(dir, 1024)
	if err != nil {
		t.Fatal(err)
	}
	if st.Written != 0 || st.Incompressible != 2 || exists(path+".gz") || exists(path+".br") {
		t.Errorf("random bytes: %+v, .gz exists %v, .br exists %v", st, exists(path+".gz"), exists(path+".br"))
	}
}

func TestTreeMissingFolder(t *testing.T) {
	if _, err := Tree(filepath.Join(t.TempDir(), "missing"), 1024); err == nil {
		t.Error("missing folder: no error")
	}
}
