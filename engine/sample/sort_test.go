package sample

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

var awkwardLogits = []float32{
	0, float32(math.Copysign(0, -1)), 1, -1, 1e-30, -1e-30,
	float32(math.Inf(1)), float32(math.Inf(-1)), math.MaxFloat32, -math.MaxFloat32,
	math.SmallestNonzeroFloat32, 2.5, 2.5, -7, 100, -100,
}

func TestSortKeyRoundTripsAndOrders(t *testing.T) {
	for i, a := range awkwardLogits {
		ca := cand{id: int32(i * 977), logit: a}
		back := unpackKey(sortKey(a, ca.id))
		if back.id != ca.id || back.logit != a {
			t.Errorf("unpackKey(sortKey(%v, %d)) = %+v", a, ca.id, back)
		}
		for j, b := range awkwardLogits {
			cb := cand{id: int32(j * 977), logit: b}
			ka, kb := sortKey(a, ca.id), sortKey(b, cb.id)
			want := compareCand(ca, cb)
			got := 0
			if ka < kb {
				got = -1
			} else if ka > kb {
				got = 1
			}
			if got != want {
				t.Errorf("keys order %+v vs %+v as %d, compareCand says %d", ca, cb, got, want)
			}
		}
	}
}

// sortAll (radix path from an all-tokens pool, comparison path from a
// list) against a stable comparison sort.
func TestSortAllAgreesWithComparisonSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for trial := range 40 {
		n := 1 + rng.IntN(5000)
		logits := make([]float32, n)
		for i := range logits {
			if rng.IntN(4) == 0 {
				logits[i] = awkwardLogits[rng.IntN(len(awkwardLogits))]
			} else {
				logits[i] = float32(rng.NormFloat64() * math.Pow(10, float64(rng.IntN(6)-3)))
			}
		}
		want := make([]cand, n)
		for i, l := range logits {
			want[i] = cand{id: int32(i), logit: l}
		}
		slices.SortStableFunc(want, compareCand)

		p := newPool(logits)
		p.sortAll()
		if !slices.Equal(p.items, want) {
			t.Fatalf("trial %d: radix sort of %d logits differs from the comparison sort", trial, n)
		}
		q := newPool(logits)
		q.materialize()
		rng.Shuffle(len(q.items), func(i, j int) { q.items[i], q.items[j] = q.items[j], q.items[i] })
		q.sortAll()
		if !slices.Equal(q.items, want) {
			t.Fatalf("trial %d: sorting a shuffled list differs from the comparison sort", trial)
		}
	}
}
