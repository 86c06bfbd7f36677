package main

import (
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
)

// testModel describes a tiny qwen2 model with a small SentencePiece
// vocabulary, written to a temporary file.
type testModel struct {
	arch    string     // general.architecture (default qwen2)
	typ     dtype.Type // matrices (default Q8_0)
	eosBias float32    // output.bias of the EOS token: large makes every step end
	ctx     int        // context_length (default 64)
}

const (
	vocabSize = 320
	bosID     = 1
	eosID     = 2
)

// write returns the path of the model file.
func (m testModel) write(t *testing.T) string {
	t.Helper()
	if m.arch == "" {
		m.arch = "qwen2"
	}
	if m.typ == 0 {
		m.typ = dtype.Q8_0
	}
	if m.ctx == 0 {
		m.ctx = 64
	}
	w := gguf.NewWriter()
	add := func(k string, v any) {
		if err := w.AddKV(k, v); err != nil {
			t.Fatal(err)
		}
	}
	tokens := make([]string, vocabSize)
	scores := make([]float32, vocabSize)
	types := make([]int32, vocabSize)
	tokens[0], tokens[1], tokens[2] = "<unk>", "<s>", "</s>"
	types[0], types[1], types[2] = 2, 3, 3
	for i := 3; i < 259; i++ {
		tokens[i], types[i] = fmt.Sprintf("<0x%02X>", i-3), 6
	}
	words := []string{"▁hello", "▁world", "▁the", "▁a", "llo", "▁he", "▁wor", "ld"}
	for i := 259; i < vocabSize; i++ {
		tokens[i], scores[i], types[i] = fmt.Sprintf("▁w%d", i), -float32(i), 1
		if j := i - 259; j < len(words) {
			tokens[i], scores[i] = words[j], float32(-j)
		}
	}
	a := m.arch
	add("general.architecture", a)
	add(a+".block_count", uint32(2))
	add(a+".embedding_length", uint32(64))
	add(a+".feed_forward_length", uint32(128))
	add(a+".attention.head_count", uint32(4))
	add(a+".attention.head_count_kv", uint32(2))
	add(a+".context_length", uint32(m.ctx))
	add(a+".attention.layer_norm_rms_epsilon", float32(1e-6))
	add(a+".rope.freq_base", float32(1e6))
	add("tokenizer.ggml.model", "llama")
	add("tokenizer.ggml.pre", "default")
	add("tokenizer.ggml.tokens", tokens)
	add("tokenizer.ggml.scores", scores)
	add("tokenizer.ggml.token_type", types)
	add("tokenizer.ggml.bos_token_id", uint32(bosID))
	add("tokenizer.ggml.eos_token_id", uint32(eosID))
	add("tokenizer.ggml.add_bos_token", true)

	rng := rand.New(rand.NewPCG(1, 2))
	tensor := func(name string, typ dtype.Type, scale, mean float32, shape ...int64) {
		n := int64(1)
		for _, d := range shape {
			n *= d
		}
		x := make([]float32, n)
		for i := range x {
			x[i] = mean + scale*float32(rng.NormFloat64())
		}
		if name == "output.bias" {
			x[eosID] = m.eosBias
		}
		rb, _ := typ.RowSize(shape[0])
		data := make([]byte, rb*(n/shape[0]))
		for r := int64(0); r < n/shape[0]; r++ {
			if err := quant.Quantize(typ, x[r*shape[0]:(r+1)*shape[0]], data[r*rb:(r+1)*rb]); err != nil {
				t.Fatal(err)
			}
		}
		if err := w.AddTensor(name, typ, shape, data); err != nil {
			t.Fatal(err)
		}
	}
	tensor("token_embd.weight", m.typ, 1, 0, 64, vocabSize)
	tensor("output_norm.weight", dtype.F32, 0.1, 1, 64)
	tensor("output.weight", m.typ, 0.125, 0, 64, vocabSize)
	tensor("output.bias", dtype.F32, 0, 0, vocabSize)
	for i := 0; i < 2; i++ {
		b := func(s string) string { return fmt.Sprintf("blk.%d.%s", i, s) }
		tensor(b("attn_norm.weight"), dtype.F32, 0.1, 1, 64)
		tensor(b("attn_q.weight"), m.typ, 0.125, 0, 64, 64)
		tensor(b("attn_k.weight"), m.typ, 0.125, 0, 64, 32)
		tensor(b("attn_v.weight"), m.typ, 0.125, 0, 64, 32)
		tensor(b("attn_q.bias"), dtype.F32, 0.1, 0, 64)
		tensor(b("attn_k.bias"), dtype.F32, 0.1, 0, 32)
		tensor(b("attn_v.bias"), dtype.F32, 0.1, 0, 32)
		tensor(b("attn_output.weight"), m.typ, 0.125, 0, 64, 64)
		tensor(b("ffn_norm.weight"), dtype.F32, 0.1, 1, 64)
		tensor(b("ffn_gate.weight"), m.typ, 0.125, 0, 64, 128)
		tensor(b("ffn_up.weight"), m.typ, 0.125, 0, 64, 128)
		tensor(b("ffn_down.weight"), m.typ, 0.09, 0, 128, 64)
	}
	path := filepath.Join(t.TempDir(), "model.gguf")
	if err := w.WriteFile(path); err != nil {
		t.Fatal(err)
	}
	return path
}
