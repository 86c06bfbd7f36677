//go:build !js

package arena_test

import (
	"bytes"
	"fmt"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

// BenchmarkEncodeSmolVLM256M encodes one 512-px tile with SmolVLM-256M's
// mmproj shape (SigLIP-B/16, 12 blocks 768 wide, 12 heads, Q8_0, flash
// attention) on the wasm backend under wazero, one thread and two, and
// reports where the time goes: seconds per tile and each backend
// operation's share (MatMul, SelfAttention, LayerNorm, GELU, Add, and
// Write/Read for the im2col upload and the pixel shuffle):
//
//	go test ./engine/compute/arena -run '^$' -bench EncodeSmolVLM256M -benchtime 1x
func BenchmarkEncodeSmolVLM256M(b *testing.B) {
	var buf bytes.Buffer
	if err := synth.WriteMMProj(&buf, synth.SmolVLM256MMMProj()); err != nil {
		b.Fatal(err)
	}
	f, err := gguf.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		b.Fatal(err)
	}
	for _, threads := range []int{1, 2} {
		b.Run(fmt.Sprintf("wasm-%dthreads", threads), func(b *testing.B) {
			tb := &timedBackend{Backend: newWasm(b, threads, arena.Options{}), spent: map[string]time.Duration{}}
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
		})
	}
}
