//go:build !js

package model_test

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/models/synth"
)

// On the browser's backend (the arena over kernels.wasm, run by wazero),
// experts paged into a cache a quarter of their size (rounded down to
// whole slots, at least one) stream from the file into the arena's slots
// and give the bits of the resident model, prompt and greedy decode, in
// the types the browser runs: qwen3moe in Q4_K, qwen2moe in Q4_0 (shared
// expert), granitemoe in F32 with every expert used (one slot: a token's
// four experts go in four rounds).
func TestPagedExpertsOnArena(t *testing.T) {
	g := synth.DefaultGraniteScales()
	cases := []struct {
		name string
		spec synth.Spec
	}{
		{"qwen3moe-Q4_K", synth.Spec{Arch: synth.Qwen3MoE, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2, HeadDim: 64,
			NExpert: 8, NExpertUsed: 3, NFFExp: 256, Type: dtype.Q4_K, Seed: 12}},
		{"qwen2moe-Q4_0", synth.Spec{Arch: synth.Qwen2MoE, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2,
			NExpert: 8, NExpertUsed: 2, NFFExp: 256, NFFShexp: 512, Type: dtype.Q4_0, Seed: 13}},
		{"granitemoe-F32", synth.Spec{Arch: synth.GraniteMoE, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2,
			NExpert: 4, NExpertUsed: 4, NFFExp: 256, NFFShexp: 256, Granite: &g, Type: dtype.F32, Seed: 14}},
	}
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.spec.VocabPath = vocab
			path := filepath.Join(dir, c.name+".gguf")
			if err := synth.WriteFile(path, c.spec); err != nil {
				t.Fatal(err)
			}
			want := arenaTranscript(t, path, 0)
			plan := planOf(t, path)
			budget := plan.ExpertBytes / 4
			got := arenaTranscript(t, path, budget)
			for i := range want.logits {
				if !slices.Equal(got.logits[i], want.logits[i]) {
					t.Fatalf("position %d: the paged model's logits differ from the resident model's", i)
				}
			}
			st := got.stats
			if st.Slots != max(1, c.spec.NExpert/4) || st.Misses == 0 || st.CacheBytes > budget {
				t.Fatalf("cache %+v: want %d slots, misses, at most %d bytes", st, max(1, c.spec.NExpert/4), budget)
			}
			if got.arenaUsed >= want.arenaUsed {
				t.Fatalf("the paged model uses %d bytes of arena, the resident one %d", got.arenaUsed, want.arenaUsed)
			}
			t.Logf("%d of %d experts a layer held; %d hits, %d misses (%.0f%%), %d bytes read; arena %d bytes, resident %d",
				st.Slots, st.Experts, st.Hits, st.Misses, 100*st.HitRate(), st.BytesRead, got.arenaUsed, want.arenaUsed)
		})
	}
}

func planOf(t *testing.T, path string) *model.ExpertCachePlan {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, err := model.PlanExpertCache(f, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

type arenaRun struct {
	logits    [][]float32
	stats     model.ExpertCacheStats
	arenaUsed int64
}

// arenaTranscript loads path on a one-thread arena (experts paged into
// budget bytes when budget > 0) and returns the logits of a 12-token
// prompt at every position (in batches of 8) and of 6 greedy steps.
func arenaTranscript(t *testing.T, path string, budget int64) arenaRun {
	t.Helper()
	b := newTestArena(t)
	defer b.Close()
	m, done := loadOn(t, path, b, model.LoadOptions{ExpertBudget: budget})
	defer done()
	s, err := m.NewSession(model.SessionOptions{Context: 64, Batch: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	prompt := []int32{1, 7, 23, 4, 49, 0, 12, 33, 18, 260, 301, 5}
	all, err := s.ForwardAll(prompt)
	if err != nil {
		t.Fatal(err)
	}
	var r arenaRun
	v := m.HP.Vocab
	for i := range prompt {
		r.logits = append(r.logits, all[i*v:(i+1)*v])
	}
	for step := range 6 {
		last := r.logits[len(r.logits)-1]
		l, err := s.Forward([]int32{int32(slices.Index(last, slices.Max(last)))})
		if err != nil {
			t.Fatal(fmt.Errorf("step %d: %w", step, err))
		}
		r.logits = append(r.logits, slices.Clone(l))
	}
	r.stats, _ = m.ExpertCache()
	r.arenaUsed = b.Usage().Used
	return r
}
