//go:build js && wasm

package arena_test

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
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
	f := smolVLMMMProj(b)
	a, err := openJS(arena.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer a.Close()
	benchEncode(b, a, f)
}
