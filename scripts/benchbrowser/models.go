package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

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

// graniteMoE is granite-3.1-1b-a400m's shape (synth.GraniteMoE1BA400M: 24
// layers, 1024 wide, 32 experts of 512, 8 used per token). The vocabulary
// is llama.cpp's refact one (49216 tokens), the nearest to the real model's
// 49155-token StarCoder-style BPE that llama.cpp's test set holds; its
// pre-tokenizer splits digits one by one, as the benchmark prompt needs.
func graniteMoE(t dtype.Type) synth.Spec {
	s := synth.GraniteMoE1BA400M("")
	s.Type = t
	return s
}

// graniteDenseActive is the dense counterpart of graniteMoE: the same
// architecture family (granite: same attention, multipliers, depth and
// width, tied embeddings) with one dense FFN 4096 wide, which is exactly
// the 8 used experts' worth (8 × 512). Its parameters equal the MoE's active
// ones per token but for the router (1024 × 32 per layer, 0.8 M in all, 0.2%
// of the active count), which a dense model has no use for; no other
// k-quant-compatible width comes closer (the next is 4352).
func graniteDenseActive(t dtype.Type) synth.Spec {
	m := graniteMoE(t)
	return synth.Spec{Arch: synth.Granite, NEmbd: m.NEmbd, NLayer: m.NLayer, NHead: m.NHead, NHeadKV: m.NHeadKV,
		NFF: m.NExpertUsed * m.NFFExp, NCtx: m.NCtx, RopeBase: m.RopeBase, RMSEps: m.RMSEps,
		TiedEmbeddings: m.TiedEmbeddings, Granite: m.Granite, Type: t, Seed: m.Seed}
}

// benchModels lists the files `make bench-models` writes.
func benchModels() []benchModel {
	const starcoder, qwen2, refact = "ggml-vocab-starcoder.gguf", "ggml-vocab-qwen2.gguf", "ggml-vocab-refact.gguf"
	return []benchModel{
		{"smollm2-135m-q8_0.gguf", starcoder, 49152, smolLM2(dtype.Q8_0)},
		{"smollm2-135m-q4_0.gguf", starcoder, 49152, smolLM2(dtype.Q4_0)},
		{"smollm2-135m-q4_k_m.gguf", starcoder, 49152, q4KM(smolLM2(dtype.Q4_K))},
		{"qwen2.5-0.5b-q4_k_m.gguf", qwen2, 151936, q4KM(qwen25(dtype.Q4_K))},
		{"granite-3.1-1b-a400m-q4_k_m.gguf", refact, 49216, q4KM(graniteMoE(dtype.Q4_K))},
		{"granite-3.1-1b-a400m-dense-active-q4_k_m.gguf", refact, 49216, q4KM(graniteDenseActive(dtype.Q4_K))},
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
//   - expert tensors (ffn_*_exps, 3-D) follow the same rules as the dense
//     FFN matrices whose names they contain: ffn_down_exps is an ffn_down,
//     its block read from its name; routers (ffn_gate_inp) stay F32, as
//     synth writes them. The rules that single out 8-expert models (Mixtral:
//     attn_k and attn_v to Q8_0, attn_output to Q5_K) do not apply to
//     granite's 32 experts;
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
		name, ffnWidth := func(kind string) string { return blk("ffn_" + kind) }, s.NFF
		if s.NExpert > 0 {
			name, ffnWidth = func(kind string) string { return blk("ffn_" + kind + "_exps") }, s.NFFExp
		}
		types[name("gate")] = rowFit(dtype.Q4_K, s.NEmbd)
		types[name("up")] = rowFit(dtype.Q4_K, s.NEmbd)
		types[name("down")] = rowFit(more, ffnWidth)
		if s.NFFShexp > 0 {
			types[blk("ffn_gate_shexp")] = rowFit(dtype.Q4_K, s.NEmbd)
			types[blk("ffn_up_shexp")] = rowFit(dtype.Q4_K, s.NEmbd)
			types[blk("ffn_down_shexp")] = rowFit(more, s.NFFShexp)
		}
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
// vocabularies from vocabDir. A file is skipped when it is current: its
// stamp (see modelStamp) matches what would be written and it has the size
// the stamp recorded. rewrite writes every file regardless. A non-empty
// only keeps the models whose file names contain one of its entries.
func writeBenchModels(vocabDir, outDir string, rewrite bool, only []string, log func(string)) error {
	if err := os.MkdirAll(outDir, 0o755); err != nil {
		return err
	}
	matched := false
	for _, m := range benchModels() {
		if !selected(m.File, only) {
			continue
		}
		matched = true
		vocab := filepath.Join(vocabDir, m.Vocab)
		if err := checkVocab(vocab, m.NVoc); err != nil {
			return err
		}
		m.Spec.VocabPath = vocab
		out := filepath.Join(outDir, m.File)
		stamp, err := modelStamp(m.Spec)
		if err != nil {
			return fmt.Errorf("%s: %w", m.File, err)
		}
		spec := m.Spec
		if err := writeStamped(out, stamp, rewrite, log, func(path string) error { return synth.WriteFile(path, spec) }); err != nil {
			return fmt.Errorf("%s: %w", m.File, err)
		}
	}
	// The vision pairs (visionmodels.go).
	pairs, err := writeBenchPairs(vocabDir, outDir, rewrite, only, log)
	if err != nil {
		return err
	}
	if !matched && !pairs {
		return fmt.Errorf("-only %q names none of the benchmark models", strings.Join(only, ","))
	}
	return nil
}

// selected reports whether file is one of the models only asks for (all
// when only is empty).
func selected(file string, only []string) bool {
	if len(only) == 0 {
		return true
	}
	for _, o := range only {
		if strings.Contains(file, o) {
			return true
		}
	}
	return false
}

// stampPath is where the stamp of a written model is kept.
func stampPath(model string) string { return model + ".stamp" }

// modelStamp fingerprints what a model file is made of: its Spec (shapes,
// types, seed) and the bytes of its vocabulary file. A change to synth's
// generator itself is not seen: -rewrite-models forces the files anew.
func modelStamp(spec synth.Spec) (string, error) {
	vocab, err := os.ReadFile(spec.VocabPath)
	if err != nil {
		return "", err
	}
	vh := sha256.Sum256(vocab)
	spec.VocabPath = hex.EncodeToString(vh[:])
	j, err := json.Marshal(spec)
	if err != nil {
		return "", err
	}
	h := sha256.Sum256(j)
	return hex.EncodeToString(h[:]), nil
}

// isCurrent reports whether the model at path was written from the spec
// that stamp fingerprints, and is still whole.
func isCurrent(path, stamp string) bool {
	b, err := os.ReadFile(stampPath(path))
	if err != nil {
		return false
	}
	var want string
	var size int64
	if _, err := fmt.Sscanf(string(b), "%s %d", &want, &size); err != nil || want != stamp {
		return false
	}
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular() && st.Size() == size
}
