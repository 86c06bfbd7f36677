//go:build !js

package model_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/arena/wazerodev"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
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
	dev, err := wazerodev.New(wazerodev.Options{Threads: 1, MaxPages: 4096})
	if err != nil {
		t.Fatal(err)
	}
	b, err := arena.New(dev, arena.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	fi, err := file.Stat()
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Read(file, fi.Size())
	if err != nil {
		t.Fatal(err)
	}
	m, err := model.Load(f, b)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if _, err := m.NewSession(model.SessionOptions{Context: 32, FlashAttention: true}); err == nil || !strings.Contains(err.Error(), "flash attention") {
		t.Fatalf("NewSession with FlashAttention on the arena: %v", err)
	}
	s, err := m.NewSession(model.SessionOptions{Context: 32})
	if err != nil {
		t.Fatalf("without FlashAttention: %v", err)
	}
	s.Close()
}
