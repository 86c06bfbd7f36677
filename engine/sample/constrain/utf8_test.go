package constrain

import (
	"math"
	"testing"
)

// listVocab is a vocabulary given as its pieces; the last token ends
// generation.
type listVocab []string

func (v listVocab) VocabSize() int { return len(v) + 1 }
func (v listVocab) Piece(id int32) []byte {
	if id < 0 || int(id) >= len(v) {
		return nil
	}
	return []byte(v[id])
}
func (v listVocab) IsEOG(id int32) bool { return int(id) == len(v) }

func allowedPieces(t *testing.T, c *Constraint, v listVocab) map[string]bool {
	t.Helper()
	logits := make([]float32, v.VocabSize())
	if err := c.Mask(logits); err != nil {
		t.Fatal(err)
	}
	out := map[string]bool{}
	for id, l := range logits {
		if !math.IsInf(float64(l), -1) {
			if int(id) == len(v) {
				out["<end>"] = true
			} else {
				out[v[id]] = true
			}
		}
	}
	return out
}

func TestUTF8SplitAcrossTokens(t *testing.T) {
	// "é" is C3 A9, "😀" is F0 9F 98 80: tokens carry parts of them.
	v := listVocab{`"`, "\xc3", "\xa9", "\xa9\"", "a", "\xf0\x9f", "\x98\x80\"", "\x98", "\x80", "\xc3\xa9", "\"x", "\x9f", "\xf0", "\xc0"}
	s := mustCompile(t, `{"type":"string","minLength":2,"maxLength":2}`)
	x := NewIndex(v)
	c := x.Constrain(s)
	step := func(piece string) {
		t.Helper()
		for id, p := range v {
			if p == piece {
				if err := c.Accept(int32(id)); err != nil {
					t.Fatal(err)
				}
				return
			}
		}
		t.Fatalf("no token %q", piece)
	}
	step(`"`)
	step("\xc3") // the first half of é
	got := allowedPieces(t, c, v)
	// Any continuation byte completes C3 (U+00C0 … U+00FF); A9" would
	// close the string after one character, below minLength.
	want := []string{"\xa9", "\x98", "\x80", "\x9f"}
	if len(got) != len(want) {
		t.Fatalf("after a lead byte C3 the mask allows %q; want %q", keys(got), want)
	}
	for _, p := range want {
		if !got[p] {
			t.Fatalf("after a lead byte C3 the mask allows %q; want %q", keys(got), want)
		}
	}
	step("\xa9")
	got = allowedPieces(t, c, v)
	for _, p := range []string{"\xc3", "a", "\xf0\x9f", "\xc3\xa9"} {
		if !got[p] {
			t.Errorf("after é the mask refuses %q", p)
		}
	}
	for _, p := range []string{"\xa9", "\x98", "\xc0", `"`, "\"x", "<end>"} {
		if got[p] {
			t.Errorf("after é the mask allows %q", p)
		}
	}
	step("\xf0")
	got = allowedPieces(t, c, v)
	// After F0 the next byte is 90..BF (below is an overlong form).
	if !got["\x9f"] || !got["\x98"] || got["\x80"] || !got["\xa9"] || got["a"] || got["\xc0"] {
		t.Fatalf("after F0 the mask allows %q", keys(got))
	}
	step("\x9f")
	got = allowedPieces(t, c, v)
	if !got["\x98\x80\""] || !got["\x80"] || got["\"x"] || got["a"] {
		t.Fatalf("inside 😀 the mask allows %q", keys(got))
	}
	step("\x98\x80\"")
	if !c.Done() || c.Text() != "\"é😀\"" {
		t.Fatalf("done %v, text %q", c.Done(), c.Text())
	}
}

func TestEscapes(t *testing.T) {
	s := mustCompile(t, `{"type":"string","maxLength":3}`)
	for _, doc := range []string{`"\""`, `"\\\/"`, `"\b\f\n"`, `"\r\t"`, `"\u0000"`, `"\uFFFF\uabcd"`, `"\ue000"`} {
		if acc, comp := feedAll(s, doc); !acc || !comp {
			t.Errorf("%s refused", doc)
		}
	}
	// Surrogate escapes are refused (raw UTF-8 says the same thing), so
	// that lengths count code points exactly; so are unknown escapes.
	for _, doc := range []string{`"\ud800"`, `"\uDBFF"`, `"\udc00"`, `"\a"`, `"\u12"`, `"\x41"`, `"\'"`} {
		if acc, comp := feedAll(s, doc); acc && comp {
			t.Errorf("%s accepted", doc)
		}
	}
}

func keys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
