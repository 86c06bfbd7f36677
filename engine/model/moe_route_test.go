package model

import (
	"math"
	"slices"
	"testing"
)

// lcgLevels draws n values from {0, …, levels−1} with the 32-bit LCG
// x = x·1103515245 + 12345, value (x>>16) mod levels: many ties.
func lcgLevels(seed uint32, n int, levels uint32) []float32 {
	v := make([]float32, n)
	x := seed
	for i := range v {
		x = x*1103515245 + 12345
		v[i] = float32((x >> 16) % levels)
	}
	return v
}

// Ties among router probabilities pick the experts llama.cpp picks: its
// argsort is libstdc++'s std::sort (not stable) with a > comparison. The
// wanted orders were printed by std::sort itself (g++ 12, libstdc++) over
// the same values, so they test the introsort steps, not our reading of
// them.
func TestArgsortMatchesStdSortOnTies(t *testing.T) {
	ones := make([]float32, 32)
	for i := range ones {
		ones[i] = 1
	}
	mixed := []float32{0.5, 2, 2, 0.5, 1, 2, 1, 0.5, 2, 1, 1, 2, 0.5, 0.5, 2, 1, 2, 1, 0.5, 2, 0.5, 1, 2, 2, 1, 0.5, 1, 2, 0.5, 0.5, 1, 2, 1, 2, 0.5, 0.5, 2, 1, 1, 2}
	cases := []struct {
		name string
		v    []float32
		want []int32
	}{
		{"32 equal", ones, []int32{16, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18, 17, 0, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1}},
		{"40 of 3 levels", mixed, []int32{1, 39, 36, 33, 31, 27, 23, 22, 19, 16, 14, 5, 11, 8, 2, 30, 26, 24, 6, 4, 21, 37, 17, 9, 15, 10, 38, 32, 35, 3, 34, 25, 0, 29, 28, 7, 20, 18, 13, 12}},
		{"64 of 4 levels", lcgLevels(12345, 64, 4), []int32{11, 22, 20, 59, 39, 37, 14, 13, 36, 30, 46, 4, 54, 33, 29, 55, 35, 56, 31, 57, 58, 34, 38, 12, 43, 8, 7, 3, 53, 41, 42, 44, 52, 51, 48, 49, 28, 24, 21, 18, 16, 61, 62, 9, 6, 5, 2, 63, 60, 32, 50, 47, 45, 40, 0, 27, 26, 25, 23, 19, 17, 15, 10, 1}},
		{"128 of 3 levels", lcgLevels(777, 128, 3), []int32{45, 110, 26, 27, 30, 31, 32, 34, 97, 96, 39, 87, 1, 51, 76, 53, 54, 74, 56, 71, 59, 61, 62, 22, 121, 11, 120, 7, 124, 119, 14, 118, 5, 4, 17, 18, 114, 2, 112, 125, 73, 67, 64, 123, 122, 66, 65, 77, 79, 80, 81, 84, 88, 92, 93, 95, 99, 100, 116, 102, 104, 107, 113, 108, 109, 13, 21, 20, 19, 41, 47, 16, 49, 44, 50, 23, 12, 24, 9, 58, 8, 6, 3, 33, 42, 105, 106, 115, 29, 103, 101, 28, 25, 111, 38, 117, 15, 10, 126, 127, 83, 63, 60, 68, 69, 70, 72, 57, 55, 75, 52, 78, 48, 82, 35, 46, 85, 86, 43, 89, 90, 91, 94, 40, 0, 37, 98, 36}},
	}
	for _, c := range cases {
		got := make([]int32, len(c.v))
		argsortDesc(got, c.v)
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: argsort %v, std::sort gives %v", c.name, got, c.want)
		}
	}
}

// Up to 16 experts std::sort is an insertion sort: ties keep index order.
// Any size gives a permutation in decreasing order; the heap-sort fallback
// does too.
func TestArgsortOrders(t *testing.T) {
	for n := 1; n <= 130; n++ {
		v := lcgLevels(uint32(n), n, 5)
		idx := make([]int32, n)
		argsortDesc(idx, v)
		seen := make([]bool, n)
		for i, x := range idx {
			if seen[x] {
				t.Fatalf("n=%d: index %d twice in %v", n, x, idx)
			}
			seen[x] = true
			if i > 0 && v[idx[i-1]] < v[x] {
				t.Fatalf("n=%d: not decreasing at %d: %v", n, i, idx)
			}
			if n <= sortThreshold && i > 0 && v[idx[i-1]] == v[x] && idx[i-1] > x {
				t.Fatalf("n=%d: tie out of index order at %d: %v", n, i, idx)
			}
		}
	}
	v := lcgLevels(9, 100, 7)
	s := stdSort{idx: make([]int32, len(v)), v: v}
	for i := range s.idx {
		s.idx[i] = int32(i)
	}
	s.heapSort(0, len(v))
	for i := 1; i < len(v); i++ {
		if v[s.idx[i-1]] < v[s.idx[i]] {
			t.Fatalf("heap sort not decreasing at %d", i)
		}
	}
}

// route's weights: renormalised (qwen3moe, llama, granitemoe) or not
// (qwen2moe, olmoe), scaled when asked, and a non-finite logit is an error.
func TestRouteWeights(t *testing.T) {
	logits := []float32{0.5, 2, -1, 2, 1, 0}
	mk := func(r routing) *moeScratch {
		return &moeScratch{probs: slices.Clone(logits), order: make([]int32, r.experts),
			choice: make([]int32, r.used), weight: make([]float32, r.used)}
	}
	// softmax in float64, for comparison
	var sum float64
	p := make([]float64, len(logits))
	for i, v := range logits {
		p[i] = math.Exp(float64(v))
		sum += p[i]
	}
	for i := range p {
		p[i] /= sum
	}
	for _, c := range []struct {
		r    routing
		want []float64
	}{
		{routing{experts: 6, used: 3}, []float64{p[1], p[3], p[4]}},
		{routing{experts: 6, used: 3, normalize: true}, []float64{p[1] / (p[1] + p[3] + p[4]), p[3] / (p[1] + p[3] + p[4]), p[4] / (p[1] + p[3] + p[4])}},
		{routing{experts: 6, used: 1, normalize: true, scale: 2.5}, []float64{2.5}},
		{routing{experts: 6, used: 6, normalize: true}, []float64{p[1], p[3], p[4], p[0], p[5], p[2]}},
	} {
		sc := mk(c.r)
		if err := route(&c.r, sc, 1); err != nil {
			t.Fatal(err)
		}
		wantChoice := []int32{1, 3, 4, 0, 5, 2}[:c.r.used]
		if !slices.Equal(sc.choice, wantChoice) {
			t.Errorf("%+v: choices %v, want %v (ties to the lower index)", c.r, sc.choice, wantChoice)
		}
		for j, w := range sc.weight {
			if math.Abs(float64(w)-c.want[j]) > 1e-6 {
				t.Errorf("%+v: weight %d = %v, want %v", c.r, j, w, c.want[j])
			}
		}
	}
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		r := routing{experts: 6, used: 2, normalize: true}
		sc := mk(r)
		sc.probs[4] = bad
		err := route(&r, sc, 1)
		wantErr(t, err, "not finite")
		for j, x := range sc.choice {
			if x < 0 || int(x) >= r.experts || sc.weight[j] != 0 {
				t.Fatalf("after %v: choice %v weights %v", bad, sc.choice, sc.weight)
			}
		}
	}
}
