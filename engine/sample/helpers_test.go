package sample

import (
	"math"
	"slices"
	"testing"
)

// logitsOf returns log(p) for each probability, so that softmax gives the
// probabilities back (they need not sum to 1: the shift cancels).
func logitsOf(probs ...float64) []float32 {
	out := make([]float32, len(probs))
	for i, p := range probs {
		out[i] = float32(math.Log(p))
	}
	return out
}

// newPool is an all-tokens pool over a copy of logits.
func newPool(logits []float32) *pool {
	work := slices.Clone(logits)
	return &pool{work: work, items: make([]cand, len(work)), keys: make([]uint64, len(work)), keys2: make([]uint64, len(work)), all: true}
}

// ids lists the pool's candidate ids in pool order.
func (p *pool) ids() []int32 {
	out := make([]int32, p.size())
	for i := range out {
		out[i] = p.idAt(i)
	}
	return out
}

func mustNew(t testing.TB, cfg Config) *Sampler {
	t.Helper()
	s, err := New(cfg)
	if err != nil {
		t.Fatalf("New(%+v): %v", cfg, err)
	}
	return s
}
