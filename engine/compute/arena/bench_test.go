//go:build !js

package arena_test

import (
	"fmt"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/models/synth"
)

// smolLayers is SmolLM2-135M's layers (576 wide, 30 blocks, 9 heads over 3
// key/value heads, 1536-wide feed-forward) over the tests' 320-token
// vocabulary: the cost of the blocks without the 49152-row output.
func smolLayers(typ dtype.Type) synth.Spec {
	return synth.Spec{Arch: synth.Llama, NEmbd: 576, NLayer: 30, NHead: 9, NHeadKV: 3, NFF: 1536, Type: typ, Seed: 5, TiedEmbeddings: true}
}

// BenchmarkForward measures prefill (a 64-token prompt) and decode (one
// token after 64) on the reference backend (one thread) and on the wasm
// backend under wazero (one thread, and two):
//
//	go test ./engine/compute/arena -run '^$' -bench Forward -benchtime 20x
func BenchmarkForward(b *testing.B) {
	for _, typ := range []dtype.Type{dtype.Q8_0, dtype.Q4_0} { // 576 is no multiple of 256
		path := synthModel(b, "smol-layers-"+typ.String(), smolLayers(typ))
		for _, name := range []string{"reference", "wasm", "wasm-2threads"} {
			var back compute.Backend
			switch name {
			case "reference":
				back = compute.NewReference(1)
			case "wasm":
				back = newWasm(b, 1, arena.Options{})
			default:
				back = newWasm(b, 2, arena.Options{})
			}
			m := loadModel(b, path, back)
			prompt := make([]int32, 64)
			for i := range prompt {
				prompt[i] = int32(i*37+5) % 320
			}
			b.Run(fmt.Sprintf("%v/%s/prefill64", typ, name), func(b *testing.B) {
				s, err := m.NewSession(model.SessionOptions{Context: 128})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				for b.Loop() {
					s.Reset()
					if _, err := s.Forward(prompt); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(64*b.N)/b.Elapsed().Seconds(), "tok/s")
			})
			b.Run(fmt.Sprintf("%v/%s/decode", typ, name), func(b *testing.B) {
				s, err := m.NewSession(model.SessionOptions{Context: 128})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				if _, err := s.Forward(prompt); err != nil {
					b.Fatal(err)
				}
				ids := []int32{7}
				for b.Loop() {
					s.Truncate(64)
					if _, err := s.Forward(ids); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tok/s")
			})
			if c, ok := back.(interface{ Close() error }); ok && name == "reference" {
				c.Close()
			}
		}
	}
}
