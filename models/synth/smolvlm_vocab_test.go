package synth

import (
	"path/filepath"
	"testing"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/internal/testdata"
)

// The vocabulary has SmolVLM's size and its image tokens at the ids the
// real SmolVLM-Instruct tokenizer gives them (its processor config:
// image_token_id 49190; generation config: eos 49279), and a text model
// over it takes the vocabulary's 49280 rows and its chat template.
func TestWriteSmolVLMVocab(t *testing.T) {
	dir := t.TempDir()
	vocab := filepath.Join(dir, "smolvlm-vocab.gguf")
	if err := WriteSmolVLMVocab(vocab, filepath.Join(testdata.VocabDir(t), "ggml-vocab-starcoder.gguf")); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(vocab)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	raw, _ := f.Value("tokenizer.ggml.tokens")
	tokens := raw.([]string)
	if len(tokens) != 49280 {
		t.Fatalf("%d tokens, want 49280", len(tokens))
	}
	for id, want := range map[int]string{1: "<|im_start|>", 2: "<|im_end|>", 49152: "<global-img>", 49153: "<row_1_col_1>",
		49188: "<row_6_col_6>", 49189: "<fake_token_around_image>", 49190: "<image>", 49279: "<end_of_utterance>"} {
		if tokens[id] != want {
			t.Errorf("token %d is %q, want %q", id, tokens[id], want)
		}
	}
	if v, _ := f.Value("tokenizer.ggml.eos_token_id"); v != uint32(49279) {
		t.Errorf("eos is %v, want 49279", v)
	}
	if v, _ := f.Value("tokenizer.chat_template"); v != SmolVLMChatTemplate {
		t.Errorf("chat template %q", v)
	}
	types, _ := f.Value("tokenizer.ggml.token_type")
	if tt := types.([]int32); len(tt) != 49280 || tt[49190] != tokenTypeUserDefined || tt[100] != 1 {
		t.Errorf("token types: %d of them, <image> %d, id 100 %d", len(tt), tt[49190], tt[100])
	}

	// A text model written over it has one embedding row per token.
	model := filepath.Join(dir, "text.gguf")
	spec := SmolVLM256MText(vocab)
	spec.NLayer = 1 // the shape of one block is enough here
	if err := WriteFile(model, spec); err != nil {
		t.Fatal(err)
	}
	m, err := gguf.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	emb, ok := m.Tensor("token_embd.weight")
	if !ok || len(emb.Shape) != 2 || emb.Shape[0] != 576 || emb.Shape[1] != 49280 {
		t.Fatalf("token_embd.weight: %+v", emb)
	}
	if v, _ := m.Value("tokenizer.chat_template"); v != SmolVLMChatTemplate {
		t.Errorf("the text model's chat template is %q", v)
	}

	// A vocabulary of another size is refused, by name.
	if err := WriteSmolVLMVocab(filepath.Join(dir, "x.gguf"), filepath.Join(testdata.VocabDir(t), "ggml-vocab-qwen2.gguf")); err == nil {
		t.Fatal("a 151936-token vocabulary was accepted")
	}
}
