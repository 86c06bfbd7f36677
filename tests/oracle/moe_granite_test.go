package oracle

import (
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// TestGraniteMoEMultipliersAreHonouredByLlamaCpp checks that the four Granite keys the
// generator writes are the ones llama.cpp reads, with the meaning the
// generator assumes. The generator draws the weights a multiplier acts on
// scaled by its inverse (see synth's compensation), so two granitemoe files
// with different multipliers but the same seed compute the same function if
// and only if llama.cpp applies each multiplier where synth expects it:
// the default multipliers and neutral ones (1, 1, 1/sqrt(head width), 1)
// must agree. And each key is live: the default file with one key's value
// halved, weights untouched, must give other log-probabilities.
func TestGraniteMoEMultipliersAreHonouredByLlamaCpp(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: checked in the full run")
	}
	dir := t.TempDir()
	spec := baseSpec(synth.GraniteMoE)
	spec.VocabPath = filepath.Join(testdata.VocabDir(t), "ggml-vocab-refact.gguf")
	spec.NFF, spec.NExpert, spec.NExpertUsed, spec.NFFExp, spec.NFFShexp = 0, 8, 2, 256, 256
	spec.TiedEmbeddings, spec.Type = true, dtype.F32
	def := synth.DefaultGraniteScales()
	spec.Granite = &def
	neutral := spec
	neutral.Granite = &synth.GraniteScales{EmbeddingScale: 1, ResidualScale: 1, AttentionScale: float32(1 / math.Sqrt(64)), LogitScale: 1}

	defPath, neutralPath := filepath.Join(dir, "default.gguf"), filepath.Join(dir, "neutral.gguf")
	for path, s := range map[string]synth.Spec{defPath: spec, neutralPath: neutral} {
		if err := synth.WriteFile(path, s); err != nil {
			t.Fatal(err)
		}
	}
	keys := []string{"granitemoe.embedding_scale", "granitemoe.residual_scale", "granitemoe.attention.scale", "granitemoe.logit_scale"}
	var halved []string
	for _, key := range keys {
		path := filepath.Join(dir, "halved-"+key+".gguf")
		if err := rewriteKV(defPath, path, key, func(v any) any { return v.(float32) / 2 }); err != nil {
			t.Fatal(err)
		}
		halved = append(halved, path)
	}

	tokens := tokenList(49216)
	both := []Request{{Op: "logprobs", Tokens: tokens}, {Op: "generate", Tokens: tokens, N: generateN}}
	jobs := []Job{{Model: defPath, Requests: both}, {Model: neutralPath, Requests: both}}
	for _, path := range halved {
		jobs = append(jobs, Job{Model: path, Requests: both[:1]})
	}
	ans := RunOracle(t, jobs...)
	for i, job := range ans {
		for j, a := range job {
			if a.Error != "" {
				t.Fatalf("llama.cpp on %s, request %d: %s", filepath.Base(jobs[i].Model), j, a.Error)
			}
		}
	}
	base := ans[0][0].Logprobs()

	d, at, err := logprobDiff(base, ans[1][0].Logprobs())
	if err != nil || d > floatTolerance {
		t.Errorf("default multipliers vs neutral ones on compensated weights: log-probabilities differ by %.3g (token %d, %v); want under %.0e",
			d, at, err, floatTolerance)
	}
	if g0, g1 := ans[0][1].IDs, ans[1][1].IDs; !slices.Equal(g0, g1) {
		t.Errorf("greedy continuations differ: default %v, neutral %v", g0, g1)
	}
	t.Logf("default vs neutral multipliers: max |Δ log p| %.3g", d)

	for i, key := range keys {
		d, _, err := logprobDiff(base, ans[2+i][0].Logprobs())
		if err != nil {
			t.Errorf("%s halved: %v", key, err)
			continue
		}
		t.Logf("%s halved: max |Δ log p| %.3g", key, d)
		if d < 0.1 {
			t.Errorf("halving %s moved llama.cpp's log-probabilities by only %.3g: llama.cpp does not read the key as synth assumes", key, d)
		}
	}
}

// rewriteKV copies the GGUF file src to dst with the value of key replaced by
// edit(value); the tensors are copied byte for byte.
func rewriteKV(src, dst, key string, edit func(any) any) error {
	f, err := gguf.Open(src)
	if err != nil {
		return err
	}
	defer f.Close()
	w := gguf.NewWriter()
	found := false
	for _, kv := range f.KVs {
		v := kv.Value
		if kv.Key == key {
			v, found = edit(v), true
		}
		if err := w.AddKV(kv.Key, v); err != nil {
			return err
		}
	}
	if !found {
		return fmt.Errorf("%s has no key %s", src, key)
	}
	for i := range f.Tensors {
		info := &f.Tensors[i]
		raw := make([]byte, info.Size)
		if err := f.ReadTensor(info, raw); err != nil {
			return err
		}
		if err := w.AddTensor(info.Name, info.Type, info.Shape, raw); err != nil {
			return err
		}
	}
	return w.WriteFile(dst)
}
