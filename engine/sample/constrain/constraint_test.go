package constrain

import (
	"errors"
	"math"
	"strings"
	"testing"
)

func TestMaskPaddedAndShortLogits(t *testing.T) {
	s := mustCompile(t, `{"type":"boolean"}`)
	c := NewIndex(byteVocab{}).Constrain(s)
	logits := make([]float32, 300) // an output matrix padded past the vocabulary
	for i := range logits {
		logits[i] = float32(i)
	}
	if err := c.Mask(logits); err != nil {
		t.Fatal(err)
	}
	for id, l := range logits {
		want := float32(math.Inf(-1))
		if id == 't' || id == 'f' {
			want = float32(id) // kept as it was
		}
		if l != want {
			t.Fatalf("logit %d is %v after Mask, want %v", id, l, want)
		}
	}
	short := make([]float32, 200) // fewer logits than tokens: the rest are ignored
	if err := c.Mask(short); err != nil || short['t'] != 0 || !math.IsInf(float64(short['a']), -1) {
		t.Fatalf("Mask of 200 logits: %v, t %v, a %v", err, short['t'], short['a'])
	}
}

func TestConstraintErrors(t *testing.T) {
	s := mustCompile(t, `{"type":"object","properties":{"a":{"type":"integer","minimum":0,"maximum":9}},"required":["a"]}`)
	x := NewIndex(byteVocab{})
	c := x.Constrain(s)
	const eog = 256
	if err := c.Accept(eog); err == nil || !strings.Contains(err.Error(), "before the document is complete") {
		t.Fatalf("EOG at the start: %v", err)
	}
	if err := c.Accept('['); err == nil || c.Text() != "" {
		t.Fatalf("a refused token: err %v, text %q", err, c.Text())
	}
	if err := c.Accept(-1); err == nil {
		t.Fatal("token -1 accepted")
	}
	for _, b := range []byte(`{"a":7}`) {
		if !c.Allowed(int32(b)) {
			t.Fatalf("after %q, %q is not allowed", c.Text(), b)
		}
		if err := c.Accept(int32(b)); err != nil {
			t.Fatal(err)
		}
	}
	if !c.Done() || !c.Allowed(eog) || c.Allowed('}') {
		t.Fatalf("after %q: done %v, EOG allowed %v", c.Text(), c.Done(), c.Allowed(eog))
	}
	if err := c.Accept(eog); err != nil {
		t.Fatal(err)
	}
	if err := c.Mask(make([]float32, 257)); err == nil {
		t.Fatal("Mask after the end of generation")
	}

	// A vocabulary in which no token starts with '"' cannot continue "{".
	v := listVocab{"{", "}", "a"}
	d := NewIndex(v).Constrain(s)
	if err := d.Accept(0); err != nil {
		t.Fatal(err)
	}
	if err := d.Mask(make([]float32, v.VocabSize())); !errors.Is(err, ErrDeadEnd) {
		t.Fatalf("Mask with no way on: %v, want ErrDeadEnd", err)
	}
}

// Inside a long string the state differs at every character, but the
// masks of most steps come from the cache.
func TestMaskCacheInLongString(t *testing.T) {
	s := mustCompile(t, `{"type":"object","properties":{"s":{"type":"string","maxLength":300}},"required":["s"]}`)
	v := listVocab{`{"s":"`, "a", "bc", "def", `"}`}
	c := NewIndex(v).Constrain(s)
	logits := make([]float32, v.VocabSize())
	step := func(id int32) {
		t.Helper()
		clear(logits)
		if err := c.Mask(logits); err != nil {
			t.Fatal(err)
		}
		if math.IsInf(float64(logits[id]), -1) {
			t.Fatalf("after %d bytes, token %q is masked", len(c.Text()), v[id])
		}
		if err := c.Accept(id); err != nil {
			t.Fatal(err)
		}
	}
	step(0)
	for i := range 99 {
		step(int32(1 + i%3)) // 198 characters
	}
	step(4)
	hits, misses := c.CacheStats()
	// Two masks (short and long pieces) per step; the first string step
	// misses, and so does each step of the last 24 characters at most.
	if misses > 2*(1+1+24)+2 || hits < 2*80 {
		t.Fatalf("%d hits, %d misses over 101 steps", hits, misses)
	}
	if c.Text() != `{"s":"`+strings.Repeat("abcdef", 33)+`"}` || !c.Done() {
		t.Fatalf("text %q, done %v", c.Text(), c.Done())
	}
}
