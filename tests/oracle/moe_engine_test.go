package oracle

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
)

// TestMoEEngineMatchesLlamaCpp compares Hearth with llama.cpp on the
// mixture-of-experts models of moeArchs (every MoE architecture, and dense
// granite) as TestEngineMatchesLlamaCpp does on the dense ones: prompt
// token ids, the log-probabilities after a prompt and after a token list,
// and 32-token greedy continuations of both (every step's top-1), in F32,
// Q8_0 and Q4_K. With -short only F32 and Q4_K.
func TestMoEEngineMatchesLlamaCpp(t *testing.T) {
	vocabDir := testdata.VocabDir(t)
	types := moeTypes
	if testing.Short() {
		types = []dtype.Type{dtype.F32, dtype.Q4_K}
	}
	var results []*caseResult
	t.Run("matrix", func(t *testing.T) {
		for _, a := range moeArchs() {
			for _, typ := range types {
				spec := a.spec
				spec.VocabPath = filepath.Join(vocabDir, "ggml-vocab-"+a.vocab+".gguf")
				spec.Type = typ
				tol := quantizedTolerance
				if typ == dtype.F32 {
					tol = floatTolerance
				}
				r := newResult(a.name + "/" + typ.String())
				results = append(results, r)
				t.Run(r.name, func(t *testing.T) {
					t.Parallel()
					start := time.Now()
					defer func() { r.seconds, r.failed = time.Since(start).Seconds(), t.Failed() }()
					compareCase(t, spec, tol, r)
				})
			}
		}
	})
	logTable(t, results)
}
