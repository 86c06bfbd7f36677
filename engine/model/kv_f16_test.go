package model

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// An F16 KV cache holds halves (half the bytes of F32) and its logits stay
// close to the naive float64 forward pass: within 2e-3 of the largest
// logit, where the F32 cache is within 2e-5 (TestMatchesNaiveForward).
// Rounding keys, values, queries and probabilities to halves (relative
// error 2⁻¹¹ ≈ 5e-4 each) moves the attention output by about 1e-3 of
// its size; these two-layer models carry that to the logits unamplified.
// The logits also differ from the F32 cache's, or the option did nothing.
func TestF16KVCacheIsCloseToNaive(t *testing.T) {
	for _, s := range []tinySpec{
		{arch: "llama", seed: 21},
		{arch: "qwen2", base: 1e6, seed: 22},
		{arch: "qwen3", base: 1e6, seed: 23},
		{arch: "phi3", fusedQKV: true, seed: 24},
	} {
		s = s.withDefaults()
		t.Run(s.name(), func(t *testing.T) {
			m := s.load(t)
			logits := func(kv dtype.Type) []float32 {
				sess, err := m.NewSession(SessionOptions{Context: 64, KVType: kv})
				if err != nil {
					t.Fatal(err)
				}
				defer sess.Close()
				if sess.KVType() != kv || sess.k[0].Type() != kv || sess.v[1].Type() != kv {
					t.Fatalf("KVType %v: the session's cache is %v (%v, %v)", kv, sess.KVType(), sess.k[0].Type(), sess.v[1].Type())
				}
				got, err := sess.ForwardAll(prompt)
				if err != nil {
					t.Fatal(err)
				}
				return got
			}
			half, full := logits(dtype.F16), logits(dtype.F32)
			if slices.Equal(half, full) {
				t.Fatal("the F16 cache gives the F32 cache's logits")
			}
			ref := newNaive(s, 64)
			var worst float64
			for pos, id := range prompt {
				want := ref.step(id, pos)
				diff, scale := maxDiff(half[pos*s.vocab:(pos+1)*s.vocab], want)
				if diff > 2e-3*scale {
					t.Fatalf("position %d: logits differ by up to %.3g (largest logit %.3g)", pos, diff, scale)
				}
				worst = max(worst, diff/scale)
			}
			t.Logf("largest difference from the float64 pass: %.2g of the largest logit", worst)
		})
	}
}

// An F16 cache that grows gives the bits of one allocated whole, through a
// prompt in passes and decode steps across growth boundaries; a decode
// step allocates nothing after the first.
func TestF16KVCacheGrowsAndDecodes(t *testing.T) {
	s := tinySpec{arch: "qwen2", typ: dtype.Q8_0, seed: 25}.withDefaults()
	m := s.load(t)
	open := func(grow bool) *Session {
		sess, err := m.NewSession(SessionOptions{Context: 160, Batch: 16, GrowKV: grow, KVType: dtype.F16})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(sess.Close)
		return sess
	}
	whole, grown := open(false), open(true)
	ids := make([]int32, 70)
	for i := range ids {
		ids[i] = int32(i*7+3) % int32(s.vocab)
	}
	step := func(what string, ids []int32) {
		t.Helper()
		want, err := whole.Forward(ids)
		if err != nil {
			t.Fatal(err)
		}
		want = slices.Clone(want)
		got, err := grown.Forward(ids)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, want) {
			t.Fatalf("%s: the growing F16 cache gives other logits", what)
		}
	}
	step("a 70-token prompt", ids)
	for pos := 70; pos < 140; pos++ {
		step(fmt.Sprintf("decode step at %d", pos), []int32{int32(pos) % int32(s.vocab)})
	}
	if c := grown.KVCapacity(); c != 160 {
		t.Fatalf("after 140 tokens the cache holds %d positions, want 160", c)
	}
	tok := []int32{3}
	if allocs := testing.AllocsPerRun(10, func() {
		if _, err := whole.Forward(tok); err != nil {
			t.Fatal(err)
		}
	}); allocs != 0 {
		t.Errorf("%v allocations per decode step with an F16 cache, want 0", allocs)
	}
}

// A KV cache type other than F32 and F16 is refused, by name.
func TestKVTypeMustBeF32OrF16(t *testing.T) {
	m := tinySpec{arch: "llama"}.withDefaults().load(t)
	for _, typ := range []dtype.Type{dtype.BF16, dtype.Q8_0} {
		_, err := m.NewSession(SessionOptions{Context: 32, KVType: typ})
		if err == nil || !strings.Contains(err.Error(), typ.String()) {
			t.Fatalf("KVType %v: error %v, want one naming the type", typ, err)
		}
	}
}
