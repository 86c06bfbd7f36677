package synth

import (
	"fmt"
	"slices"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// SmolVLMChatTemplate is SmolVLM-Instruct's chat template (transformers'
// SmolVLM processor, Apache-2.0), as its GGUF files carry it in
// tokenizer.chat_template.
const SmolVLMChatTemplate = "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"

// SmolVLMVocabSize is the number of tokens of SmolVLM-256M/500M-Instruct's
// vocabulary: SmolLM2's 49152 and 128 added by the Idefics3 processor.
const SmolVLMVocabSize = 49280

// SmolVLMAddedTokens lists the 128 tokens SmolVLM's tokenizer adds after
// SmolLM2's 49152, in id order from 49152: "<global-img>", the 36 tile
// markers "<row_R_col_C>" (R, C from 1 to 6), "<fake_token_around_image>",
// "<image>", 88 reserved placeholders and "<end_of_utterance>" (49279, the
// end of a turn). The markers are the ones llama.cpp's mtmd frames an
// idefics3 image with; the placeholders' texts are ours (they only fill
// the ids up to the real vocabulary's size).
func SmolVLMAddedTokens() []string {
	out := []string{"<global-img>"}
	for r := 1; r <= 6; r++ {
		for c := 1; c <= 6; c++ {
			out = append(out, fmt.Sprintf("<row_%d_col_%d>", r, c))
		}
	}
	out = append(out, "<fake_token_around_image>", "<image>")
	for i := 0; len(out) < SmolVLMVocabSize-49152-1; i++ {
		out = append(out, fmt.Sprintf("<|reserved_special_token_%d|>", i))
	}
	return append(out, "<end_of_utterance>")
}

// WriteSmolVLMVocab writes to dst a vocabulary shaped like SmolVLM's from
// src, a byte-level BPE vocabulary of 49152 tokens (llama.cpp's StarCoder
// test vocabulary is the nearest it ships to SmolLM2's, which it does not):
// ids 1 and 2 become SmolLM2's "<|im_start|>" and "<|im_end|>" (control
// tokens, as src's are), SmolVLMAddedTokens follow as user-defined tokens
// (matched wherever their text appears, as llama.cpp matches the markup
// it inserts around an image), tokenizer.ggml.eos_token_id is
// "<end_of_utterance>" and tokenizer.chat_template is SmolVLMChatTemplate.
// The BPE merges are src's, so ordinary text splits as src splits it.
func WriteSmolVLMVocab(dst, src string) error {
	f, err := gguf.Open(src)
	if err != nil {
		return fmt.Errorf("synth: vocabulary: %w", err)
	}
	defer f.Close()
	if v, _ := f.Value("tokenizer.ggml.model"); v != "gpt2" {
		return fmt.Errorf("synth: vocabulary %s: tokenizer.ggml.model is %v, want gpt2 (byte-level BPE)", src, v)
	}
	raw, _ := f.Value("tokenizer.ggml.tokens")
	tokens, ok := raw.([]string)
	if !ok || len(tokens) != 49152 {
		return fmt.Errorf("synth: vocabulary %s: %d tokens, want SmolLM2's 49152", src, len(tokens))
	}
	rawTypes, _ := f.Value("tokenizer.ggml.token_type")
	types, ok := rawTypes.([]int32)
	if !ok || len(types) != len(tokens) {
		return fmt.Errorf("synth: vocabulary %s: tokenizer.ggml.token_type is not an int32 per token", src)
	}
	const tokenTypeControl = 3
	if types[1] != tokenTypeControl || types[2] != tokenTypeControl {
		return fmt.Errorf("synth: vocabulary %s: ids 1 and 2 are not control tokens", src)
	}
	added := SmolVLMAddedTokens()
	tokens = append(slices.Clone(tokens), added...)
	tokens[1], tokens[2] = "<|im_start|>", "<|im_end|>"
	types = slices.Clone(types)
	for range added {
		types = append(types, tokenTypeUserDefined)
	}
	have := make(map[string]bool, len(tokens))
	for _, t := range tokens {
		if have[t] {
			return fmt.Errorf("synth: vocabulary %s: token %q would appear twice", src, t)
		}
		have[t] = true
	}

	w := gguf.NewWriter()
	put := func(key string, v any) error {
		if err := w.AddKV(key, v); err != nil {
			return fmt.Errorf("synth: vocabulary: %w", err)
		}
		return nil
	}
	for _, kv := range f.KVs {
		v := kv.Value
		switch kv.Key {
		case "tokenizer.ggml.tokens":
			v = tokens
		case "tokenizer.ggml.token_type":
			v = types
		case "tokenizer.ggml.scores":
			scores, ok := v.([]float32)
			if !ok || len(scores) != len(tokens)-len(added) {
				return fmt.Errorf("synth: vocabulary %s: tokenizer.ggml.scores is not a float32 per token", src)
			}
			v = append(slices.Clone(scores), make([]float32, len(added))...)
		case "tokenizer.ggml.eos_token_id", "tokenizer.chat_template":
			continue // written below
		}
		if err := put(kv.Key, v); err != nil {
			return err
		}
	}
	if err := put("tokenizer.ggml.eos_token_id", uint32(SmolVLMVocabSize-1)); err != nil {
		return err
	}
	if err := put("tokenizer.chat_template", SmolVLMChatTemplate); err != nil {
		return err
	}
	if err := w.WriteFile(dst); err != nil {
		return fmt.Errorf("synth: %w", err)
	}
	return nil
}
