//go:build !js

package arena_test

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/models/synth"
)

// heapDuring reports how many bytes the Go heap allocated while f ran
// (whether or not they are still live).
func heapDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// Loading a model streams its weights from the file into the arena: the Go
// heap sees a small fraction of the model's bytes (the header, tensor
// names, bookkeeping), where the reference backend, whose buffers are Go
// memory, allocates at least the whole model.
func TestLoadKeepsWeightsOutOfTheGoHeap(t *testing.T) {
	spec := synth.Spec{Arch: synth.Llama, NEmbd: 512, NLayer: 4, NHead: 8, NHeadKV: 4, NFF: 1536, Type: dtype.Q8_0, Seed: 3}
	path := synthModel(t, "llama-512-Q8_0", spec)
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	size := uint64(st.Size())
	b := newWasm(t, 1, arena.Options{})
	wasmHeap := heapDuring(func() { loadModel(t, path, b) })
	ref := compute.NewReference(1)
	defer ref.Close()
	refHeap := heapDuring(func() { loadModel(t, path, ref) })
	t.Logf("model file %d bytes; Go heap allocated during load: wasm backend %d, reference %d", size, wasmHeap, refHeap)
	if refHeap < size*9/10 {
		t.Fatalf("the reference allocated only %d bytes loading a %d-byte model: the measurement is broken", refHeap, size)
	}
	if wasmHeap > size/20 {
		t.Fatalf("loading a %d-byte model into the arena allocated %d bytes of Go heap", size, wasmHeap)
	}
}

// Load reads sections of a file through the file, nested sections too, and
// plain readers; short sources are errors that say how many bytes came.
func TestLoadSources(t *testing.T) {
	b := newWasm(t, 1, arena.Options{})
	data := make([]byte, 3*34*4) // a 3×128 Q8_0 tensor
	for i := range data {
		data[i] = byte(i*7 + 1)
	}
	// Valid Q8_0 scales are not needed: the bytes are only copied.
	file := filepath.Join(t.TempDir(), "blob")
	pad := []byte("0123456789")
	if err := os.WriteFile(file, append(append(pad, data...), pad...), 0o600); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()

	check := func(what string, load func(compute.Tensor) error) {
		t.Helper()
		w, err := b.Alloc(dtype.Q8_0, 3, 128)
		if err != nil {
			t.Fatal(err)
		}
		defer b.Free(w)
		if err := load(w); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		got := make([]byte, len(data))
		b.Device().Read(b.Offset(w), got)
		if !bytes.Equal(got, data) {
			t.Fatalf("%s: the arena holds other bytes than the source", what)
		}
	}
	check("section of a file", func(w compute.Tensor) error {
		return b.Load(w, io.NewSectionReader(f, int64(len(pad)), int64(len(data))))
	})
	check("section of a section", func(w compute.Tensor) error {
		outer := io.NewSectionReader(f, 2, int64(len(data)+len(pad)))
		return b.Load(w, io.NewSectionReader(outer, int64(len(pad)-2), int64(len(data))))
	})
	check("section read partway", func(w compute.Tensor) error {
		sr := io.NewSectionReader(f, int64(len(pad)-4), int64(len(data)+4))
		if _, err := io.ReadFull(sr, make([]byte, 4)); err != nil {
			return err
		}
		if err := b.Load(w, sr); err != nil {
			return err
		}
		if n, _ := sr.Read(make([]byte, 1)); n != 0 {
			t.Fatal("the section reader was not advanced past the tensor")
		}
		return nil
	})
	check("plain reader in small pieces", func(w compute.Tensor) error {
		return b.Load(w, iotest.OneByteReader(bytes.NewReader(data)))
	})
	check("LoadFrom", func(w compute.Tensor) error { return b.LoadFrom(w, f, int64(len(pad))) })

	w, err := b.Alloc(dtype.Q8_0, 3, 128)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		what string
		err  error
	}{
		{"short reader", b.Load(w, bytes.NewReader(data[:100]))},
		{"short section", b.Load(w, io.NewSectionReader(f, int64(len(pad)), 100))},
		{"section past the end of the file", b.Load(w, io.NewSectionReader(f, int64(len(pad)+50), int64(len(data))))},
		{"LoadFrom past the end", b.LoadFrom(w, f, int64(len(pad)+50))},
		{"LoadFrom at a negative position", b.LoadFrom(w, f, -1)},
	} {
		if c.err == nil {
			t.Fatalf("%s: no error", c.what)
		}
		if !strings.Contains(c.err.Error(), "Q8_0") {
			t.Fatalf("%s: error %q does not name the tensor", c.what, c.err)
		}
	}
}
