package main

import (
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
)

// --flash-attn with --order wllama gives the logits of an in-process
// session with SessionOptions.FlashAttention on the reference backend in
// that order, which are not those without the flag.
func TestFlashAttnFlag(t *testing.T) {
	path := testModel{}.write(t)
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	b := compute.NewReferenceOrder(1, compute.OrderWllama)
	defer b.Close()
	m, err := model.Load(f, b)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	type logits struct {
		Tokens []int32
		Logits []float32
	}
	var plain, flash logits
	ok(t, &plain, "logits", "-m", path, "--tokens", "1,259,260,7", "--order", "wllama")
	ok(t, &flash, "logits", "-m", path, "--tokens", "1,259,260,7", "--order", "wllama", "--flash-attn")
	s, err := m.NewSession(model.SessionOptions{Context: 64, FlashAttention: true})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	want, err := s.Forward(flash.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(flash.Logits, want) {
		t.Fatal("logits --flash-attn differ from a session with FlashAttention")
	}
	if slices.Equal(flash.Logits, plain.Logits) {
		t.Fatal("logits --flash-attn gives the logits without it")
	}
}

// --flash-attn in an order without it ends with an error naming it, for
// logits and generate alike.
func TestFlashAttnFlagErrors(t *testing.T) {
	path := testModel{}.write(t)
	for _, args := range [][]string{
		{"logits", "-m", path, "--tokens", "1,259", "--flash-attn"},
		{"generate", "-m", path, "--tokens", "1,259", "-n", "2", "--flash-attn", "--order", "wasm"},
	} {
		stdout, stderr, code := runCLI(args...)
		if code == 0 || stdout != "" || !strings.Contains(stderr, "flash attention") || !strings.Contains(stderr, "wllama") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
}
