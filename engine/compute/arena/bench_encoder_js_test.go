//go:build js && wasm

package arena_test

import (
	"bytes"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

// BenchmarkJSEncodeSmolVLM256M is BenchmarkEncodeSmolVLM256M through the
// browser's glue under Node (the Go side compiled to wasm, the kernels a
// real kernels.wasm instance; node_arena.js runs a split's jobs one after
// another, so one thread):
//
//	GOOS=js GOARCH=wasm go test -c -o /tmp/arena_js.test ./engine/compute/arena
//	GOROOT_WASM=$(go env GOROOT)/lib/wasm node --stack-size=8192 \
//	    engine/compute/arena/testdata/node_arena.js kernels_wasm/kernels.wasm /tmp/arena_js.test \
//	    -test.run '^$' -test.bench JSEncodeSmolVLM256M -test.benchtime 1x
func BenchmarkJSEncodeSmolVLM256M(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.WriteMMProj(&buf, synth.SmolVLM256MMMProj()); err != nil {
		b.Fatal(err)
	}
	f, err := gguf.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		b.Fatal(err)
	}
	a, err := openJS(arena.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	tb := &timedBackend{Backend: a, spent: map[string]time.Duration{}}
	e, err := vision.Load(f, tb)
	if err != nil {
		b.Fatal(err)
	}
	defer e.Close()
	img := benchImage(e.Params.ImageSize)
	clear(tb.spent)
	for b.Loop() {
		if _, err := e.Encode(img); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/tile")
	b.Log(tb.report(b.Elapsed()))
}
