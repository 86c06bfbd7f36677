package sample

import (
	"math"
	"testing"
)

// statLogits: ten tokens with probabilities from 0.6% to 34%.
var statLogits = []float32{1.0, 0.5, 2.0, -1.0, 0.0, 1.5, -0.5, 0.8, 0.3, -2.0}

// softmaxOver is the reference distribution: softmax of logits/temp in
// float64 over the ids in keep (every id when keep is nil), 0 elsewhere.
func softmaxOver(logits []float32, temp float64, keep []int32) []float64 {
	in := make([]bool, len(logits))
	for i := range in {
		in[i] = keep == nil
	}
	for _, id := range keep {
		in[id] = true
	}
	probs := make([]float64, len(logits))
	var sum float64
	for i, l := range logits {
		if in[i] {
			probs[i] = math.Exp(float64(l) / temp)
			sum += probs[i]
		}
	}
	for i := range probs {
		probs[i] /= sum
	}
	return probs
}

// histogram draws n tokens from s (no history) and counts them.
func histogram(s *Sampler, logits []float32, n int) []int {
	counts := make([]int, len(logits))
	for range n {
		counts[s.Sample(logits, nil)]++
	}
	return counts
}

// chiSquare is Pearson's statistic of counts against probs; a token drawn
// where probs says 0 makes it +Inf. It also returns the degrees of freedom.
func chiSquare(counts []int, probs []float64) (stat float64, df int) {
	n := 0
	for _, c := range counts {
		n += c
	}
	cells := 0
	for i, p := range probs {
		if p == 0 {
			if counts[i] != 0 {
				return math.Inf(1), 0
			}
			continue
		}
		want := p * float64(n)
		d := float64(counts[i]) - want
		stat += d * d / want
		cells++
	}
	return stat, cells - 1
}

// chiSquare999 holds the 99.9% quantiles of the chi-square distribution by
// degrees of freedom: a correct sampler exceeds them one time in a
// thousand, and the fixed seeds make each test's outcome deterministic.
var chiSquare999 = map[int]float64{1: 10.828, 2: 13.816, 3: 16.266, 4: 18.467, 5: 20.515, 9: 27.877}

const statDraws = 40000

func TestTemperatureOneMatchesSoftmax(t *testing.T) {
	counts := histogram(mustNew(t, Config{Temperature: 1, Seed: 11}), statLogits, statDraws)
	stat, df := chiSquare(counts, softmaxOver(statLogits, 1, nil))
	if stat > chiSquare999[df] {
		t.Errorf("chi-square %.2f with %d df exceeds %.2f; counts %v", stat, df, chiSquare999[df], counts)
	}
}

func TestLowTemperatureSharpens(t *testing.T) {
	hot := histogram(mustNew(t, Config{Temperature: 1, Seed: 12}), statLogits, statDraws)
	cold := histogram(mustNew(t, Config{Temperature: 0.5, Seed: 12}), statLogits, statDraws)

	// T=0.5 is softmax(2·logits) ...
	stat, df := chiSquare(cold, softmaxOver(statLogits, 0.5, nil))
	if stat > chiSquare999[df] {
		t.Errorf("T=0.5: chi-square %.2f with %d df exceeds %.2f; counts %v", stat, df, chiSquare999[df], cold)
	}
	// ... which the T=1 distribution does not explain at all (the test has
	// the power to tell them apart).
	if stat, _ := chiSquare(cold, softmaxOver(statLogits, 1, nil)); stat < 1000 {
		t.Errorf("T=0.5 draws fit the T=1 distribution (chi-square %.1f)", stat)
	}
	// The best token gains mass and the entropy drops.
	const best = 2
	if float64(cold[best]) < 1.5*float64(hot[best]) {
		t.Errorf("best token drawn %d times at T=0.5 vs %d at T=1; expected ~1.8x", cold[best], hot[best])
	}
	if hc, hh := entropy(cold), entropy(hot); hc > hh-0.3 {
		t.Errorf("entropy %.3f at T=0.5 vs %.3f at T=1; expected a clear drop", hc, hh)
	}
}

func entropy(counts []int) float64 {
	n := 0
	for _, c := range counts {
		n += c
	}
	var h float64
	for _, c := range counts {
		if c > 0 {
			p := float64(c) / float64(n)
			h -= p * math.Log(p)
		}
	}
	return h
}

// Truncation keeps a hand-checked set and renormalises over it; the
// temperature applies afterwards, to the survivors only.
func TestTruncatedDistributions(t *testing.T) {
	// Probabilities at T=1, best first: id 2 .337, 5 .204, 0 .124, 7 .102,
	// 1 .075, 8 .062, 4 .046, 6 .028, 3 .017, 9 .006.
	cases := []struct {
		name string
		cfg  Config
		keep []int32
		temp float64
	}{
		{"top-k 3", Config{Temperature: 1, TopK: 3}, []int32{2, 5, 0}, 1},
		// Cumulative .337 .541 .666 .767 .842: 0.8 needs five tokens.
		{"top-p 0.8", Config{Temperature: 1, TopP: 0.8}, []int32{2, 5, 0, 7, 1}, 1},
		// min-p 0.3: logit >= 2 + ln 0.3 = 0.796.
		{"min-p 0.3", Config{Temperature: 1, MinP: 0.3}, []int32{2, 5, 0, 7}, 1},
		// At T=0.7 first, top-p 0.8 would keep four tokens; llama.cpp's
		// order truncates at T=1 and only then sharpens the five survivors.
		{"top-p 0.8 then T=0.7", Config{Temperature: 0.7, TopP: 0.8}, []int32{2, 5, 0, 7, 1}, 0.7},
		{"top-k 4 + top-p 0.6 + min-p 0.5", Config{Temperature: 1.3, TopK: 4, TopP: 0.6, MinP: 0.5}, []int32{2, 5}, 1.3},
	}
	for i, tc := range cases {
		tc.cfg.Seed = uint64(100 + i)
		counts := histogram(mustNew(t, tc.cfg), statLogits, statDraws/2)
		stat, df := chiSquare(counts, softmaxOver(statLogits, tc.temp, tc.keep))
		if math.IsInf(stat, 1) {
			t.Errorf("%s: drew a token outside %v: counts %v", tc.name, tc.keep, counts)
			continue
		}
		if stat > chiSquare999[df] {
			t.Errorf("%s: chi-square %.2f with %d df exceeds %.2f; counts %v", tc.name, stat, df, chiSquare999[df], counts)
		}
	}
}
