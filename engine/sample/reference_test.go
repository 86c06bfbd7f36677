package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// referenceSample is a second, deliberately plain implementation of the
// chain in float64: sort everything when a stage needs order, softmax over
// the survivors, walk. It takes the uniform u instead of a generator and
// reports ambiguous when a float32-vs-float64 difference could flip a
// truncation boundary or the draw.
func referenceSample(logits []float32, history []int32, cfg Config, u float64) (token int32, ambiguous bool) {
	const eps = 1e-4
	n := len(logits)
	l := make([]float64, n)
	for i, v := range logits {
		l[i] = float64(v)
		if math.IsNaN(l[i]) {
			l[i] = math.Inf(-1)
		}
	}
	for id, b := range cfg.LogitBias {
		if int(id) < n {
			l[id] += float64(b)
			if math.IsNaN(l[id]) {
				l[id] = math.Inf(-1)
			}
		}
	}
	if cfg.RepeatLastN != 0 {
		window := history
		if cfg.RepeatLastN > 0 && cfg.RepeatLastN < len(history) {
			window = history[len(history)-cfg.RepeatLastN:]
		}
		count := map[int32]int{}
		for _, id := range window {
			if id >= 0 && int(id) < n {
				count[id]++
			}
		}
		rp := float64(cfg.RepeatPenalty)
		if rp == 0 {
			rp = 1
		}
		for id, c := range count {
			if l[id] <= 0 {
				l[id] *= rp
			} else {
				l[id] /= rp
			}
			l[id] -= float64(c)*float64(cfg.FrequencyPenalty) + float64(cfg.PresencePenalty)
		}
	}

	ids := make([]int32, n)
	for i := range ids {
		ids[i] = int32(i)
	}
	byLogit := func(a, b int32) int {
		if l[a] != l[b] {
			if l[a] > l[b] {
				return -1
			}
			return 1
		}
		return int(a) - int(b)
	}
	if cfg.Temperature <= 0 {
		slices.SortFunc(ids, byLogit)
		if math.IsInf(l[ids[0]], -1) {
			return NoToken, false
		}
		return ids[0], len(ids) > 1 && math.Abs(l[ids[0]]-l[ids[1]]) < eps && l[ids[0]] != l[ids[1]]
	}
	if cfg.TopK > 0 {
		slices.SortFunc(ids, byLogit)
		ids = ids[:min(cfg.TopK, len(ids))]
	}
	if cfg.TopP > 0 && cfg.TopP < 1 {
		slices.SortFunc(ids, byLogit)
		probs := softmax64(l, ids, 1)
		cum := 0.0
		for i := range ids {
			cum += probs[i]
			if math.Abs(cum-float64(cfg.TopP)) < eps {
				ambiguous = true
			}
			if cum >= float64(cfg.TopP) {
				ids = ids[:i+1]
				break
			}
		}
	}
	if cfg.MinP > 0 {
		best := math.Inf(-1)
		for _, id := range ids {
			best = max(best, l[id])
		}
		threshold := best + math.Log(float64(cfg.MinP))
		kept := ids[:0]
		for _, id := range ids {
			if math.Abs(l[id]-threshold) < eps {
				ambiguous = true
			}
			if l[id] >= threshold {
				kept = append(kept, id)
			}
		}
		ids = kept
	}
	probs := softmax64(l, ids, float64(cfg.Temperature))
	run := 0.0
	for i, id := range ids {
		run += probs[i]
		if math.Abs(run-u) < 1e-5 {
			ambiguous = true
		}
		if run >= u && probs[i] > 0 {
			return id, ambiguous
		}
	}
	return ids[len(ids)-1], true
}

// softmax64 is softmax(l[id]/temp) over ids, in ids' order.
func softmax64(l []float64, ids []int32, temp float64) []float64 {
	best := math.Inf(-1)
	for _, id := range ids {
		best = max(best, l[id]/temp)
	}
	out := make([]float64, len(ids))
	var sum float64
	for i, id := range ids {
		out[i] = math.Exp(l[id]/temp - best)
		sum += out[i]
	}
	for i := range out {
		out[i] /= sum
	}
	return out
}

// TestSampleAgreesWithReference runs random configurations over random
// logits and checks Sample against referenceSample fed the same uniforms.
func TestSampleAgreesWithReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(77, 78))
	compared, ambiguous := 0, 0
	for trial := range 600 {
		n := 1 + rng.IntN(3000)
		logits := make([]float32, n)
		scale := 0.3 + 6*rng.Float64()
		for i := range logits {
			switch rng.IntN(40) {
			case 0:
				logits[i] = float32(math.Inf(-1))
			case 2:
				logits[i] = float32(math.NaN())
			case 1:
				if i > 0 {
					logits[i] = logits[i-1] // a tie
					continue
				}
				fallthrough
			default:
				logits[i] = float32(scale * rng.NormFloat64())
			}
		}
		cfg := Config{Seed: rng.Uint64()}
		if rng.IntN(8) > 0 {
			cfg.Temperature = float32(0.2 + 1.5*rng.Float64())
		}
		if rng.IntN(2) == 0 {
			cfg.TopK = 1 + rng.IntN(300)
		}
		if rng.IntN(2) == 0 {
			cfg.TopP = float32(0.05 + 0.94*rng.Float64())
		}
		if rng.IntN(2) == 0 {
			cfg.MinP = float32(0.3 * rng.Float64())
		}
		if rng.IntN(2) == 0 {
			cfg.RepeatPenalty = float32(0.8 + 0.7*rng.Float64())
			cfg.PresencePenalty = float32(rng.Float64() - 0.3)
			cfg.FrequencyPenalty = float32(rng.Float64() - 0.3)
			cfg.RepeatLastN = []int{-1, 1, 8, 64}[rng.IntN(4)]
		}
		if rng.IntN(3) == 0 {
			cfg.LogitBias = map[int32]float32{
				int32(rng.IntN(n)):     float32(math.Inf(-1)),
				int32(rng.IntN(n)):     float32(4 * rng.NormFloat64()),
				int32(n + rng.IntN(9)): 5, // outside the vocabulary
			}
		}
		history := make([]int32, rng.IntN(100))
		for i := range history {
			history[i] = int32(rng.IntN(min(n, 50)))
		}

		s := mustNew(t, cfg)
		var uniforms mt19937
		uniforms.seed64(cfg.Seed)
		for range 3 {
			got := s.Sample(logits, history)
			// Sample draws one uniform exactly when it samples a token.
			peek := uniforms
			u := peek.float64()
			if cfg.Temperature > 0 && got != NoToken {
				uniforms = peek
			}
			want, amb := referenceSample(logits, history, cfg, u)
			if amb {
				ambiguous++
				continue
			}
			compared++
			if got != want {
				t.Fatalf("trial %d (n=%d, %+v): Sample = %d, reference = %d (u=%v)", trial, n, cfg, got, want, u)
			}
			history = append(history, got)
		}
	}
	if compared < 1650 {
		t.Errorf("only %d of %d draws compared (%d ambiguous)", compared, compared+ambiguous, ambiguous)
	}
	t.Logf("%d draws compared, %d skipped as ambiguous", compared, ambiguous)
}
