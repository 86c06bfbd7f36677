package sample

import (
	"math"
	"testing"
)

// Decoding must not allocate per token: after the first call has sized the
// scratch buffers, Sample allocates nothing, whichever stages run.
func TestSampleDoesNotAllocate(t *testing.T) {
	const vocab = 50000
	logits := llmLikeLogits(vocab, 1)
	history := make([]int32, 200)
	for i := range history {
		history[i] = int32(i * 97 % vocab)
	}
	truncating := DefaultConfig() // top-k 40, top-p 0.95, min-p 0.05
	truncating.RepeatPenalty, truncating.FrequencyPenalty, truncating.PresencePenalty = 1.1, 0.1, 0.2
	truncating.LogitBias = map[int32]float32{5: float32(math.Inf(-1)), 6: 2}

	cases := map[string]Config{
		"top-k+top-p+min-p+penalties+bias": truncating,
		"top-p without top-k":              {Temperature: 0.8, TopP: 0.95, MinP: 0.05},
		"top-p over a flat tail":           {Temperature: 1, TopP: 0.99}, // falls back to a full sort
		"min-p only":                       {Temperature: 0.8, MinP: 0.05},
		"temperature only":                 {Temperature: 1},
		"greedy":                           {RepeatPenalty: 1.2, RepeatLastN: 64},
	}
	for name, cfg := range cases {
		s := mustNew(t, cfg)
		s.Sample(logits, history) // warm-up sizes the buffers
		allocs := testing.AllocsPerRun(20, func() { s.Sample(logits, history) })
		if allocs != 0 {
			t.Errorf("%s: %.1f allocations per Sample, want 0", name, allocs)
		}
	}

	s := mustNew(t, truncating)
	if err := s.Prepare(vocab); err != nil {
		t.Fatal(err)
	}
	if allocs := testing.AllocsPerRun(1, func() { s.Sample(logits, history) }); allocs != 0 {
		t.Errorf("after Prepare the first Sample made %.0f allocations, want 0", allocs)
	}
}
