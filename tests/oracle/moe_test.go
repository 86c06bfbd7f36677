package oracle

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// moeArch is one mixture-of-experts model of the llama.cpp check, with the
// vocabulary its real counterpart uses (or the nearest llama.cpp ships).
type moeArch struct {
	name  string
	vocab string // ggml-vocab-<vocab>.gguf
	spec  synth.Spec
}

// moeArchs are small models of every MoE architecture the generator writes
// (and dense granite, which shares granitemoe's graph): two layers, rows of
// 256 and 512 so every k-quant fits, more experts than are used.
func moeArchs() []moeArch {
	mixtral := baseSpec(synth.Llama)
	mixtral.NExpert, mixtral.NExpertUsed = 4, 2

	qwen3moe := baseSpec(synth.Qwen3MoE)
	qwen3moe.HeadDim, qwen3moe.NFF, qwen3moe.NExpert, qwen3moe.NExpertUsed, qwen3moe.NFFExp = 128, 0, 8, 2, 256

	// Qwen1.5-MoE: 60 experts of 1408 and a shared expert of 5632 on a 2048
	// stream; here 8 experts of 256 and a shared expert of 512.
	qwen2moe := baseSpec(synth.Qwen2MoE)
	qwen2moe.NExpert, qwen2moe.NExpertUsed, qwen2moe.NFFExp, qwen2moe.NFFShexp = 8, 2, 256, 512

	// OLMoE-1B-7B: 64 experts of 1024, 8 used, as many kv heads as heads.
	olmoe := baseSpec(synth.OLMoE)
	olmoe.NHeadKV, olmoe.NFF, olmoe.NExpert, olmoe.NExpertUsed, olmoe.NFFExp = 4, 0, 8, 4, 256

	// granite-3.1-style: tied embeddings, Granite's default multipliers.
	granitemoe := baseSpec(synth.GraniteMoE)
	granitemoe.NFF, granitemoe.NExpert, granitemoe.NExpertUsed, granitemoe.NFFExp = 0, 8, 2, 256
	granitemoe.TiedEmbeddings = true

	// GraniteMoeShared: an ungated shared expert, untied output, other
	// multipliers (attention scale left to llama.cpp's 1/sqrt(head width)).
	shared := granitemoe
	shared.NFFShexp, shared.TiedEmbeddings = 512, false
	shared.Granite = &synth.GraniteScales{EmbeddingScale: 6, ResidualScale: 0.5, LogitScale: 3}

	granite := baseSpec(synth.Granite)
	granite.TiedEmbeddings = true

	return []moeArch{
		{"llama-moe", "llama-spm", mixtral},
		{"qwen3moe", "qwen2", qwen3moe},
		{"qwen2moe", "qwen2", qwen2moe},
		{"olmoe", "gpt-neox", olmoe},
		{"granitemoe", "refact", granitemoe},
		{"granitemoe-shexp", "refact", shared},
		{"granite", "refact", granite},
	}
}

var moeTypes = []dtype.Type{dtype.F32, dtype.Q8_0, dtype.Q4_K}

// TestSyntheticMoEModelsRunInLlamaCpp proves the generator's mixture-of-
// experts files (and dense granite's) are models llama.cpp loads and runs
// healthily in F32, Q8_0 and Q4_K: finite log-probabilities with a spread of
// a few units, greedy steps decided by clear margins, and continuations that
// are not one token repeated. Hearth's side joins when its MoE forward pass
// does (compareCase instead of runLlamaSide).
func TestSyntheticMoEModelsRunInLlamaCpp(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the MoE files are checked in the full run")
	}
	vocabDir := testdata.VocabDir(t)
	var results []*caseResult
	run := func(t *testing.T, name string, spec synth.Spec) {
		r := newResult(name)
		results = append(results, r)
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			start := time.Now()
			defer func() { r.seconds, r.failed = time.Since(start).Seconds(), t.Failed() }()
			l := runLlamaSide(t, spec, r)
			r.greedyPrompt = checkNotRepeating(t, "prompt", l.genPrompt)
			r.greedyTokens = checkNotRepeating(t, "token list", l.genTokens)
		})
	}
	t.Run("models", func(t *testing.T) {
		for _, a := range moeArchs() {
			for _, typ := range moeTypes {
				spec := a.spec
				spec.VocabPath = filepath.Join(vocabDir, "ggml-vocab-"+a.vocab+".gguf")
				spec.Type = typ
				run(t, a.name+"/"+typ.String(), spec)
			}
		}
		// The benchmark model's widths (1024 stream, heads of 64, 32
		// experts of 512, 8 used, tied embeddings) on two of its 24
		// layers, in the type it is benchmarked in.
		bench := synth.GraniteMoE1BA400M(filepath.Join(vocabDir, "ggml-vocab-refact.gguf"))
		bench.NLayer, bench.Type = 2, dtype.Q4_K
		run(t, "granite-1b-a400m-2layers/Q4_K", bench)
	})
	logTable(t, results)
}

// checkNotRepeating fails the test if llama.cpp's greedy continuation is a
// single token over and over (a model whose output ignores its input), and
// returns "N distinct" for the summary table.
func checkNotRepeating(t *testing.T, what string, gen *Answer) string {
	t.Helper()
	distinct := map[int]bool{}
	for _, id := range gen.IDs {
		distinct[id] = true
	}
	if len(gen.IDs) > 1 && len(distinct) < 2 {
		t.Errorf("%s: llama.cpp's greedy continuation repeats one token: %v", what, gen.IDs)
	}
	return fmt.Sprintf("%d distinct of %d", len(distinct), len(gen.IDs))
}
