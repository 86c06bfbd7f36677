package synth

import (
	"fmt"
	"slices"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// tokenTypeUserDefined is llama.cpp's token type of an added token that is
// matched as a whole wherever its text appears.
const tokenTypeUserDefined = 4

// Idefics3Tokens lists the tokens llama.cpp's mtmd looks up by their text
// to frame an idefics3 (SmolVLM) image: "\n\n<fake_token_around_image>
// <global-img>" before the overview, "<fake_token_around_image>" after it,
// "<fake_token_around_image><row_R_col_C>" before each tile and "\n" after
// each row, for a grid of up to maxGrid×maxGrid tiles. A text vocabulary
// lacking them makes llama.cpp put an invalid token into the sequence.
func Idefics3Tokens(maxGrid int) []string {
	out := []string{"\n", "\n\n", "<fake_token_around_image>", "<global-img>"}
	for r := 1; r <= maxGrid; r++ {
		for c := 1; c <= maxGrid; c++ {
			out = append(out, fmt.Sprintf("<row_%d_col_%d>", r, c))
		}
	}
	return out
}

// WriteVocabWithTokens copies the vocabulary GGUF at src to dst with the
// given tokens appended as user-defined tokens (score 0), skipping any
// whose text the vocabulary already holds. A text model written over dst
// (Spec.VocabPath) has room for them in its embeddings.
func WriteVocabWithTokens(dst, src string, tokens ...string) error {
	f, err := gguf.Open(src)
	if err != nil {
		return fmt.Errorf("synth: vocabulary: %w", err)
	}
	defer f.Close()
	rawTokens, _ := f.Value("tokenizer.ggml.tokens")
	list, ok := rawTokens.([]string)
	if !ok || len(list) == 0 {
		return fmt.Errorf("synth: vocabulary %s has no tokenizer.ggml.tokens list", src)
	}
	list = slices.Clone(list)
	have := make(map[string]bool, len(list))
	for _, t := range list {
		have[t] = true
	}
	var added []string
	for _, t := range tokens {
		if t == "" {
			return fmt.Errorf("synth: cannot add an empty token")
		}
		if !have[t] {
			have[t] = true
			added = append(added, t)
		}
	}
	list = append(list, added...)

	w := gguf.NewWriter()
	for _, kv := range f.KVs {
		v := kv.Value
		switch kv.Key {
		case "tokenizer.ggml.tokens":
			v = list
		case "tokenizer.ggml.token_type":
			types, ok := v.([]int32)
			if !ok || len(types) != len(list)-len(added) {
				return fmt.Errorf("synth: vocabulary %s: tokenizer.ggml.token_type is not an int32 per token", src)
			}
			types = slices.Clone(types)
			for range added {
				types = append(types, tokenTypeUserDefined)
			}
			v = types
		case "tokenizer.ggml.scores":
			scores, ok := v.([]float32)
			if !ok || len(scores) != len(list)-len(added) {
				return fmt.Errorf("synth: vocabulary %s: tokenizer.ggml.scores is not a float32 per token", src)
			}
			v = append(slices.Clone(scores), make([]float32, len(added))...)
		}
		if err := w.AddKV(kv.Key, v); err != nil {
			return fmt.Errorf("synth: vocabulary: %w", err)
		}
	}
	if err := w.WriteFile(dst); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}

// WriteTinyVocabASCII writes a small SentencePiece-style vocabulary GGUF
// for vision pairs: the layout of WriteTinyVocab (320 tokens, <unk> <s>
// </s>, BOS 1, EOS 2, add_bos true) except that only the 128 ASCII bytes
// are byte tokens (ids 3–130), id 131 is "▁" (SentencePiece's space) and
// ids 132–258 are plain "▁bN" words, then the added tokens as user-defined
// ones. Every token so decodes to whole UTF-8: wllama's server fails a
// reply whose token text is a stray high byte, which a random model picks
// as readily as any other token. Text must be ASCII: other characters
// have no byte tokens to fall back on. add_space_prefix is false, so the
// text after an image tokenizes as written, with no "▁" put before it.
func WriteTinyVocabASCII(path string, added ...string) error {
	const n = 320
	var tokens []string
	var scores []float32
	var types []int32
	push := func(tok string, score float32, typ int32) {
		tokens, scores, types = append(tokens, tok), append(scores, score), append(types, typ)
	}
	push("<unk>", 0, 2)
	push("<s>", 0, 3)
	push("</s>", 0, 3)
	for b := 0; b < 128; b++ {
		push(fmt.Sprintf("<0x%02X>", b), 0, 6)
	}
	push("▁", 0, 1)
	for i := len(tokens); i < n; i++ {
		prefix := "▁w"
		if i < 259 {
			prefix = "▁b"
		}
		push(fmt.Sprintf("%s%d", prefix, i), -float32(i), 1)
	}
	have := make(map[string]bool, n)
	for _, t := range tokens {
		have[t] = true
	}
	for _, t := range added {
		if t == "" {
			return fmt.Errorf("synth: cannot add an empty token")
		}
		if !have[t] {
			have[t] = true
			push(t, 0, tokenTypeUserDefined)
		}
	}
	w := gguf.NewWriter()
	for _, kv := range []gguf.KV{
		{Key: "general.architecture", Value: "llama"},
		{Key: "tokenizer.ggml.model", Value: "llama"},
		{Key: "tokenizer.ggml.pre", Value: "default"},
		{Key: "tokenizer.ggml.tokens", Value: tokens},
		{Key: "tokenizer.ggml.scores", Value: scores},
		{Key: "tokenizer.ggml.token_type", Value: types},
		{Key: "tokenizer.ggml.bos_token_id", Value: uint32(1)},
		{Key: "tokenizer.ggml.eos_token_id", Value: uint32(2)},
		{Key: "tokenizer.ggml.add_bos_token", Value: true},
		{Key: "tokenizer.ggml.add_space_prefix", Value: false},
	} {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			return fmt.Errorf("synth: tiny vocabulary: %w", err)
		}
	}
	if err := w.WriteFile(path); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}
