package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
)

type benchResult struct {
	Model     string `json:"model"`
	Arch      string `json:"arch"`
	Type      string `json:"type"`
	Backend   string `json:"backend"`
	Order     string `json:"order"` // the arithmetic order: x86, wasm or wllama
	Threads   int    `json:"threads"`
	Prompt    int    `json:"prompt_tokens"`
	Generated int    `json:"gen_tokens"`
	Runs      int    `json:"runs"`
	// Medians over the runs, in tokens per second.
	PrefillTPS float64 `json:"prefill_tps"`
	DecodeTPS  float64 `json:"decode_tps"`
	// Every run's figures, in run order.
	PrefillRuns []float64 `json:"prefill_tps_runs"`
	DecodeRuns  []float64 `json:"decode_tps_runs"`
	// ExpertCache is the paged experts' cache (--expert-budget).
	ExpertCache *benchExperts `json:"expert_cache,omitempty"`
}

// benchExperts describe the expert cache of a bench with paged experts;
// the counts are of the decode steps of every run.
type benchExperts struct {
	Budget      int64   `json:"budget_bytes"`
	CacheBytes  int64   `json:"cache_bytes"`
	ExpertBytes int64   `json:"expert_bytes"`
	Slots       int     `json:"slots_per_layer"`
	Experts     int     `json:"experts_per_layer"`
	Hits        int64   `json:"decode_hits"`
	Misses      int64   `json:"decode_misses"`
	HitRate     float64 `json:"decode_hit_rate"`
	BytesRead   int64   `json:"decode_bytes_read"`
}

// runBench times a prompt of -p tokens (one Forward) and -n single-token
// decode steps after it, --runs times, and prints the medians. The tokens
// are a fixed pseudo-random sequence; nothing is sampled.
func runBench(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("bench", stderr)
	var mf modelFlags
	mf.register(fs)
	p := fs.Int("p", 128, "prompt tokens")
	n := fs.Int("n", 64, "generated tokens")
	runs := fs.Int("runs", 3, "repetitions (the medians are reported)")
	budget := fs.String("expert-budget", "", "page a mixture's experts from the file into a cache of this many `bytes`, or N% of the experts' bytes")
	res, err := func() (*benchResult, error) {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if err := mf.check(); err != nil {
			return nil, err
		}
		if *p < 1 || *n < 1 || *runs < 1 {
			return nil, usageErrorf("-p, -n and --runs must be at least 1")
		}
		var m *loaded
		var err error
		var budgetBytes int64
		if *budget != "" {
			m, err = mf.loadPaged(func(f *gguf.File) (int64, error) {
				budgetBytes, err = parseExpertBudget(*budget, f)
				return budgetBytes, err
			})
		} else {
			m, err = mf.load()
		}
		if err != nil {
			return nil, err
		}
		defer m.Close()
		vocab := m.model.HP.Vocab
		tokens := make([]int32, *p+*n)
		for i := range tokens {
			tokens[i] = int32((i*7919 + 13) % vocab)
		}
		ctx := mf.ctx
		if ctx == 0 {
			ctx = *p + *n
		}
		s, err := m.session(ctx, *p+*n)
		if err != nil {
			return nil, err
		}
		defer s.Close()
		res := &benchResult{
			Model: filepath.Base(mf.path), Arch: m.model.HP.Arch, Type: m.model.WeightType.String(),
			Backend: m.back.Name(), Order: mf.order.String(), Threads: m.back.Threads(), Prompt: *p, Generated: *n, Runs: *runs,
		}
		var hits, misses, read int64
		for range *runs {
			s.Reset()
			start := time.Now()
			if _, err := s.Forward(tokens[:*p]); err != nil {
				return nil, err
			}
			prefill := time.Since(start)
			m.model.ResetExpertCacheCounts()
			start = time.Now()
			for _, id := range tokens[*p:] {
				if _, err := s.Forward([]int32{id}); err != nil {
					return nil, err
				}
			}
			decode := time.Since(start)
			if st, ok := m.model.ExpertCache(); ok {
				hits, misses, read = hits+st.Hits, misses+st.Misses, read+st.BytesRead
			}
			res.PrefillRuns = append(res.PrefillRuns, float64(*p)/prefill.Seconds())
			res.DecodeRuns = append(res.DecodeRuns, float64(*n)/decode.Seconds())
		}
		res.PrefillTPS, res.DecodeTPS = median(res.PrefillRuns), median(res.DecodeRuns)
		fmt.Fprintf(stderr, "hearth bench: %s %s, %d threads: prefill %.1f tok/s, decode %.1f tok/s\n",
			res.Model, res.Type, res.Threads, res.PrefillTPS, res.DecodeTPS)
		if st, ok := m.model.ExpertCache(); ok {
			e := &benchExperts{CacheBytes: st.CacheBytes, ExpertBytes: st.ExpertBytes, Slots: st.Slots, Experts: st.Experts,
				Hits: hits, Misses: misses, BytesRead: read}
			e.Budget = budgetBytes
			if hits+misses > 0 {
				e.HitRate = float64(hits) / float64(hits+misses)
			}
			res.ExpertCache = e
			fmt.Fprintf(stderr, "hearth bench: experts paged: %d of %d a layer (%d of %d bytes), decode hit rate %.1f%%, %.1f MB read a token\n",
				e.Slots, e.Experts, e.CacheBytes, e.ExpertBytes, 100*e.HitRate, float64(read)/1e6/float64(*n**runs))
		}
		return res, nil
	}()
	return finish("bench", res, err, stdout, stderr)
}

// parseExpertBudget reads --expert-budget: a byte count, or N% of f's
// expert bytes.
func parseExpertBudget(s string, f *gguf.File) (int64, error) {
	if pct, ok := strings.CutSuffix(s, "%"); ok {
		v, err := strconv.ParseFloat(pct, 64)
		if err != nil || v <= 0 || v > 100 {
			return 0, usageErrorf("--expert-budget %q: a percentage must be above 0 and at most 100", s)
		}
		plan, err := model.PlanExpertCache(f, 1<<62)
		if err != nil {
			return 0, err
		}
		return int64(float64(plan.ExpertBytes) * v / 100), nil
	}
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil || v <= 0 {
		return 0, usageErrorf("--expert-budget %q: want a positive byte count or a percentage such as 25%%", s)
	}
	return v, nil
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
