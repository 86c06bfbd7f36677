package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/internal/testdata"
)

func TestWritesTheRequestedModel(t *testing.T) {
	vocab := filepath.Join(testdata.VocabDir(t), "ggml-vocab-llama-spm.gguf")
	out := filepath.Join(t.TempDir(), "m.gguf")
	err := run([]string{"-arch", "qwen3", "-vocab", vocab, "-type", "Q4_K", "-embd", "256", "-layers", "3",
		"-head-dim", "128", "-set", "output.weight=Q6_K", "-set", "blk.*.attn_v.weight=Q8_0", "-o", out})
	if err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := f.Meta()
	if m.Arch() != "qwen3" || m.ArchUint("block_count") != 3 || m.ArchUint("attention.key_length") != 128 {
		t.Errorf("metadata: arch %s, %d blocks, key length %d", m.Arch(), m.ArchUint("block_count"), m.ArchUint("attention.key_length"))
	}
	for name, want := range map[string]dtype.Type{"output.weight": dtype.Q6_K, "blk.2.attn_v.weight": dtype.Q8_0, "blk.2.attn_q.weight": dtype.Q4_K} {
		if info, ok := f.Tensor(name); !ok || info.Type != want {
			t.Errorf("%s: %v, want %v", name, info, want)
		}
	}
}

func TestBadArguments(t *testing.T) {
	vocab := filepath.Join(testdata.VocabDir(t), "ggml-vocab-llama-spm.gguf")
	out := filepath.Join(t.TempDir(), "m.gguf")
	for _, c := range []struct {
		args  []string
		wants string
	}{
		{[]string{"-vocab", vocab}, "required"},
		{[]string{"-vocab", vocab, "-o", out, "-type", "Q9_9"}, "unknown type"},
		{[]string{"-vocab", vocab, "-o", out, "-set", "output.weight"}, "tensor=TYPE"},
		{[]string{"-vocab", vocab, "-o", out, "-arch", "mamba"}, "unknown architecture"},
		{[]string{"-vocab", vocab, "-o", out, "extra"}, "unexpected"},
	} {
		if err := run(c.args); err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("run(%q) = %v, want an error mentioning %q", c.args, err, c.wants)
		}
	}
}
