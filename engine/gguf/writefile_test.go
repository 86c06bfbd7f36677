package gguf

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

func TestWriteFile(t *testing.T) {
	w := NewWriter()
	if err := w.AddKV("general.name", "written"); err != nil {
		t.Fatal(err)
	}
	if err := w.AddTensor("t", dtype.F32, []int64{2}, make([]byte, 8)); err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	path := filepath.Join(dir, "out.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if name := f.Meta().String("general.name"); name != "written" || len(f.Tensors) != 1 {
		t.Fatalf("read back name %q and %d tensors", name, len(f.Tensors))
	}
	if st, err := os.Stat(path); err != nil || st.Mode().Perm() != 0o644 {
		t.Fatalf("mode %v, %v", st.Mode(), err)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 1 {
		t.Fatalf("%d files left in the folder, want only out.gguf", len(entries))
	}
	if err := w.WriteFile(filepath.Join(dir, "missing", "x.gguf")); err == nil {
		t.Fatal("writing into a missing folder succeeded")
	}
}
