package executor

import (
	"regexp"
	"strings"
	"unicode"
)

// collapse trims s and turns every run of white space into one space, as
// the model should see page text.
func collapse(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	return b.String()
}

// sameText reports whether two labels are equal ignoring case and
// surrounding or repeated white space.
func sameText(a, b string) bool {
	return strings.EqualFold(collapse(a), collapse(b))
}

// clip cuts s to at most max bytes at a rune boundary, reporting whether
// it cut anything.
func clip(s string, max int) (string, bool) {
	if max < 0 {
		max = 0
	}
	if len(s) <= max {
		return s, false
	}
	cut := max
	for cut > 0 && !utf8Start(s[cut]) {
		cut--
	}
	return s[:cut], true
}

func utf8Start(b byte) bool { return b&0xC0 != 0x80 }

// destructiveWords are the names of controls that lose data when used.
var destructiveWords = regexp.MustCompile(`(?i)\b(delete|remove|erase|discard|destroy|wipe)`)

// destructiveName reports whether a control's name says it destroys
// something ("Delete account", "Remove item").
func destructiveName(name string) bool { return destructiveWords.MatchString(name) }

// paymentField matches autocomplete tokens and field names of payment
// data, whose values the model never sees.
var paymentField = regexp.MustCompile(`(?i)(^|[\s_-])cc-|card.?(num|no|number|code)|cardnumber|\bcvc\b|\bcvv|csc\b|security.?code|\biban\b`)

// isPaymentField reports whether any of an input's autocomplete, name or
// id says it holds payment data.
func isPaymentField(autocomplete, name, id string) bool {
	for _, s := range []string{autocomplete, name, id} {
		if s != "" && paymentField.MatchString(s) {
			return true
		}
	}
	return false
}

// matchOption finds the option whose visible text (first) or value
// (second) equals want, ignoring case and white space; -1 when none does.
func matchOption(texts, values []string, want string) int {
	for i, t := range texts {
		if sameText(t, want) {
			return i
		}
	}
	for i, v := range values {
		if i < len(texts) && sameText(v, want) {
			return i
		}
	}
	return -1
}

// charsPerToken is the rough size of a token of English page text, used
// to turn a token budget into a length.
const charsPerToken = 4
