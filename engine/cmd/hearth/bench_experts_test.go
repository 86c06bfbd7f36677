package main

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/models/synth"
)

// bench --expert-budget pages a mixture's experts into a cache of the
// given bytes or share of the experts, and reports the cache and its
// decode hit rate; bad budgets are usage errors.
func TestBenchExpertBudget(t *testing.T) {
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "moe.gguf")
	spec := synth.Spec{Arch: synth.Qwen3MoE, VocabPath: vocab, NEmbd: 128, NLayer: 2, NHead: 4, NHeadKV: 2,
		NExpert: 8, NExpertUsed: 2, NFFExp: 128, Type: dtype.Q8_0, Seed: 3}
	if err := synth.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	type cache struct {
		Budget      int64   `json:"budget_bytes"`
		CacheBytes  int64   `json:"cache_bytes"`
		ExpertBytes int64   `json:"expert_bytes"`
		Slots       int     `json:"slots_per_layer"`
		Experts     int     `json:"experts_per_layer"`
		Hits        int64   `json:"decode_hits"`
		Misses      int64   `json:"decode_misses"`
		HitRate     float64 `json:"decode_hit_rate"`
	}
	var res struct {
		DecodeTPS   float64 `json:"decode_tps"`
		ExpertCache *cache  `json:"expert_cache"`
	}
	ok(t, &res, "bench", "-m", path, "-p", "8", "-n", "6", "--runs", "2", "--threads", "1", "--expert-budget", "25%")
	c := res.ExpertCache
	if c == nil || c.Slots != 2 || c.Experts != 8 || c.CacheBytes != c.ExpertBytes/4 || c.Budget != c.ExpertBytes/4 ||
		c.Hits+c.Misses != 2*6*2*2 || c.HitRate != float64(c.Hits)/float64(c.Hits+c.Misses) || res.DecodeTPS <= 0 {
		// 2 runs × 6 steps × 2 layers × 2 experts a token.
		t.Fatalf("bench with a quarter of the experts cached: %+v, cache %+v", res, c)
	}
	var bytes struct {
		ExpertCache *cache `json:"expert_cache"`
	}
	ok(t, &bytes, "bench", "-m", path, "-p", "4", "-n", "2", "--runs", "1", "--threads", "1", "--expert-budget", "1000000000")
	if bytes.ExpertCache == nil || bytes.ExpertCache.Slots != 8 {
		t.Fatalf("a budget above the experts' size: %+v", bytes.ExpertCache)
	}
	var dense struct {
		ExpertCache *cache `json:"expert_cache"`
	}
	ok(t, &dense, "bench", "-m", path, "-p", "4", "-n", "2", "--runs", "1", "--threads", "1")
	if dense.ExpertCache != nil {
		t.Fatalf("without --expert-budget the bench reports a cache: %+v", dense.ExpertCache)
	}
	for _, c := range []struct{ budget, want string }{
		{"0", "positive byte count"}, {"lots", "positive byte count"}, {"150%", "at most 100"}, {"10", "less than one expert per layer"},
	} {
		_, errs, code := runCLI("bench", "-m", path, "-p", "4", "-n", "2", "--expert-budget", c.budget)
		if code == 0 || !strings.Contains(errs, c.want) {
			t.Errorf("--expert-budget %s: exit %d, stderr %q; want an error mentioning %q", c.budget, code, errs, c.want)
		}
	}
}
