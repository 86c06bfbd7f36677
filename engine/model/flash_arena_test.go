//go:build !js

package model_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/models/synth"
)

// The arena backend has no flash attention for the text model: a session
// asking for it is refused with an error, not a panic in a pass.
func TestFlashAttentionRefusedOnArena(t *testing.T) {
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "llama.gguf")
	spec := synth.Spec{Arch: synth.Llama, VocabPath: vocab, NEmbd: 64, NFF: 128, NLayer: 1, NHead: 2, NHeadKV: 1, Type: dtype.F32, Seed: 5}
	if err := synth.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	b := newTestArena(t)
	defer b.Close()
	m, done := loadOn(t, path, b, model.LoadOptions{})
	defer done()
	if _, err := m.NewSession(model.SessionOptions{Context: 32, FlashAttention: true}); err == nil || !strings.Contains(err.Error(), "flash attention") {
		t.Fatalf("NewSession with FlashAttention on the arena: %v", err)
	}
	s, err := m.NewSession(model.SessionOptions{Context: 32})
	if err != nil {
		t.Fatalf("without FlashAttention: %v", err)
	}
	s.Close()
}
