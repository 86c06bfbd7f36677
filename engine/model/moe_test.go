package model

import (
	"math"
	"slices"
	"testing"
)

// A NaN or an infinity reaching a router is an error from Forward, not
// logits; the cache is left as it was, so the session goes on.
func TestMoENonFiniteIsAnError(t *testing.T) {
	for _, bad := range []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1))} {
		// Token 0's embedding holds the bad value.
		s := tinySpec{arch: "qwen3moe", experts: 4, used: 2, ffExp: 32, poison: "token_embd.weight", poisonValue: bad}
		m := s.load(t)
		sess, err := m.NewSession(SessionOptions{Context: 32})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := sess.Forward([]int32{5, 6}); err != nil {
			t.Fatal(err)
		}
		_, err = sess.Forward([]int32{7, 0, 8})
		wantErr(t, err, "layer 0", "not finite")
		if sess.Pos() != 2 {
			t.Fatalf("after the error the session is at %d, want 2", sess.Pos())
		}
		_, err = sess.ForwardAll([]int32{0})
		wantErr(t, err, "not finite")
		got, err := sess.Forward([]int32{7, 8})
		if err != nil {
			t.Fatal(err)
		}
		fresh, _ := m.NewSession(SessionOptions{Context: 32})
		want, err := fresh.Forward([]int32{5, 6, 7, 8})
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("after a refused token the logits differ from a fresh session's")
		}
		sess.Close()
		fresh.Close()
	}
}

// Parameters counts every weight, and as active all but the experts a
// token is not routed to.
func TestParameters(t *testing.T) {
	dense := tinySpec{arch: "llama"}.withDefaults()
	m := dense.load(t)
	total, active := m.Parameters()
	var want int64
	for _, tt := range dense.tensors() {
		want += tt.elements()
	}
	if total != want || active != want {
		t.Fatalf("dense: %d total, %d active; want %d for both", total, active, want)
	}
	s := tinySpec{arch: "qwen3moe", experts: 8, used: 2, ffExp: 32}.withDefaults()
	m = s.load(t)
	total, active = m.Parameters()
	want = 0
	for _, tt := range s.tensors() {
		want += tt.elements()
	}
	perLayer := int64(3 * s.embd * s.ffExp) // one expert's gate, up and down
	if total != want || active != want-int64(s.layers)*6*perLayer {
		t.Fatalf("moe: %d total, %d active; want %d and %d", total, active, want, want-int64(s.layers)*6*perLayer)
	}
}
