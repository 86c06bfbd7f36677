package image

import (
	"math/rand"
	"testing"
)

// grayRow builds a w×1 image whose channels all carry the given values.
func grayRow(vals ...uint8) *RGB {
	m := NewRGB(len(vals), 1)
	for x, v := range vals {
		m.Set(x, 0, [3]uint8{v, v, v})
	}
	return m
}

// channel0 returns the first channel of every pixel, row-major.
func channel0(m *RGB) []uint8 {
	out := make([]uint8, m.W*m.H)
	for i := range out {
		out[i] = m.Pix[3*i]
	}
	return out
}

func newRand(seed int64) *rand.Rand { return rand.New(rand.NewSource(seed)) }

func randomRGB(rng *rand.Rand, w, h int) *RGB {
	m := NewRGB(w, h)
	for i := range m.Pix {
		m.Pix[i] = uint8(rng.Intn(256))
	}
	return m
}

func equalBytes(t *testing.T, what string, got, want []uint8) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: got %d values %v, want %d values %v", what, len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("%s: got %v, want %v (first difference at %d)", what, got, want, i)
		}
	}
}
