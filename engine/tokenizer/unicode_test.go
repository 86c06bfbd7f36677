package tokenizer

import (
	"slices"
	"testing"
	"unicode"
	"unicode/utf8"
)

// Every code point's class follows Go's Unicode tables, except the
// assignments Unicode 15.1 added (llama.cpp's tables are 15.1).
func TestCodepointClasses(t *testing.T) {
	patched := func(r rune) (uint16, bool) {
		for _, p := range unicode151 {
			if r >= p.first && r <= p.last {
				return p.cat, true
			}
		}
		return 0, false
	}
	bad := 0
	for r := rune(0); r <= utf8.MaxRune; r++ {
		want, ok := patched(r)
		if !ok {
			want = catUndefined
			for _, ct := range categoryTables {
				if unicode.In(r, ct.tables...) {
					want = ct.cat
					break
				}
			}
		}
		if unicode.Is(unicode.White_Space, r) {
			want |= flagWhitespace
		}
		if got := cpFlags(r); got != want {
			if bad++; bad <= 10 {
				t.Errorf("cpFlags(%U) = %#x, want %#x", r, got, want)
			}
		}
	}
	for _, c := range []struct {
		r    rune
		want uint16
	}{
		{'a', catLetter}, {'7', catNumber}, {'½', catNumber}, {' ', catSeparator | flagWhitespace},
		{'\n', catControl | flagWhitespace}, {'\u0301', catMark}, {'$', catSymbol}, {'!', catPunct},
		{0x3000, catSeparator | flagWhitespace}, {0x2EBF0, catLetter}, {0x31EF, catSymbol}, {0x0378, catUndefined},
		{0xE000, catControl}, {0x1C, catControl},
	} {
		if got := cpFlags(c.r); got != c.want {
			t.Errorf("cpFlags(%U) = %#x, want %#x", c.r, got, c.want)
		}
	}
}

func TestDecodeCodepoints(t *testing.T) {
	for _, c := range []struct {
		in   string
		want []rune
	}{
		{"aé😀", []rune{'a', 'é', '😀'}},
		{"\xff", []rune{0xFFFD}},
		{"\xc3", []rune{0xFFFD}},                                     // cut short
		{"\xc3(", []rune{0xFFFD, '('}},                               // bad continuation: resume at the next byte
		{"\x80a", []rune{0xFFFD, 'a'}},                               // stray continuation
		{"\xed\xa0\x80", []rune{0xD800}},                             // surrogates decode, as in llama.cpp
		{"\xc0\xaf", []rune{0x2F}},                                   // and so do overlong forms
		{"\xf7\xbf\xbf\xbf", []rune{0xFFFD, 0xFFFD, 0xFFFD, 0xFFFD}}, // beyond U+10FFFF
	} {
		if got := decodeCodepoints(nil, c.in); !slices.Equal(got, c.want) {
			t.Errorf("decodeCodepoints(%q) = %U, want %U", c.in, got, c.want)
		}
	}
	if got := appendCodepoint(nil, 0xD800); string(got) != "\xed\xa0\x80" {
		t.Errorf("appendCodepoint(U+D800) = %q", got)
	}
}

func TestByteAlphabet(t *testing.T) {
	seen := map[rune]bool{}
	for b := 0; b < 256; b++ {
		r := byteRune[b]
		if seen[r] || !unicode.IsPrint(r) {
			t.Errorf("byte %#x maps to %U (duplicate or unprintable)", b, r)
		}
		seen[r] = true
		if back, ok := byteOfRune(r); !ok || back != byte(b) {
			t.Errorf("byte %#x → %U → %#x", b, r, back)
		}
	}
	if byteRune[' '] != 'Ġ' || byteRune['\n'] != 'Ċ' || byteRune['a'] != 'a' {
		t.Errorf("space, newline, a map to %q %q %q", byteRune[' '], byteRune['\n'], byteRune['a'])
	}
}

func TestNFDFirst(t *testing.T) {
	for in, want := range map[rune]rune{'é': 'e', 'Ä': 'A', 'ử': 'u', '가': 0x1100, 'a': 'a', '中': '中', 'Å': 'A'} {
		if got := nfdFirstOf(in); got != want {
			t.Errorf("nfdFirstOf(%q) = %q, want %q", in, got, want)
		}
	}
}
