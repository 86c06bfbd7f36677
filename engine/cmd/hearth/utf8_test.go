package main

import "testing"

// The replacements a WHATWG TextDecoder makes (Unicode's "maximal subpart"
// practice, also what the Encoding Standard's test suite expects).
func TestValidText(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"plain", "plain"},
		{"é€😀", "é€😀"},
		{"a\xe2\x82", "a\uFFFD"},               // a euro sign cut short: one replacement
		{"\xe2\x82a", "\uFFFDa"},               // … followed by ASCII
		{"\xb0\xf2", "\uFFFD\uFFFD"},           // a stray continuation, then a cut lead
		{"\xf0\x9f\x98", "\uFFFD"},             // three of an emoji's four bytes
		{"\xe0\x80\x80", "\uFFFD\uFFFD\uFFFD"}, // overlong: E0 must be followed by A0–BF
		{"\xed\xa0\x80", "\uFFFD\uFFFD\uFFFD"}, // a surrogate
		{"\xff", "\uFFFD"},
		{"\xc3", "\uFFFD"},
	} {
		if got := validText(c.in); got != c.want {
			t.Errorf("validText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
