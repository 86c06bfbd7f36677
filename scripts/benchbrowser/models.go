package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/models/synth"
)

// benchModel is one synthetic model the browser benchmark runs on: real
// shapes and a real byte-level BPE vocabulary, random weights.
type benchModel struct {
	File  string // base name under the output directory
	Vocab string // vocabulary GGUF, relative to the vocabulary directory
	NVoc  int    // tokens that vocabulary must hold
	Spec  synth.Spec
}

// smolLM2 is SmolLM2-135M's shape. Its own vocabulary is not in llama.cpp's
// test set; StarCoder's is the same kind (byte-level BPE, 49152 tokens, and
// llama.cpp splits "starcoder" and "smollm" text with the same regex), so
// token counts and the size of the embedding and output matrices match.
func smolLM2(t dtype.Type) synth.Spec {
	return synth.Spec{Arch: synth.Llama, NEmbd: 576, NLayer: 30, NHead: 9, NHeadKV: 3, NFF: 1536,
		NCtx: 8192, RopeBase: 100000, TiedEmbeddings: true, Type: t, Seed: 1}
}

// qwen25 is Qwen2.5-0.5B's shape, with its own vocabulary (151936 tokens).
func qwen25(t dtype.Type) synth.Spec {
	return synth.Spec{Arch: synth.Qwen2, NEmbd: 896, NLayer: 24, NHead: 14, NHeadKV: 2, NFF: 4864,
		NCtx: 32768, TiedEmbeddings: true, Type: t, Seed: 1}
}

// benchModels lists the files `make bench-models` writes.
func benchModels() []benchModel {
	const starcoder, qwen2 = "ggml-vocab-starcoder.gguf", "ggml-vocab-qwen2.gguf"
	return []benchModel{
		{"smollm2-135m-q8_0.gguf", starcoder, 49152, smolLM2(dtype.Q8_0)},
		{"smollm2-135m-q4_0.gguf", starcoder, 49152, smolLM2(dtype.Q4_0)},
		{"smollm2-135m-q4_k_m.gguf", starcoder, 49152, q4KM(smolLM2(dtype.Q4_K))},
		{"qwen2.5-0.5b-q4_k_m.gguf", qwen2, 151936, q4KM(qwen25(dtype.Q4_K))},
	}
}

// q4KM gives a spec the per-tensor types llama-quantize picks for a Q4_K_M
// file (its llama_tensor_get_type rules, restated):
//
//   - the output matrix, and the token embeddings when tied to it, get Q6_K;
//     if their rows do not split into 256-wide k-quant blocks they get Q8_0;
//   - attn_v and ffn_down get Q6_K in the first and last eighth of the blocks
//     and in every third block between (useMoreBits), Q4_K elsewhere;
//   - everything else gets Q4_K;
//   - then any matrix whose rows are not a multiple of 256 falls back to a
//     32-wide type: Q4_K to Q5_0, Q6_K to Q8_0.
//
// The fallback matters for both benchmark shapes: 576 and 896 are not
// multiples of 256, so a real SmolLM2-135M or Qwen2.5-0.5B "Q4_K_M" file is
// mostly Q5_0, with k-quants only on ffn_down (rows of 1536 or 4864).
func q4KM(s synth.Spec) synth.Spec {
	headDim := s.HeadDim
	if headDim == 0 {
		headDim = s.NEmbd / s.NHead
	}
	rowFit := func(t dtype.Type, row int) dtype.Type {
		if row%256 == 0 {
			return t
		}
		switch t {
		case dtype.Q4_K:
			return dtype.Q5_0
		case dtype.Q6_K:
			return dtype.Q8_0
		}
		return t
	}
	types := map[string]dtype.Type{}
	outType := dtype.Q6_K
	if s.NEmbd%256 != 0 {
		outType = dtype.Q8_0
	}
	if s.TiedEmbeddings {
		types["token_embd.weight"] = outType
	} else {
		types["token_embd.weight"] = rowFit(dtype.Q4_K, s.NEmbd)
		types["output.weight"] = outType
	}
	for i := 0; i < s.NLayer; i++ {
		blk := func(name string) string { return "blk." + strconv.Itoa(i) + "." + name + ".weight" }
		more := dtype.Q4_K
		if useMoreBits(i, s.NLayer) {
			more = dtype.Q6_K
		}
		types[blk("attn_q")] = rowFit(dtype.Q4_K, s.NEmbd)
		types[blk("attn_k")] = rowFit(dtype.Q4_K, s.NEmbd)
		types[blk("attn_v")] = rowFit(more, s.NEmbd)
		types[blk("attn_output")] = rowFit(dtype.Q4_K, headDim*s.NHead)
		types[blk("ffn_gate")] = rowFit(dtype.Q4_K, s.NEmbd)
		types[blk("ffn_up")] = rowFit(dtype.Q4_K, s.NEmbd)
		types[blk("ffn_down")] = rowFit(more, s.NFF)
	}
	s.Types = types
	return s
}

// useMoreBits is llama-quantize's choice of the blocks that get more bits in
// the _M mixes: the first and last eighth, and every third block between.
func useMoreBits(layer, nLayer int) bool {
	return layer < nLayer/8 || layer >= 7*nLayer/8 || (layer-nLayer/8)%3 == 2
}

// checkVocab makes sure a vocabulary file is byte-level BPE ("gpt2" in
// llama.cpp's terms, as SmolLM2's and Qwen2.5's are) with the expected size:
// the benchmark prompt's token count depends on it.
func checkVocab(path string, nTokens int) error {
	f, err := gguf.Open(path)
	if err != nil {
		return fmt.Errorf("vocabulary %s: %w", path, err)
	}
	defer f.Close()
	if v, _ := f.Value("tokenizer.ggml.model"); v != "gpt2" {
		return fmt.Errorf("vocabulary %s: tokenizer.ggml.model is %v, want gpt2 (byte-level BPE)", path, v)
	}
	v, _ := f.Value("tokenizer.ggml.tokens")
	toks, ok := v.([]string)
	if !ok || len(toks) != nTokens {
		return fmt.Errorf("vocabulary %s: %d tokens, want %d", path, len(toks), nTokens)
	}
	return nil
}

// writeBenchModels writes every benchmark model into outDir, taking the
// vocabularies from vocabDir. Files already there are rewritten: the seed
// makes them identical anyway.
func writeBenchModels(vocabDir, outDir string, log func(string)) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	for _, m := range benchModels() {
		vocab := filepath.Join(vocabDir, m.Vocab)
		if err := checkVocab(vocab, m.NVoc); err != nil {
			return err
		}
		m.Spec.VocabPath = vocab
		out := filepath.Join(outDir, m.File)
		if err := synth.WriteFile(out, m.Spec); err != nil {
			return fmt.Errorf("%s: %w", m.File, err)
		}
		st, err := os.Stat(out)
		if err != nil {
			return err
		}
		log(fmt.Sprintf("wrote %s (%d bytes)", out, st.Size()))
	}
	return nil
}
