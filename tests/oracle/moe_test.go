package oracle

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// TestSyntheticMoEModelsRunInLlamaCpp proves the generator's mixture-of-
// experts files (Mixtral-style llama, qwen3moe) are models llama.cpp loads
// and runs healthily. Hearth does not run experts yet; when it does, these
// cases join TestEngineMatchesLlamaCpp's matrix (compareCase instead of
// runLlamaSide).
func TestSyntheticMoEModelsRunInLlamaCpp(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: the MoE files are checked in the full run")
	}
	vocabDir := testdata.VocabDir(t)
	mixtral := baseSpec(synth.Llama)
	mixtral.VocabPath = filepath.Join(vocabDir, "ggml-vocab-llama-spm.gguf")
	mixtral.NExpert, mixtral.NExpertUsed = 4, 2
	qwen3moe := baseSpec(synth.Qwen3MoE)
	qwen3moe.VocabPath = filepath.Join(vocabDir, "ggml-vocab-qwen2.gguf")
	qwen3moe.HeadDim, qwen3moe.NFF, qwen3moe.NExpert, qwen3moe.NExpertUsed, qwen3moe.NFFExp = 128, 0, 8, 2, 256
	var results []*caseResult
	t.Run("models", func(t *testing.T) {
		for _, c := range []struct {
			name string
			spec synth.Spec
		}{{"llama-moe", mixtral}, {"qwen3moe", qwen3moe}} {
			for _, typ := range []dtype.Type{dtype.Q8_0, dtype.Q4_K} {
				spec := c.spec
				spec.Type = typ
				r := newResult(c.name + "/" + typ.String())
				results = append(results, r)
				t.Run(r.name, func(t *testing.T) {
					t.Parallel()
					start := time.Now()
					defer func() { r.seconds, r.failed = time.Since(start).Seconds(), t.Failed() }()
					runLlamaSide(t, spec, r)
				})
			}
		}
	})
	logTable(t, results)
}
