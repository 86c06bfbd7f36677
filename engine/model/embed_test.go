package model

import (
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// embedRun evaluates prompt in the chunks given by cuts (Forward per
// chunk, as mtmd evaluates its chunks; the chunks whose index is in asEmbd
// go in as their token embeddings through ForwardEmbeddings), then takes
// four greedy steps, the second of them as an embedding. It returns the
// logits after every chunk and step.
func embedRun(t *testing.T, m *Model, opt SessionOptions, cuts []int, asEmbd map[int]bool) [][]float32 {
	t.Helper()
	s, err := m.NewSession(opt)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var out [][]float32
	feed := func(ids []int32, embedded bool) {
		t.Helper()
		var l []float32
		if embedded {
			e, err := m.TokenEmbeddings(ids)
			if err != nil {
				t.Fatal(err)
			}
			l, err = s.ForwardEmbeddings(e, len(ids))
			if err != nil {
				t.Fatal(err)
			}
		} else if l, err = s.Forward(ids); err != nil {
			t.Fatal(err)
		}
		out = append(out, slices.Clone(l))
	}
	from := 0
	for i, to := range cuts {
		feed(prompt[from:to], asEmbd[i])
		from = to
	}
	for step := range 4 {
		last := out[len(out)-1]
		feed([]int32{int32(slices.Index(last, slices.Max(last)))}, step == 1 && len(asEmbd) > 0)
	}
	return out
}

// Feeding the token embeddings of some ids through ForwardEmbeddings gives
// the bits of feeding the ids, in the same chunks: the embedding scale
// (granite) applies to both, spans longer than a batch split alike, with
// F32 and F16 caches, dense and MoE.
func TestEmbeddingsGiveTheLogitsOfTheirTokens(t *testing.T) {
	cases := []struct {
		spec tinySpec
		opt  SessionOptions
	}{
		{tinySpec{arch: "llama", typ: dtype.Q8_0}, SessionOptions{Context: 64}},
		{tinySpec{arch: "qwen2", typ: dtype.Q4_0}, SessionOptions{Context: 64, Batch: 3}},
		{tinySpec{arch: "granite", typ: dtype.F32}, SessionOptions{Context: 64}},
		{tinySpec{arch: "phi3", typ: dtype.F16, fusedQKV: true, longShort: true}, SessionOptions{Context: 64, KVType: dtype.F16}},
		{tinySpec{arch: "qwen3moe", typ: dtype.Q8_0, experts: 8, used: 2, ffExp: 32}, SessionOptions{Context: 64, GrowKV: true}},
	}
	cuts := []int{1, 7, len(prompt)} // BOS, a six-row "image", text
	for _, c := range cases {
		t.Run(c.spec.name(), func(t *testing.T) {
			m := c.spec.load(t)
			want := embedRun(t, m, c.opt, cuts, nil)
			got := embedRun(t, m, c.opt, cuts, map[int]bool{1: true})
			for i := range want {
				if !slices.Equal(got[i], want[i]) {
					t.Fatalf("logits %d: embeddings give other bits than their tokens", i)
				}
			}
		})
	}
}

// The granite embedding scale multiplies injected rows: embeddings scaled
// down by embedding_scale beforehand are not the tokens' logits.
func TestEmbeddingScaleAppliesToEmbeddings(t *testing.T) {
	m := tinySpec{arch: "granite", typ: dtype.F32}.load(t)
	ids := prompt[:4]
	e, err := m.TokenEmbeddings(ids)
	if err != nil {
		t.Fatal(err)
	}
	run := func(embd []float32) []float32 {
		s, err := m.NewSession(SessionOptions{Context: 16})
		if err != nil {
			t.Fatal(err)
		}
		defer s.Close()
		l, err := s.ForwardEmbeddings(embd, len(ids))
		if err != nil {
			t.Fatal(err)
		}
		return slices.Clone(l)
	}
	s, err := m.NewSession(SessionOptions{Context: 16})
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Forward(ids)
	if err != nil {
		t.Fatal(err)
	}
	if got := run(e); !slices.Equal(got, want) {
		t.Fatal("token embeddings give other logits than their tokens")
	}
	halved := slices.Clone(e)
	for i := range halved {
		halved[i] /= 2
	}
	if got := run(halved); slices.Equal(got, want) {
		t.Fatal("halved embeddings give the tokens' logits: the input is ignored")
	}
}

func TestForwardEmbeddingsErrors(t *testing.T) {
	m := tinySpec{arch: "llama", typ: dtype.F32}.load(t)
	s, err := m.NewSession(SessionOptions{Context: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	w := m.HP.Embd
	if _, err := s.Forward(prompt[:2]); err != nil {
		t.Fatal(err)
	}
	nan := make([]float32, 2*w)
	nan[w+3] = float32(zero() / zero())
	for _, c := range []struct {
		embd []float32
		n    int
		want string
	}{
		{nil, 0, "at least one"},
		{make([]float32, 3*w), 2, "want 128"},
		{make([]float32, 7*w), 7, "after 2 tokens exceed the context of 8"},
		{make([]float32, 9*w), 9, "exceed the context of 8"},
		{nan, 2, "row 1 holds NaN at column 3"},
	} {
		_, err := s.ForwardEmbeddings(c.embd, c.n)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("ForwardEmbeddings(%d values, %d): %v, want an error with %q", len(c.embd), c.n, err, c.want)
		}
		if s.Pos() != 2 {
			t.Fatalf("a refused call moved the cache to %d", s.Pos())
		}
	}
	if _, err := m.TokenEmbeddings([]int32{3, 50}); err == nil || !strings.Contains(err.Error(), "outside the vocabulary of 50") {
		t.Errorf("TokenEmbeddings of token 50: %v", err)
	}
	if _, err := m.TokenEmbeddings(nil); err == nil {
		t.Error("TokenEmbeddings of no tokens: no error")
	}
}

func zero() float64 { return 0 }

// After a warm-up, a one-row ForwardEmbeddings and the decode steps after
// it allocate nothing.
func TestEmbeddingStepDoesNotAllocate(t *testing.T) {
	m := tinySpec{arch: "llama", typ: dtype.Q8_0}.load(t)
	s, err := m.NewSession(SessionOptions{Context: 256})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	e, err := m.TokenEmbeddings([]int32{5})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Forward(prompt); err != nil {
		t.Fatal(err)
	}
	tok := []int32{3}
	allocs := testing.AllocsPerRun(50, func() {
		if _, err := s.ForwardEmbeddings(e, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Forward(tok); err != nil {
			t.Fatal(err)
		}
	})
	if allocs != 0 {
		t.Errorf("%v allocations per embedding and decode step, want 0", allocs)
	}
}
