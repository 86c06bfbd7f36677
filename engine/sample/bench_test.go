package sample

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// llmLikeLogits imitates a language model's next-token logits: a broad
// normal background with a handful of clearly preferred tokens, so the top
// few hold most of the probability mass.
func llmLikeLogits(n int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 42))
	logits := make([]float32, n)
	for i := range logits {
		logits[i] = float32(2 * rng.NormFloat64())
	}
	for i := range 20 {
		logits[rng.IntN(n)] = float32(14 + 6*rng.Float64() - float64(i)/4)
	}
	return logits
}

// BenchmarkSample times one Sample call on vocabularies the size of
// SmolLM2's (49152) and Qwen2.5's (151936), with a 64-token history.
func BenchmarkSample(b *testing.B) {
	defaults := DefaultConfig()
	withPenalties := DefaultConfig()
	withPenalties.RepeatPenalty, withPenalties.PresencePenalty = 1.1, 0.1
	configs := []struct {
		name string
		cfg  Config
	}{
		{"greedy", Config{}},
		{"llama.cpp-defaults", defaults},                                  // top-k 40, top-p .95, min-p .05, T .8
		{"defaults+penalties", withPenalties},                             // plus a 64-token window
		{"top-p+min-p", Config{Temperature: 0.8, TopP: 0.95, MinP: 0.05}}, // no top-k
		{"temperature-only", Config{Temperature: 1}},                      // softmax over the whole vocabulary
		{"top-p-flat", Config{Temperature: 1, TopP: 0.9}},                 // worst case: full sort
	}
	for _, vocab := range []int{49152, 151936} {
		logits := llmLikeLogits(vocab, 7)
		history := make([]int32, 64)
		for i := range history {
			history[i] = int32(i * 7919 % vocab)
		}
		for _, c := range configs {
			b.Run(fmt.Sprintf("vocab=%d/%s", vocab, c.name), func(b *testing.B) {
				s, err := New(c.cfg)
				if err != nil {
					b.Fatal(err)
				}
				if err := s.Prepare(vocab); err != nil {
					b.Fatal(err)
				}
				in := logits
				if c.name == "top-p-flat" {
					in = noisyLogits(vocab, 3) // no dominant tokens
				}
				b.ReportAllocs()
				for b.Loop() {
					s.Sample(in, history)
				}
			})
		}
	}
}
