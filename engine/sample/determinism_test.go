package sample

import (
	"math/rand/v2"
	"slices"
	"testing"
)

// sequence samples n tokens, feeding each back into the history so the
// penalties move the distribution as generation would.
func sequence(t *testing.T, s *Sampler, logits []float32, n int) []int32 {
	t.Helper()
	var history []int32
	for range n {
		history = append(history, s.Sample(logits, history))
	}
	return history
}

func noisyLogits(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 0))
	logits := make([]float32, n)
	for i := range logits {
		logits[i] = float32(rng.NormFloat64())
	}
	return logits
}

func TestSameSeedSameSequence(t *testing.T) {
	logits := noisyLogits(2000, 5)
	cfg := DefaultConfig()
	cfg.TopK, cfg.TopP, cfg.MinP = 200, 0.9, 0.02
	cfg.RepeatPenalty, cfg.RepeatLastN = 1.1, 32
	cfg.Seed = 1234

	a := sequence(t, mustNew(t, cfg), logits, 300)
	b := sequence(t, mustNew(t, cfg), logits, 300)
	if !slices.Equal(a, b) {
		t.Fatalf("two samplers with seed %d disagree:\n%v\n%v", cfg.Seed, a, b)
	}
	if distinct := len(slices.Compact(slices.Sorted(slices.Values(a)))); distinct < 30 {
		t.Fatalf("only %d distinct tokens in 300 draws: the test logits are too peaked to show anything", distinct)
	}

	s := mustNew(t, cfg)
	sequence(t, s, logits, 17)
	s.Reset()
	if c := sequence(t, s, logits, 300); !slices.Equal(a, c) {
		t.Fatal("Reset did not restart the stream")
	}

	for _, other := range []uint64{1235, 1234 | 1<<32} {
		cfg.Seed = other
		d := sequence(t, mustNew(t, cfg), logits, 300)
		same := 0
		for i := range a {
			if a[i] == d[i] {
				same++
			}
		}
		if same > 60 {
			t.Errorf("seed %d agrees with seed 1234 on %d of 300 tokens", other, same)
		}
	}
}

// With four equal logits and no truncation the draw is uniform, and
// llama.cpp's dist sampler picks the first token whose running weight
// reaches u·4. The uniforms for seed 42 are libstdc++'s (see
// libstdcxxStreams): 0.7965, 0.1834, 0.7797, 0.5969, 0.4458, so it picks
// 3 (3.19), 0 (0.73), 3 (3.12), 2 (2.39), 1 (1.78).
func TestDrawWalksLikeLlamaCpp(t *testing.T) {
	s := mustNew(t, Config{Temperature: 1, Seed: 42})
	got := sequence(t, s, []float32{0.25, 0.25, 0.25, 0.25}, 5)
	if want := []int32{3, 0, 3, 2, 1}; !slices.Equal(got, want) {
		t.Errorf("seed 42 over four equal logits: %v, want %v", got, want)
	}

	// Top-k sorts the candidates, so the walk goes best first. Logits by id
	// 2, 3, 0, 1 give weights e^-1, 1, e^-3, e^-2 (total 1.5530). Best
	// first (ids 1, 0, 3, 2) the running weights are 1, 1.3679, 1.5032,
	// 1.5530; seed 1234's uniforms 0.4977, 0.8178, 0.6121, 0.7714, 0.8607
	// give targets 0.7729, 1.2701, 0.9506, 1.1979, 1.3366.
	logits := []float32{2, 3, 0, 1}
	s = mustNew(t, Config{Temperature: 1, TopK: 4, Seed: 1234})
	got = sequence(t, s, logits, 5)
	if want := []int32{1, 0, 1, 0, 0}; !slices.Equal(got, want) {
		t.Errorf("seed 1234, top-k 4: %v, want %v", got, want)
	}
	// Without top-k the walk goes by id: running weights 0.3679, 1.3679,
	// 1.4177, 1.5530, so every one of those targets lands on id 1.
	s = mustNew(t, Config{Temperature: 1, Seed: 1234})
	got = sequence(t, s, logits, 5)
	if want := []int32{1, 1, 1, 1, 1}; !slices.Equal(got, want) {
		t.Errorf("seed 1234, no truncation: %v, want %v", got, want)
	}
}

// One uniform is consumed per sampled token even when truncation leaves a
// single candidate (llama.cpp keeps its stream aligned the same way), and
// none in greedy mode.
func TestOneDrawPerToken(t *testing.T) {
	logits := []float32{0.25, 0.25, 0.25, 0.25}
	peaked := []float32{9, 0, 0, 0}

	s := mustNew(t, Config{Temperature: 1, MinP: 0.5, Seed: 42})
	if got := s.Sample(peaked, nil); got != 0 {
		t.Fatalf("min-p 0.5 on a peaked vector: got %d", got)
	}
	// The first uniform is spent; the next four give 0, 3, 2, 1.
	if got := sequence(t, s, logits, 4); !slices.Equal(got, []int32{0, 3, 2, 1}) {
		t.Errorf("after a single-candidate draw: %v, want [0 3 2 1]", got)
	}
}
