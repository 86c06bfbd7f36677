//go:build js && wasm

package arena_test

import (
	"math"
	"os"
	"runtime"
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

// The conformance suite bit for bit (MatMul in the reference's order; the
// rest through the kernels and the glue's memory imports).
func TestJSConformance(t *testing.T) {
	computetest.Run(t, func() compute.Backend {
		b, err := openJS(arena.Options{ReferenceMatMul: always})
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, computetest.Options{})
}

// A model loaded from a file the glue opened (a FileSource) streams its
// weights into the arena without the Go heap, and computes the reference's
// bits (MatMul in the reference's order); with the kernels' MatMul its
// logits stay close.
func TestJSModelFromFileSource(t *testing.T) {
	for _, typ := range modelTypes {
		path := synthModel(t, "llama-"+typ.String(), smallLlama(typ))
		ref := compute.NewReference(1)
		want, _ := run(t, loadModel(t, path, ref), 3)
		ref.Close()

		for _, refMatMul := range []bool{true, false} {
			opt := arena.Options{}
			if refMatMul {
				opt.ReferenceMatMul = always
			}
			b, err := openJS(opt)
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
				t.Fatalf("%v: loading a %d-byte file allocated %d bytes of Go heap", typ, src.Size(), heap)
			}
			got, _ := run(t, m, 3)
			fh.Close()
			d, s := logitDiff(got, want)
			t.Logf("%v (reference matmul %v): heap during load %d of %d bytes; logits differ by up to %.3g (largest %.3g)", typ, refMatMul, heap, src.Size(), d, s)
			if refMatMul && d != 0 {
				t.Fatalf("%v: logits differ from the reference by %.3g", typ, d)
			}
			if d > 2e-2*s || math.IsNaN(d) {
				t.Fatalf("%v: logits differ from the reference by %.3g", typ, d)
			}
			m.Close()
			b.Close()
		}
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
