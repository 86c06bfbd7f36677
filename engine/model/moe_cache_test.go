package model

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"sync/atomic"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
)

// loadPaged loads the spec with its experts paged into budget bytes, on a
// fresh reference backend, from a file that stays open.
func (s tinySpec) loadPaged(t testing.TB, budget int64) *Model {
	t.Helper()
	b := compute.NewReference(2)
	t.Cleanup(func() { b.Close() })
	m, err := LoadWith(s.file(t), b, LoadOptions{ExpertBudget: budget})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// expertBytes is one expert's gate, up and down bytes summed over the
// spec's layers (what one slot per layer costs).
func expertBytes(t testing.TB, s tinySpec) int64 {
	t.Helper()
	p, err := PlanExpertCache(s.file(t), 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	return p.ExpertBytes / int64(p.Experts)
}

// transcript is the logits of a prompt at every position (ForwardAll),
// then of greedy decode steps one token at a time.
func transcript(t testing.TB, m *Model, prompt []int32, steps int) [][]float32 {
	t.Helper()
	sess, err := m.NewSession(SessionOptions{Context: 64, Batch: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	all, err := sess.ForwardAll(prompt)
	if err != nil {
		t.Fatal(err)
	}
	v := m.HP.Vocab
	var out [][]float32
	for i := range prompt {
		out = append(out, all[i*v:(i+1)*v])
	}
	for range steps {
		last := out[len(out)-1]
		next := int32(slices.Index(last, slices.Max(last)))
		l, err := sess.Forward([]int32{next})
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, slices.Clone(l))
	}
	return out
}

func sameLogits(t *testing.T, what string, got, want [][]float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d positions, want %d", what, len(got), len(want))
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("%s: position %d's logits differ from the resident model's", what, i)
		}
	}
}

var pagedPrompt = []int32{1, 7, 23, 4, 49, 0, 12, 33, 18, 2, 30, 5, 9, 41}

// A model whose experts are paged into a cache a quarter of their size
// (and into one slot a layer, fewer than a token uses: rounds) computes
// the same bits as with every expert resident: prefill in batches of 8
// (several experts per batch, more than the slots) and decode, on each
// MoE architecture, in F32 and Q8_0.
func TestPagedExpertsMatchResident(t *testing.T) {
	specs := []tinySpec{
		{arch: "qwen3moe", experts: 8, used: 2, ffExp: 32, seed: 3},
		{arch: "granitemoe", experts: 8, used: 3, ffShared: 64, seed: 4},
		{arch: "qwen2moe", experts: 8, used: 2, ffExp: 32, ffShared: 64, seed: 5},
		{arch: "llama", experts: 4, used: 2, seed: 6},
		{arch: "olmoe", embd: 64, heads: 4, kv: 4, ff: 64, layers: 2, vocab: 50, experts: 8, used: 2, seed: 7},
	}
	for _, s := range specs {
		for _, typ := range []dtype.Type{dtype.F32, dtype.Q8_0} {
			s := s
			s.typ = typ
			s = s.withDefaults()
			t.Run(fmt.Sprintf("%s-%v", s.arch, typ), func(t *testing.T) {
				want := transcript(t, s.load(t), pagedPrompt, 6)
				per := expertBytes(t, s)
				for _, slots := range []int{s.experts / 4, 1} {
					m := s.loadPaged(t, int64(slots)*per)
					st, ok := m.ExpertCache()
					if !ok || st.Slots != slots || st.Experts != s.experts || st.Layers != s.layers {
						t.Fatalf("cache %+v (paged %v), want %d slots of %d experts in %d layers", st.ExpertCachePlan, ok, slots, s.experts, s.layers)
					}
					got := transcript(t, m, pagedPrompt, 6)
					sameLogits(t, fmt.Sprintf("%d slots", slots), got, want)
					st, _ = m.ExpertCache()
					if st.Misses == 0 || st.BytesRead != st.Misses*per/int64(s.layers) {
						t.Fatalf("%d slots: %d misses read %d bytes; want some, %d bytes each", slots, st.Misses, st.BytesRead, per/int64(s.layers))
					}
					if st.CacheBytes != int64(slots)*per || st.CacheBytes >= st.ExpertBytes {
						t.Fatalf("%d slots: cache of %d bytes for %d of experts", slots, st.CacheBytes, st.ExpertBytes)
					}
				}
			})
		}
	}
}

// A budget that holds every expert pages them all in once: after the
// first passes every lookup hits.
func TestPagedExpertsFullBudgetHits(t *testing.T) {
	s := tinySpec{arch: "qwen3moe", experts: 4, used: 2, ffExp: 32, seed: 8}.withDefaults()
	m := s.loadPaged(t, 1<<40)
	st, _ := m.ExpertCache()
	if st.Slots != s.experts {
		t.Fatalf("%d slots, want all %d experts", st.Slots, s.experts)
	}
	want := transcript(t, s.load(t), pagedPrompt, 4)
	sameLogits(t, "full budget", transcript(t, m, pagedPrompt, 4), want)
	st, _ = m.ExpertCache()
	if st.Misses > int64(s.experts*s.layers) {
		t.Fatalf("%d misses; at most one per expert (%d) with room for all", st.Misses, s.experts*s.layers)
	}
	m.ResetExpertCacheCounts()
	transcript(t, m, pagedPrompt, 4)
	st, _ = m.ExpertCache()
	if st.Misses != 0 || st.Hits == 0 || st.HitRate() != 1 {
		t.Fatalf("warm cache: %d hits, %d misses, rate %v; want only hits", st.Hits, st.Misses, st.HitRate())
	}
	tot, act := m.Parameters()
	rt, ra := s.load(t).Parameters()
	if tot != rt || act != ra {
		t.Fatalf("paged model counts %d total, %d active parameters; resident %d, %d", tot, act, rt, ra)
	}
}

// The cache evicts the least recently used expert not needed by the
// current round, and counts hits and misses.
func TestExpertCacheLRU(t *testing.T) {
	s := tinySpec{arch: "qwen3moe", experts: 6, used: 2, ffExp: 32, seed: 9}.withDefaults()
	m := s.loadPaged(t, 3*expertBytes(t, s))
	p := m.net.(*decoder).Blocks[0].MoE.paged
	if p.slots() != 3 {
		t.Fatalf("%d slots, want 3", p.slots())
	}
	resident := func() []int32 {
		var xs []int32
		for x, sl := range p.slotOf {
			if sl >= 0 {
				xs = append(xs, int32(x))
			}
		}
		return xs
	}
	steps := []struct {
		fetch        []int32
		resident     []int32
		hits, misses int64
	}{
		{[]int32{0, 1}, []int32{0, 1}, 0, 2},
		{[]int32{2}, []int32{0, 1, 2}, 0, 3},
		{[]int32{0}, []int32{0, 1, 2}, 1, 3}, // 0 is now the most recent; 1 the least
		{[]int32{3}, []int32{0, 2, 3}, 1, 4}, // evicts 1
		// A round looks its hits up first, so it never evicts one of
		// its own experts: 4 takes 0's slot, not 2's.
		{[]int32{4, 2}, []int32{2, 3, 4}, 2, 5},
		// 5 takes the least recent slot (3's), then 0 the next (4's).
		{[]int32{5, 0, 2}, []int32{0, 2, 5}, 3, 7},
	}
	for i, st := range steps {
		if err := p.fetch(st.fetch); err != nil {
			t.Fatal(err)
		}
		got := m.experts.stats
		if !slices.Equal(resident(), st.resident) || got.Hits != st.hits || got.Misses != st.misses {
			t.Fatalf("step %d (fetch %v): resident %v, %d hits, %d misses; want %v, %d, %d",
				i, st.fetch, resident(), got.Hits, got.Misses, st.resident, st.hits, st.misses)
		}
		for _, x := range st.fetch {
			// The slot holds the expert's rows of the file (F32 here).
			for k, v := range viewsOf(p, int(x)) {
				pt := p.kinds[k]
				raw := make([]byte, pt.bytes)
				if _, err := m.experts.f.TensorReader(pt.info).ReadAt(raw, int64(x)*pt.bytes); err != nil {
					t.Fatal(err)
				}
				got := make([]float32, v.Rows()*v.Cols())
				m.Backend.Read(v, got)
				for i, g := range got {
					if math.Float32bits(g) != binary.LittleEndian.Uint32(raw[4*i:]) {
						t.Fatalf("step %d: expert %d's slot of %s differs from the file at element %d", i, x, pt.info.Name, i)
					}
				}
			}
		}
	}
}

// failingReader fails every read once armed.
type failingReader struct {
	r     *bytes.Reader
	armed atomic.Bool
}

var errDisk = errors.New("the disk went away")

func (f *failingReader) ReadAt(p []byte, off int64) (int, error) {
	if f.armed.Load() {
		return 0, errDisk
	}
	return f.r.ReadAt(p, off)
}

// A read that fails while paging is an error from Forward (the session
// keeps its place); once reads work again the model computes as before.
func TestPagedExpertReadFailureIsAnError(t *testing.T) {
	s := tinySpec{arch: "granitemoe", experts: 8, used: 2, ffShared: 32, seed: 10}.withDefaults()
	want := transcript(t, s.load(t), pagedPrompt, 3)
	data := s.write(t)
	src := &failingReader{r: bytes.NewReader(data)}
	f, err := gguf.Read(src, int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	b := compute.NewReference(1)
	defer b.Close()
	m, err := LoadWith(f, b, LoadOptions{ExpertBudget: 2 * expertBytes(t, s)})
	if err != nil {
		t.Fatal(err)
	}
	sess, err := m.NewSession(SessionOptions{Context: 64, Batch: 8})
	if err != nil {
		t.Fatal(err)
	}
	src.armed.Store(true)
	_, err = sess.Forward(pagedPrompt)
	wantErr(t, err, "layer 0", "paging in expert", "the disk went away")
	if !errors.Is(err, errDisk) {
		t.Fatalf("error %v does not wrap the read's error", err)
	}
	if sess.Pos() != 0 {
		t.Fatalf("after the error the session is at %d, want 0", sess.Pos())
	}
	src.armed.Store(false)
	sess.Close()
	sameLogits(t, "after a failed read", transcript(t, m, pagedPrompt, 3), want)
}

// Budgets that cannot work are refused with a reason.
func TestExpertBudgetErrors(t *testing.T) {
	s := tinySpec{arch: "qwen3moe", experts: 4, used: 2, ffExp: 32}.withDefaults()
	per := expertBytes(t, s)
	b := compute.NewReference(1)
	defer b.Close()
	_, err := LoadWith(s.file(t), b, LoadOptions{ExpertBudget: per - 1})
	wantErr(t, err, "less than one expert per layer")
	_, err = PlanExpertCache(tinySpec{arch: "llama"}.withDefaults().file(t), per)
	wantErr(t, err, "has no experts")
	_, err = PlanExpertCache(s.file(t), -1)
	wantErr(t, err, "must be positive")
	// A dense model ignores the option.
	m, err := LoadWith(tinySpec{arch: "llama"}.withDefaults().file(t), b, LoadOptions{ExpertBudget: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := m.ExpertCache(); ok {
		t.Fatal("a dense model reports an expert cache")
	}
}

// The slot count keeps the "rows a multiple of 32" property of every
// expert tensor, on which the reference picks its matmul kernel.
func TestPlanSlotsKeepsKernelChoice(t *testing.T) {
	cases := []struct {
		want, experts int
		rows          []int64
		slots         int
	}{
		{5, 32, []int64{512, 1024}, 5}, // every count qualifies
		{5, 32, []int64{16}, 4},        // 32·16 is a multiple of 32: an even count
		{4, 31, []int64{16}, 3},        // 31·16 is not: an odd count
		{1, 8, []int64{8}, 4},          // none below: the first above
		{3, 6, []int64{16, 3}, 2},      // 96 rows qualify, 18 do not: 2·16 and 2·3
		{3, 32, []int64{1}, 32},        // nothing but all of them
	}
	for _, c := range cases {
		if got := planSlots(c.want, c.experts, c.rows); got != c.slots {
			t.Errorf("planSlots(%d, %d, %v) = %d, want %d", c.want, c.experts, c.rows, got, c.slots)
		}
	}
}

func viewsOf(p *pagedExperts, x int) [3]compute.Tensor {
	g, u, d := p.views(x)
	return [3]compute.Tensor{g, u, d}
}

// A paged decode step that hits the cache allocates nothing, as a
// resident one does (TestDecodeStepDoesNotAllocate).
func TestPagedDecodeStepHittingDoesNotAllocate(t *testing.T) {
	s := tinySpec{arch: "qwen3moe", experts: 4, used: 2, ffExp: 32, seed: 8}.withDefaults()
	m := s.loadPaged(t, 1<<40)
	sess, err := m.NewSession(SessionOptions{Context: 128})
	if err != nil {
		t.Fatal(err)
	}
	defer sess.Close()
	if _, err := sess.Forward(pagedPrompt); err != nil {
		t.Fatal(err)
	}
	for id := int32(0); id < int32(s.vocab); id++ { // every expert paged in
		if _, err := sess.Forward([]int32{id}); err != nil {
			t.Fatal(err)
		}
		if sess.Pos() > 100 {
			break
		}
	}
	m.ResetExpertCacheCounts()
	tok := []int32{3}
	allocs := testing.AllocsPerRun(20, func() {
		if _, err := sess.Forward(tok); err != nil {
			t.Fatal(err)
		}
	})
	if st, _ := m.ExpertCache(); st.Misses != 0 {
		t.Fatalf("%d misses with room for every expert", st.Misses)
	}
	if allocs != 0 {
		t.Errorf("%v allocations per paged decode step, want 0", allocs)
	}
}
