package model

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// A session whose KV cache grows as the context fills computes the bits of
// one whose cache is allocated whole: through a prompt split into passes,
// decode steps that cross growth boundaries, a Reset and a Truncate; and
// its capacity follows the tokens held, in kvStep steps, never past the
// context.
func TestGrowingKVCacheGivesTheSameBits(t *testing.T) {
	for _, s := range []tinySpec{
		{arch: "llama", typ: dtype.Q8_0},
		{arch: "qwen2", typ: dtype.Q4_0},
		{arch: "phi3", typ: dtype.F16, fusedQKV: true},
	} {
		s = s.withDefaults()
		t.Run(s.name(), func(t *testing.T) {
			m := s.load(t)
			const nCtx = 200
			open := func(grow bool) *Session {
				sess, err := m.NewSession(SessionOptions{Context: nCtx, Batch: 16, GrowKV: grow})
				if err != nil {
					t.Fatal(err)
				}
				t.Cleanup(sess.Close)
				return sess
			}
			whole, grown := open(false), open(true)
			if whole.KVCapacity() != nCtx || grown.KVCapacity() != 0 {
				t.Fatalf("capacities before any token: %d and %d, want %d and 0", whole.KVCapacity(), grown.KVCapacity(), nCtx)
			}
			long := make([]int32, 70)
			for i := range long {
				long[i] = int32(i*11+5) % int32(s.vocab)
			}
			same := func(what string, a, b []float32, err error) {
				t.Helper()
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				if !slices.Equal(a, b) {
					t.Fatalf("%s: the growing cache gives other logits", what)
				}
			}
			step := func(what string, ids []int32) {
				t.Helper()
				want, err := whole.Forward(ids)
				if err != nil {
					t.Fatalf("%s: %v", what, err)
				}
				want = slices.Clone(want)
				got, err := grown.Forward(ids)
				same(what, got, want, err)
			}
			step("a 70-token prompt in passes of 16", long)
			if c := grown.KVCapacity(); c != 128 {
				t.Fatalf("after 70 tokens the cache holds %d positions, want 128", c)
			}
			for pos := 70; pos < nCtx; pos++ {
				step(fmt.Sprintf("decode step at %d", pos), []int32{int32(pos*3+1) % int32(s.vocab)})
				want := 128
				switch {
				case pos >= 192:
					want = nCtx // 193 rounds up to 256: capped by the context
				case pos >= 128:
					want = 192
				}
				if c := grown.KVCapacity(); c != want {
					t.Fatalf("after position %d the cache holds %d positions, want %d", pos, c, want)
				}
			}
			if _, err := grown.Forward([]int32{1}); err == nil {
				t.Fatal("a token past the context was accepted")
			}
			whole.Reset()
			grown.Reset()
			step("the prompt again after Reset", long[:40])
			if err := whole.Truncate(20); err != nil {
				t.Fatal(err)
			}
			if err := grown.Truncate(20); err != nil {
				t.Fatal(err)
			}
			step("a continuation after Truncate", long[50:])
			all, err := open(true).ForwardAll(long[:33])
			if err != nil {
				t.Fatal(err)
			}
			wantAll, err := open(false).ForwardAll(long[:33])
			same("ForwardAll", all, wantAll, err)
		})
	}
}

// Closing a growing session frees every tensor it grew.
func TestGrowingKVCacheIsFreedOnClose(t *testing.T) {
	m := tinySpec{arch: "llama", typ: dtype.Q8_0}.withDefaults().load(t)
	for _, grow := range []bool{false, true} {
		sess, err := m.NewSession(SessionOptions{Context: 256, GrowKV: grow})
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < 3; i++ {
			if _, err := sess.Forward(make([]int32, 60)); err != nil {
				t.Fatal(err)
			}
		}
		sess.Close()
		for i := range sess.k {
			if grow && (sess.k[i].Valid() || sess.v[i].Valid()) {
				t.Fatalf("GrowKV %v: layer %d's cache outlives Close", grow, i)
			}
		}
		if sess.owned != nil || sess.KVCapacity() != 0 {
			t.Fatalf("GrowKV %v: Close left %d tensors and a capacity of %d", grow, len(sess.owned), sess.KVCapacity())
		}
	}
}
