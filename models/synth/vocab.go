package synth

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// WriteTinyVocab writes a small SentencePiece-style vocabulary GGUF to path:
// 320 tokens (<unk>, <s>, </s>, the 256 byte tokens, then "▁wN" words),
// BOS 1, EOS 2, add_bos true, plus any extra metadata. Tests whose models
// take token ids, not real text, use it instead of a 32k-token vocabulary.
func WriteTinyVocab(path string, extra ...gguf.KV) error {
	const n = 320
	tokens := make([]string, n)
	scores := make([]float32, n)
	types := make([]int32, n)
	tokens[0], tokens[1], tokens[2] = "<unk>", "<s>", "</s>"
	types[0], types[1], types[2] = 2, 3, 3 // unknown, control, control
	for i := 3; i < 259; i++ {
		tokens[i], types[i] = fmt.Sprintf("<0x%02X>", i-3), 6 // byte
	}
	for i := 259; i < n; i++ {
		tokens[i], scores[i], types[i] = fmt.Sprintf("▁w%d", i), -float32(i), 1 // normal
	}
	w := gguf.NewWriter()
	kvs := append([]gguf.KV{
		{Key: "general.architecture", Value: "llama"},
		{Key: "tokenizer.ggml.model", Value: "llama"},
		{Key: "tokenizer.ggml.pre", Value: "default"},
		{Key: "tokenizer.ggml.tokens", Value: tokens},
		{Key: "tokenizer.ggml.scores", Value: scores},
		{Key: "tokenizer.ggml.token_type", Value: types},
		{Key: "tokenizer.ggml.bos_token_id", Value: uint32(1)},
		{Key: "tokenizer.ggml.eos_token_id", Value: uint32(2)},
		{Key: "tokenizer.ggml.add_bos_token", Value: true},
	}, extra...)
	for _, kv := range kvs {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			return fmt.Errorf("synth: tiny vocabulary: %w", err)
		}
	}
	return w.WriteFile(path)
}
