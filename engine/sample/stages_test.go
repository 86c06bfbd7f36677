package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

func TestTopKKeepsTheBestSorted(t *testing.T) {
	logits := []float32{1, 5, 3, 5, 2}
	cases := []struct {
		k    int
		want []int32
	}{
		{1, []int32{1}},
		{2, []int32{1, 3}}, // equal logits: lower id first
		{3, []int32{1, 3, 2}},
		{5, []int32{1, 3, 2, 4, 0}},
		{9, []int32{1, 3, 2, 4, 0}}, // k beyond the vocabulary: all, sorted
	}
	for _, tc := range cases {
		p := newPool(logits)
		p.topK(tc.k)
		if got := p.ids(); !slices.Equal(got, tc.want) {
			t.Errorf("top-%d of %v = %v, want %v", tc.k, logits, got, tc.want)
		}
	}
	p := newPool(logits)
	p.topK(0)
	if !p.all || p.size() != 5 {
		t.Errorf("top-k 0 changed the pool: %v", p.ids())
	}
}

func TestTopKTieAtTheBoundaryKeepsLowIds(t *testing.T) {
	p := newPool([]float32{2, 2, 2, 1, 2})
	p.topK(2)
	if got := p.ids(); !slices.Equal(got, []int32{0, 1}) {
		t.Errorf("top-2 among four equal logits = %v, want [0 1]", got)
	}
}

// The heap path (k much smaller than the vocabulary) must agree with a full
// sort, ties included.
func TestTopKHeapAgreesWithSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := range 50 {
		n := 500 + rng.IntN(3000)
		logits := make([]float32, n)
		for i := range logits {
			logits[i] = float32(rng.IntN(40)) / 4 // many ties
		}
		k := 1 + rng.IntN(n/10)
		p := newPool(logits)
		p.topK(k)

		want := make([]cand, n)
		for i, l := range logits {
			want[i] = cand{id: int32(i), logit: l}
		}
		slices.SortStableFunc(want, func(a, b cand) int {
			switch {
			case a.logit > b.logit:
				return -1
			case a.logit < b.logit:
				return 1
			}
			return 0
		})
		got := p.ids()
		for i := range k {
			if got[i] != want[i].id {
				t.Fatalf("trial %d (n=%d k=%d): position %d is %d, want %d", trial, n, k, i, got[i], want[i].id)
			}
		}
	}
}

func TestTopPKeepsTheSmallestPrefixReachingP(t *testing.T) {
	// Probabilities 0.15, 0.5, 0.05, 0.3 by id; best first: 1, 3, 0, 2 with
	// cumulative mass 0.5, 0.8, 0.95, 1.
	logits := logitsOf(0.15, 0.5, 0.05, 0.3)
	cases := []struct {
		p    float32
		want []int32
	}{
		{0.4, []int32{1}},
		{0.5 - 1e-4, []int32{1}},
		{0.75, []int32{1, 3}},
		{0.9, []int32{1, 3, 0}},
		{0.99, []int32{1, 3, 0, 2}},
	}
	for _, tc := range cases {
		p := newPool(logits)
		p.topP(tc.p)
		if got := p.ids(); !slices.Equal(got, tc.want) {
			t.Errorf("top-p %v = %v, want %v", tc.p, got, tc.want)
		}
		for i, c := range p.items {
			want := []float64{0.5, 0.3, 0.15, 0.05}[i]
			if math.Abs(float64(c.p)-want) > 1e-6 {
				t.Errorf("top-p %v: candidate %d has p=%v, want %v", tc.p, c.id, c.p, want)
			}
		}
	}
	for _, off := range []float32{0, 1, 1.5} {
		p := newPool(logits)
		p.topP(off)
		if !p.all {
			t.Errorf("top-p %v should be off but narrowed the pool to %v", off, p.ids())
		}
	}
}

// A flat distribution over more than topPFirstTry tokens makes top-p fall
// back from the short ranking to sorting the whole vocabulary.
func TestTopPFallsBackToTheWholeVocabulary(t *testing.T) {
	const n = 1000
	logits := make([]float32, n)
	for i := range logits {
		logits[i] = float32(i%10) * 1e-3 // nearly uniform
	}
	p := newPool(logits)
	p.topP(0.5)
	// Nearly uniform: about half the tokens, all with the highest logits.
	if got := p.size(); got < 480 || got > 520 {
		t.Fatalf("top-p 0.5 over 1000 near-uniform tokens kept %d", got)
	}
	for i := 1; i < p.size(); i++ {
		if compareCand(p.items[i-1], p.items[i]) >= 0 {
			t.Fatalf("items %d and %d out of order", i-1, i)
		}
	}
	var mass float64
	for _, c := range p.items {
		mass += float64(c.p)
	}
	if mass < 0.5 || mass > 0.5+2.0/n {
		t.Errorf("kept mass %v, want just over 0.5", mass)
	}
}

func TestMinPKeepsTokensNearTheBest(t *testing.T) {
	// By id: 0.15, 0.5, 0.05, 0.3. Relative to the best: 0.3, 1, 0.1, 0.6.
	logits := logitsOf(0.15, 0.5, 0.05, 0.3)
	cases := []struct {
		minP float32
		want []int32 // id order: min-p keeps the pool's order
	}{
		{0.05, []int32{0, 1, 2, 3}},
		{0.2, []int32{0, 1, 3}},
		{0.5, []int32{1, 3}},
		{0.7, []int32{1}},
		{1, []int32{1}},
	}
	for _, tc := range cases {
		p := newPool(logits)
		p.minP(tc.minP)
		if got := p.ids(); !slices.Equal(got, tc.want) {
			t.Errorf("min-p %v = %v, want %v", tc.minP, got, tc.want)
		}
	}
	// On a sorted pool it keeps a prefix.
	p := newPool(logits)
	p.topK(4)
	p.minP(0.2)
	if got := p.ids(); !slices.Equal(got, []int32{1, 3, 0}) {
		t.Errorf("min-p 0.2 after top-k = %v, want [1 3 0]", got)
	}
}

func TestTemperatureDividesLogits(t *testing.T) {
	p := newPool([]float32{1, -2, 4})
	p.temperature(0.5)
	if !slices.Equal(p.work, []float32{2, -4, 8}) {
		t.Errorf("all-tokens pool at T=0.5: %v", p.work)
	}
	p = newPool([]float32{1, -2, 4})
	p.topK(2)
	p.temperature(2)
	got := []float32{p.items[0].logit, p.items[1].logit}
	if !slices.Equal(got, []float32{2, 0.5}) {
		t.Errorf("top-2 pool at T=2: %v, want [2 0.5]", got)
	}
}

func TestPenaltiesExactValues(t *testing.T) {
	logits := []float32{2, -2, 0, 1, 3}
	counts := make([]int32, len(logits))
	// Token 0 twice; 1, 2 and 4 once; 3 never; -1 and 7 are not tokens.
	window := []int32{0, 1, 2, 0, 4, -1, 7}
	penalties(logits, counts, window, 2, 0.5, 0.25)
	want := []float32{
		2/2.0 - (2*0.5 + 0.25), // positive: divided, two occurrences
		-2*2.0 - (0.5 + 0.25),  // negative: multiplied
		0*2.0 - (0.5 + 0.25),   // zero counts as negative
		1,                      // unseen: untouched
		3/2.0 - (0.5 + 0.25),
	}
	if !slices.Equal(logits, want) {
		t.Errorf("penalised logits %v, want %v", logits, want)
	}
	for id, c := range counts {
		if c != 0 {
			t.Errorf("counts[%d] = %d after the call; scratch must be left zeroed", id, c)
		}
	}
}

func TestPenaltyWindow(t *testing.T) {
	h := []int32{1, 2, 3, 4, 5}
	cases := []struct {
		lastN int
		want  []int32
	}{
		{2, []int32{4, 5}},
		{5, h},
		{64, h},
		{-1, h},
	}
	for _, tc := range cases {
		if got := penaltyWindow(h, tc.lastN); !slices.Equal(got, tc.want) {
			t.Errorf("window %d of %v = %v, want %v", tc.lastN, h, got, tc.want)
		}
	}
}

// Through Sample: a repeat penalty outside the window changes nothing,
// inside it flips the greedy choice.
func TestSamplePenaltiesRespectTheWindow(t *testing.T) {
	logits := []float32{0, 3, 2.5, 0}
	s := mustNew(t, Config{RepeatPenalty: 1.5, RepeatLastN: 2})
	if got := s.Sample(logits, []int32{1, 0, 0}); got != 1 {
		t.Errorf("token 1 outside the 2-token window: got %d, want 1", got)
	}
	if got := s.Sample(logits, []int32{0, 1, 0}); got != 2 {
		t.Errorf("token 1 inside the window (3/1.5 = 2 < 2.5): got %d, want 2", got)
	}
	s = mustNew(t, Config{PresencePenalty: 0.4, RepeatLastN: -1})
	if got := s.Sample(logits, []int32{1, 1, 1, 1}); got != 1 {
		t.Errorf("presence 0.4 on token 1, however often (3-0.4 = 2.6 > 2.5): got %d, want 1", got)
	}
	s = mustNew(t, Config{PresencePenalty: 0.6, RepeatLastN: -1})
	if got := s.Sample(logits, []int32{1, 0, 0, 0, 0, 0}); got != 2 {
		t.Errorf("presence 0.6 on token 1 (3-0.6 = 2.4 < 2.5): got %d, want 2", got)
	}
	s = mustNew(t, Config{FrequencyPenalty: 0.3, RepeatLastN: -1})
	if got := s.Sample(logits, []int32{1}); got != 1 {
		t.Errorf("frequency 0.3 once (2.7 > 2.5): got %d, want 1", got)
	}
	if got := s.Sample(logits, []int32{1, 1}); got != 2 {
		t.Errorf("frequency 0.3 twice (2.4 < 2.5): got %d, want 2", got)
	}
}
