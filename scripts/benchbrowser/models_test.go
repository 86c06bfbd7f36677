package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/tokenizer"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// The blocks llama-quantize gives more bits in a Q4_K_M file, worked out by
// hand from its rule (first eighth, last eighth, every third between):
// 30 blocks: n/8 = 3, 7n/8 = 26; 24 blocks: n/8 = 3, 7n/8 = 21.
var moreBitsBlocks = map[int][]int{
	30: {0, 1, 2, 5, 8, 11, 14, 17, 20, 23, 26, 27, 28, 29},
	24: {0, 1, 2, 5, 8, 11, 14, 17, 20, 21, 22, 23},
}

func TestQ4KMFollowsLlamaQuantizeForRowsThatAreNotMultiplesOf256(t *testing.T) {
	// Rows of 576 (SmolLM2) and 896 (Qwen2.5) do not split into 256-wide
	// k-quant blocks: Q4_K falls back to Q5_0, Q6_K to Q8_0, and the tied
	// embeddings take Q8_0; only ffn_down (rows of 1536 and 4864) keeps
	// k-quants.
	for _, s := range []synth.Spec{q4KM(smolLM2(dtype.Q4_K)), q4KM(qwen25(dtype.Q4_K))} {
		more := map[int]bool{}
		for _, b := range moreBitsBlocks[s.NLayer] {
			more[b] = true
		}
		want := map[string]dtype.Type{"token_embd.weight": dtype.Q8_0}
		for i := 0; i < s.NLayer; i++ {
			for _, n := range []string{"attn_q", "attn_k", "attn_output", "ffn_gate", "ffn_up"} {
				want[fmt.Sprintf("blk.%d.%s.weight", i, n)] = dtype.Q5_0
			}
			want[fmt.Sprintf("blk.%d.attn_v.weight", i)] = map[bool]dtype.Type{true: dtype.Q8_0, false: dtype.Q5_0}[more[i]]
			want[fmt.Sprintf("blk.%d.ffn_down.weight", i)] = map[bool]dtype.Type{true: dtype.Q6_K, false: dtype.Q4_K}[more[i]]
		}
		if len(s.Types) != len(want) {
			t.Errorf("%s: %d per-tensor types, want %d", s.Arch, len(s.Types), len(want))
		}
		for name, w := range want {
			if got := s.Types[name]; got != w {
				t.Errorf("%s %s: %v, want %v", s.Arch, name, got, w)
			}
		}
	}
}

func TestQ4KMGivesAnUntiedOutputQ6K(t *testing.T) {
	s := smolLM2(dtype.Q4_K)
	s.NEmbd, s.NHead, s.TiedEmbeddings = 512, 8, false
	s = q4KM(s)
	for name, want := range map[string]dtype.Type{
		"output.weight": dtype.Q6_K, "token_embd.weight": dtype.Q4_K, "blk.3.attn_q.weight": dtype.Q4_K, "blk.0.attn_v.weight": dtype.Q6_K,
	} {
		if got := s.Types[name]; got != want {
			t.Errorf("%s: %v, want %v", name, got, want)
		}
	}
}

func TestBenchModelWritesWithItsMixedTypes(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 105 MB model")
	}
	var m benchModel
	for _, b := range benchModels() {
		if b.File == "smollm2-135m-q4_k_m.gguf" {
			m = b
		}
	}
	vocab := filepath.Join(testdata.VocabDir(t), m.Vocab)
	if err := checkVocab(vocab, m.NVoc); err != nil {
		t.Fatal(err)
	}
	m.Spec.VocabPath = vocab
	out := filepath.Join(t.TempDir(), m.File)
	start := time.Now()
	if err := synth.WriteFile(out, m.Spec); err != nil {
		t.Fatal(err)
	}
	t.Logf("wrote %s in %v", m.File, time.Since(start))
	f, err := gguf.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	counts := map[dtype.Type]int{}
	for _, ti := range f.Tensors {
		counts[ti.Type]++
	}
	// 30 blocks × 5 Q5_0 matrices + 16 Q5_0 attn_v; 14 Q8_0 attn_v + the
	// embeddings; 14 Q6_K and 16 Q4_K ffn_down; 61 F32 norms.
	want := map[dtype.Type]int{dtype.Q5_0: 166, dtype.Q8_0: 15, dtype.Q6_K: 14, dtype.Q4_K: 16, dtype.F32: 61}
	if fmt.Sprint(counts) != fmt.Sprint(want) {
		t.Errorf("tensor types %v, want %v", counts, want)
	}
	if _, ok := f.Tensor("output.weight"); ok {
		t.Error("the tied model has an output.weight")
	}
}

func TestCheckVocabRefusesOtherTokenizers(t *testing.T) {
	dir := testdata.VocabDir(t)
	if err := checkVocab(filepath.Join(dir, "ggml-vocab-llama-spm.gguf"), 32000); err == nil || !strings.Contains(err.Error(), "gpt2") {
		t.Errorf("SentencePiece vocabulary: %v, want an error naming gpt2", err)
	}
	if err := checkVocab(filepath.Join(dir, "ggml-vocab-qwen2.gguf"), 49152); err == nil || !strings.Contains(err.Error(), "151936 tokens, want 49152") {
		t.Errorf("wrong size: %v, want an error naming both sizes", err)
	}
	if err := checkVocab(filepath.Join(dir, "no-such.gguf"), 1); err == nil {
		t.Error("a missing file passed")
	}
}

func TestBenchmarkPromptIsOneTokenPerCharacter(t *testing.T) {
	p := benchmarkPrompt(128)
	if len(p) != 128 || strings.Trim(p, "0123456789") != "" {
		t.Fatalf("prompt %q: want 128 digits", p)
	}
	for _, d := range "0123456789" {
		if !strings.ContainsRune(p, d) {
			t.Errorf("prompt %q never uses %c", p, d)
		}
	}
	for _, m := range benchModels() {
		f, err := gguf.Open(filepath.Join(testdata.VocabDir(t), m.Vocab))
		if err != nil {
			t.Fatal(err)
		}
		tok, err := tokenizer.FromGGUF(f)
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		if ids := tok.Encode(p, true, false); len(ids) != 128 {
			t.Errorf("%s (%s): %d tokens, want 128", m.Vocab, m.File, len(ids))
		}
	}
}

func TestStampSaysWhenAModelIsCurrent(t *testing.T) {
	spec := smolLM2(dtype.Q8_0)
	spec.VocabPath = filepath.Join(testdata.VocabDir(t), "ggml-vocab-starcoder.gguf")
	stamp, err := modelStamp(spec)
	if err != nil {
		t.Fatal(err)
	}
	model := filepath.Join(t.TempDir(), "m.gguf")
	if isCurrent(model, stamp) {
		t.Fatal("a missing model is current")
	}
	if err := os.WriteFile(model, make([]byte, 1000), 0o644); err != nil {
		t.Fatal(err)
	}
	if isCurrent(model, stamp) {
		t.Fatal("a model without a stamp is current")
	}
	if err := os.WriteFile(stampPath(model), []byte(stamp+" 1000\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if !isCurrent(model, stamp) {
		t.Fatal("a model whose stamp matches is not current")
	}
	for name, change := range map[string]func(*synth.Spec){
		"type":  func(s *synth.Spec) { s.Type = dtype.Q4_0 },
		"seed":  func(s *synth.Spec) { s.Seed++ },
		"types": func(s *synth.Spec) { *s = q4KM(*s) },
		"vocab": func(s *synth.Spec) { s.VocabPath = filepath.Join(testdata.VocabDir(t), "ggml-vocab-refact.gguf") },
	} {
		s := spec
		change(&s)
		other, err := modelStamp(s)
		if err != nil {
			t.Fatal(err)
		}
		if other == stamp || isCurrent(model, other) {
			t.Errorf("a changed %s leaves the model current", name)
		}
	}
	if err := os.WriteFile(model, make([]byte, 999), 0o644); err != nil {
		t.Fatal(err)
	}
	if isCurrent(model, stamp) {
		t.Error("a model of another size than its stamp says is current")
	}
	spec.VocabPath = filepath.Join(t.TempDir(), "none.gguf")
	if _, err := modelStamp(spec); err == nil {
		t.Error("a stamp without a vocabulary file")
	}
}

func TestWriteBenchModelsOnlyWritesWhatItIsAskedFor(t *testing.T) {
	err := writeBenchModels(testdata.VocabDir(t), t.TempDir(), false, []string{"no-such-model"}, func(string) {})
	if err == nil || !strings.Contains(err.Error(), "names none") {
		t.Errorf("an -only naming nothing: %v", err)
	}
	if !selected("granite-3.1-1b-a400m-q4_k_m.gguf", []string{"qwen", "granite"}) || selected("smollm2-135m-q8_0.gguf", []string{"granite"}) ||
		!selected("smollm2-135m-q8_0.gguf", nil) {
		t.Error("selected picks the wrong models")
	}
}
