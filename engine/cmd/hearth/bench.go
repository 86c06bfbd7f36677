package main

import (
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"time"
)

type benchResult struct {
	Model     string `json:"model"`
	Arch      string `json:"arch"`
	Type      string `json:"type"`
	Backend   string `json:"backend"`
	Order     string `json:"order"` // the arithmetic order, x86 or wasm
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
		m, err := mf.load()
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
		for range *runs {
			s.Reset()
			start := time.Now()
			if _, err := s.Forward(tokens[:*p]); err != nil {
				return nil, err
			}
			prefill := time.Since(start)
			start = time.Now()
			for _, id := range tokens[*p:] {
				if _, err := s.Forward([]int32{id}); err != nil {
					return nil, err
				}
			}
			decode := time.Since(start)
			res.PrefillRuns = append(res.PrefillRuns, float64(*p)/prefill.Seconds())
			res.DecodeRuns = append(res.DecodeRuns, float64(*n)/decode.Seconds())
		}
		res.PrefillTPS, res.DecodeTPS = median(res.PrefillRuns), median(res.DecodeRuns)
		fmt.Fprintf(stderr, "hearth bench: %s %s, %d threads: prefill %.1f tok/s, decode %.1f tok/s\n",
			res.Model, res.Type, res.Threads, res.PrefillTPS, res.DecodeTPS)
		return res, nil
	}()
	return finish("bench", res, err, stdout, stderr)
}

func median(x []float64) float64 {
	s := slices.Clone(x)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
