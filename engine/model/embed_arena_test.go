//go:build !js

package model_test

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/models/synth"
)

// On both backends (the reference, and the arena over kernels.wasm run by
// wazero), a prompt whose middle chunk goes in as its tokens' embeddings
// gives the bits of the same chunks as token ids, then the same greedy
// steps; and the arena agrees with the reference in the wasm order.
func TestEmbeddingsMatchTokensOnBothBackends(t *testing.T) {
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "llama.gguf")
	spec := synth.Spec{Arch: synth.Llama, VocabPath: vocab, NEmbd: 256, NFF: 512, NLayer: 2, NHead: 4, NHeadKV: 2, Type: dtype.Q8_0, Seed: 21}
	if err := synth.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	backends := map[string]func() compute.Backend{
		"reference-wasm-order": func() compute.Backend { return compute.NewReferenceOrder(1, compute.OrderWasm) },
		"arena":                func() compute.Backend { return newTestArena(t) },
	}
	results := map[string][][]float32{}
	for name, newBackend := range backends {
		b := newBackend()
		ids := chunkedRun(t, path, b, false)
		embd := chunkedRun(t, path, b, true)
		b.Close()
		for i := range ids {
			if !slices.Equal(ids[i], embd[i]) {
				t.Fatalf("%s: logits %d differ between ids and their embeddings", name, i)
			}
		}
		results[name] = embd
	}
	for i, want := range results["reference-wasm-order"] {
		if !slices.Equal(results["arena"][i], want) {
			t.Fatalf("logits %d: the arena's bits differ from the reference's in wasm order", i)
		}
	}
}

// chunkedRun loads path on b and evaluates a BOS chunk, a 9-token chunk
// (as embeddings when embedded; longer than the batch of 4) and a text
// chunk, then three greedy steps; it returns the logits after each.
func chunkedRun(t *testing.T, path string, b compute.Backend, embedded bool) [][]float32 {
	t.Helper()
	m, done := loadOn(t, path, b, model.LoadOptions{})
	defer done()
	s, err := m.NewSession(model.SessionOptions{Context: 64, Batch: 4})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	chunks := [][]int32{{1}, {7, 23, 4, 49, 0, 12, 33, 18, 260}, {301, 5, 9}}
	var out [][]float32
	for i, ids := range chunks {
		var l []float32
		if embedded && i == 1 {
			e, err := m.TokenEmbeddings(ids)
			if err != nil {
				t.Fatal(err)
			}
			l, err = s.ForwardEmbeddings(e, len(ids))
			if err != nil {
				t.Fatal(err)
			}
		} else if l, err = s.Forward(ids); err != nil {
			t.Fatal(err)
		}
		out = append(out, slices.Clone(l))
	}
	for range 3 {
		last := out[len(out)-1]
		l, err := s.Forward([]int32{int32(slices.Index(last, slices.Max(last)))})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, slices.Clone(l))
	}
	return out
}
