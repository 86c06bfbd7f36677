//go:build js && wasm

package arena_test

import (
	"math"
	"os"
	"runtime"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/computetest"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
)

// These tests run only under testdata/node_arena.js (js_test.go starts
// them): the JSDevice against a real kernels.wasm instance through the
// imports the browser's glue provides.

func openJS(opt arena.Options) (*arena.Backend, error) {
	dev, err := arena.NewJSDevice()
	if err != nil {
		return nil, err
	}
	return arena.New(dev, opt)
}

// The conformance suite bit for bit as the kernels run it (MatMul in
// compute.OrderWasm), through the glue's kernel and memory imports.
func TestJSConformance(t *testing.T) {
	computetest.Run(t, func() compute.Backend {
		b, err := openJS(arena.Options{})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, computetest.Options{Order: compute.OrderWasm})
}

// A model loaded from a file the glue opened (a FileSource) streams its
// weights into the arena without the Go heap, and its kernels give the
// bits of the reference in compute.OrderWasm: the prompt's logits at every
// position and every greedy step's.
func TestJSModelFromFileSource(t *testing.T) {
	for _, c := range modelCases() {
		path := synthModel(t, c.name, c.spec)
		ref := compute.NewReferenceOrder(1, compute.OrderWasm)
		want, wantToks := run(t, loadModel(t, path, ref), c.steps)
		ref.Close()

		b, err := openJS(arena.Options{})
		if err != nil {
			t.Fatal(err)
		}
		fh, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		src, err := arena.OpenFileSource(uint32(fh.Fd()))
		if err != nil {
			t.Fatal(err)
		}
		f, err := gguf.Read(src, src.Size())
		if err != nil {
			t.Fatal(err)
		}
		var m *model.Model
		heap := heapDuring(func() {
			if m, err = model.Load(f, b); err != nil {
				t.Fatal(err)
			}
		})
		if heap > uint64(src.Size())/10 {
			t.Fatalf("%s: loading a %d-byte file allocated %d bytes of Go heap", c.name, src.Size(), heap)
		}
		got, gotToks := run(t, m, c.steps)
		fh.Close()
		for p := range want {
			for i := range want[p] {
				if math.Float32bits(got[p][i]) != math.Float32bits(want[p][i]) {
					t.Fatalf("%s: position %d logit %d = %v, reference in wasm order %v", c.name, p, i, got[p][i], want[p][i])
				}
			}
		}
		if !slices.Equal(gotToks, wantToks) {
			t.Fatalf("%s: greedy tokens %v, reference in wasm order %v", c.name, gotToks, wantToks)
		}
		t.Logf("%s: heap during load %d of %d bytes; %d positions' logits bit-exact with the reference in wasm order",
			c.name, heap, src.Size(), len(want))
		m.Close()
		b.Close()
	}
}

func heapDuring(f func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}
