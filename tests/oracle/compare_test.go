package oracle

import (
	"fmt"
	"math"
	"testing"
)

// logNormalize shifts log-values so they are the logarithms of a
// distribution: x − log Σ exp(x), in float64. For our logits it is
// log_softmax; for llama.cpp's log-probabilities it undoes the rounding of
// the float32 sum llama.cpp divided by.
func logNormalize(x []float64) []float64 {
	m := math.Inf(-1)
	for _, v := range x {
		m = math.Max(m, v)
	}
	s := 0.0
	for _, v := range x {
		s += math.Exp(v - m)
	}
	lse := m + math.Log(s)
	out := make([]float64, len(x))
	for i, v := range x {
		out[i] = v - lse
	}
	return out
}

// logprobDiff is the largest |log p_ours − log p_llama.cpp| over the
// vocabulary, and the token where it occurs.
func logprobDiff(ourLogits, theirLogprobs []float64) (maxDiff float64, at int, err error) {
	if len(ourLogits) != len(theirLogprobs) {
		return 0, 0, fmt.Errorf("hearth gave %d logits, llama.cpp %d probabilities", len(ourLogits), len(theirLogprobs))
	}
	for i, v := range ourLogits {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, fmt.Errorf("hearth's logit of token %d is %v", i, v)
		}
	}
	for i, v := range theirLogprobs {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return 0, 0, fmt.Errorf("llama.cpp's probability of token %d is 0 or NaN: the model is unhealthy", i)
		}
	}
	ours, theirs := logNormalize(ourLogits), logNormalize(theirLogprobs)
	for i := range ours {
		if d := math.Abs(ours[i] - theirs[i]); d > maxDiff {
			maxDiff, at = d, i
		}
	}
	return maxDiff, at, nil
}

// greedyResult says how far two greedy continuations agree.
type greedyResult struct {
	matched int    // leading tokens that agree
	note    string // why the comparison stopped early, if it did without failing
}

// compareGreedy walks hearth's and llama.cpp's greedy tokens side by side.
// Parting ways is an error unless llama.cpp's own top-2 margin at that step
// was at most tieMargin (a near-tie that rounding may decide either way);
// after such a step the continuations are unrelated and are not compared.
// hearth may leave out the end-of-generation token llama.cpp stopped at.
func compareGreedy(ours []int, theirs *Answer, tieMargin float64) (greedyResult, error) {
	for i, want := range theirs.IDs {
		if i >= len(ours) {
			if theirs.StoppedAtEog && i == len(theirs.IDs)-1 {
				return greedyResult{matched: i, note: "both stopped at end of generation"}, nil
			}
			return greedyResult{matched: i}, fmt.Errorf("hearth stopped after %d tokens; llama.cpp went on with %d", i, want)
		}
		if ours[i] != want {
			if m := theirs.Margins[i]; m <= tieMargin {
				return greedyResult{matched: i, note: fmt.Sprintf("parted at step %d on a near-tie (llama.cpp margin %.2g)", i, m)}, nil
			}
			return greedyResult{matched: i}, fmt.Errorf("step %d: hearth picked %d, llama.cpp %d with a clear margin of %.3g (hearth %v, llama.cpp %v)",
				i, ours[i], want, theirs.Margins[i], ours, theirs.IDs)
		}
	}
	if len(ours) > len(theirs.IDs) {
		return greedyResult{matched: len(theirs.IDs)}, fmt.Errorf("hearth went on for %d tokens after llama.cpp stopped at end of generation (%d)",
			len(ours)-len(theirs.IDs), theirs.IDs[len(theirs.IDs)-1])
	}
	return greedyResult{matched: len(theirs.IDs)}, nil
}

func TestCompareHelpers(t *testing.T) {
	// logprobDiff ignores a constant offset per position and sees a change.
	a := []float64{1, 2, 3, -4}
	b := []float64{11, 12, 13, 6}
	if d, _, err := logprobDiff(a, b); err != nil || d > 1e-12 {
		t.Errorf("shifted logits: diff %v, %v", d, err)
	}
	b[3] += 0.5
	if d, at, _ := logprobDiff(a, b); at != 3 || d < 0.49 {
		t.Errorf("changed logit: diff %v at %d", d, at)
	}
	if _, _, err := logprobDiff(a, []float64{1, 2, math.Inf(-1), 0}); err == nil {
		t.Error("a zero probability from llama.cpp was accepted")
	}

	ans := &Answer{IDs: []int{5, 6, 7, 8}, Margins: []float64{1, 0.0005, 1, 1}}
	if r, err := compareGreedy([]int{5, 6, 7, 8}, ans, 1e-3); err != nil || r.matched != 4 {
		t.Errorf("equal: %+v %v", r, err)
	}
	if r, err := compareGreedy([]int{5, 9, 1, 1}, ans, 1e-3); err != nil || r.matched != 1 || r.note == "" {
		t.Errorf("near-tie: %+v %v", r, err)
	}
	if _, err := compareGreedy([]int{5, 6, 9, 8}, ans, 1e-3); err == nil {
		t.Error("a clear-margin divergence passed")
	}
	if _, err := compareGreedy([]int{5, 6}, ans, 1e-3); err == nil {
		t.Error("stopping early passed")
	}
	eog := &Answer{IDs: []int{5, 2}, Margins: []float64{1, 1}, StoppedAtEog: true}
	if r, err := compareGreedy([]int{5}, eog, 1e-3); err != nil || r.matched != 1 {
		t.Errorf("EOG left out: %+v %v", r, err)
	}
	if _, err := compareGreedy([]int{5, 2, 3}, eog, 1e-3); err == nil {
		t.Error("going on after EOG passed")
	}
}
