package model

import (
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
)

// With SessionOptions.FlashAttention (the reference backend in the wllama
// order), the logits of either cache stay close to the naive float64
// forward pass — within 2e-3 of the largest logit, as with the F16 cache
// (flash attention rounds keys and values to halves even from an F32
// cache) — and differ from the plain graph's, or the option did nothing.
func TestFlashAttentionIsCloseToNaive(t *testing.T) {
	s := tinySpec{arch: "llama", seed: 21}.withDefaults()
	b := compute.NewReferenceOrder(2, compute.OrderWllama)
	defer b.Close()
	m, err := Load(s.file(t), b)
	if err != nil {
		t.Fatal(err)
	}
	logits := func(kv dtype.Type, flash bool) []float32 {
		sess, err := m.NewSession(SessionOptions{Context: 64, KVType: kv, FlashAttention: flash})
		if err != nil {
			t.Fatal(err)
		}
		defer sess.Close()
		got, err := sess.ForwardAll(prompt)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	ref := newNaive(s, 64)
	var want [][]float64
	for pos, id := range prompt {
		want = append(want, ref.step(id, pos))
	}
	for _, kv := range []dtype.Type{dtype.F32, dtype.F16} {
		flash := logits(kv, true)
		if slices.Equal(flash, logits(kv, false)) {
			t.Fatalf("%v cache: flash attention gives the plain graph's logits", kv)
		}
		var worst float64
		for pos := range prompt {
			diff, scale := maxDiff(flash[pos*s.vocab:(pos+1)*s.vocab], want[pos])
			if diff > 2e-3*scale {
				t.Fatalf("%v cache, position %d: logits differ by up to %.3g (largest logit %.3g)", kv, pos, diff, scale)
			}
			worst = max(worst, diff/scale)
		}
		t.Logf("%v cache: largest difference from the float64 pass: %.2g of the largest logit", kv, worst)
	}
}

// A backend without flash attention for the text model (here the
// reference backend in llama.cpp's x86 order) refuses the option with an
// error that names it.
func TestFlashAttentionRefusedWithoutSupport(t *testing.T) {
	m := tinySpec{arch: "llama", seed: 21}.withDefaults().load(t)
	_, err := m.NewSession(SessionOptions{Context: 64, FlashAttention: true})
	if err == nil || !strings.Contains(err.Error(), "flash attention") {
		t.Fatalf("NewSession with FlashAttention in the x86 order: %v", err)
	}
}
