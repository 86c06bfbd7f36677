package chat

import (
	"math"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Python's string behaviour, where Go's differs.

// isPySpace is Python's str.isspace for one character.
func isPySpace(r rune) bool {
	switch r {
	case ' ', '\t', '\n', '\v', '\f', '\r', 0x1c, 0x1d, 0x1e, 0x1f, 0x85, 0xa0, 0x2028, 0x2029:
		return true
	}
	return r > 0xff && unicode.Is(unicode.Zs, r)
}

// pyStrip is str.strip/lstrip/rstrip: whitespace, or the given characters.
func pyStrip(s string, chars value, left, right bool) (string, error) {
	cut := isPySpace
	switch c := chars.(type) {
	case nil, undefined:
	case string:
		cut = func(r rune) bool { return strings.ContainsRune(c, r) }
	default:
		return "", errorf("strip arg must be None or str, not %s", typeName(chars))
	}
	if left {
		s = strings.TrimLeftFunc(s, cut)
	}
	if right {
		s = strings.TrimRightFunc(s, cut)
	}
	return s, nil
}

// pySplit is str.split(sep, maxsplit); sep nil splits on runs of whitespace.
func pySplit(s string, sep value, maxsplit int64) ([]string, error) {
	switch sp := sep.(type) {
	case nil, undefined:
		var out []string
		rest := strings.TrimLeftFunc(s, isPySpace)
		for rest != "" {
			if maxsplit >= 0 && int64(len(out)) >= maxsplit {
				out = append(out, rest)
				break
			}
			i := strings.IndexFunc(rest, isPySpace)
			if i < 0 {
				out = append(out, rest)
				break
			}
			out = append(out, rest[:i])
			rest = strings.TrimLeftFunc(rest[i:], isPySpace)
		}
		return out, nil
	case string:
		if sp == "" {
			return nil, errorf("empty separator")
		}
		if maxsplit < 0 {
			return strings.Split(s, sp), nil
		}
		return strings.SplitN(s, sp, int(min(maxsplit, math.MaxInt32))+1), nil
	}
	return nil, errorf("must be str or None, not %s", typeName(sep))
}

// pyRSplit is str.rsplit(sep, maxsplit).
func pyRSplit(s string, sep value, maxsplit int64) ([]string, error) {
	if maxsplit < 0 {
		return pySplit(s, sep, maxsplit)
	}
	switch sp := sep.(type) {
	case nil, undefined:
		var out []string
		rest := strings.TrimRightFunc(s, isPySpace)
		for rest != "" {
			if int64(len(out)) >= maxsplit {
				out = append(out, rest)
				break
			}
			i := strings.LastIndexFunc(rest, isPySpace)
			if i < 0 {
				out = append(out, rest)
				break
			}
			_, size := utf8.DecodeRuneInString(rest[i:])
			out = append(out, rest[i+size:])
			rest = strings.TrimRightFunc(rest[:i], isPySpace)
		}
		reverseStrings(out)
		return out, nil
	case string:
		if sp == "" {
			return nil, errorf("empty separator")
		}
		var out []string
		rest := s
		for int64(len(out)) < maxsplit {
			i := strings.LastIndex(rest, sp)
			if i < 0 {
				break
			}
			out = append(out, rest[i+len(sp):])
			rest = rest[:i]
		}
		out = append(out, rest)
		reverseStrings(out)
		return out, nil
	}
	return nil, errorf("must be str or None, not %s", typeName(sep))
}

func reverseStrings(s []string) {
	for i, j := 0, len(s)-1; i < j; i, j = i+1, j-1 {
		s[i], s[j] = s[j], s[i]
	}
}

// isLineBreak is Python's set of line boundaries for str.splitlines.
func isLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x1c, 0x1d, 0x1e, 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// pySplitLines is str.splitlines(keepends).
func pySplitLines(s string, keepEnds bool) []string {
	var out []string
	start := 0
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		if !isLineBreak(rs[i]) {
			continue
		}
		end := i + 1
		if rs[i] == '\r' && i+1 < len(rs) && rs[i+1] == '\n' {
			end++
		}
		if keepEnds {
			out = append(out, string(rs[start:end]))
		} else {
			out = append(out, string(rs[start:i]))
		}
		start = end
		i = end - 1
	}
	if start < len(rs) {
		out = append(out, string(rs[start:]))
	}
	return out
}

// pyTitle is str.title: the first letter of each run of letters upper
// case, the rest lower case.
func pyTitle(s string) string {
	var b strings.Builder
	prevCased := false
	for _, r := range s {
		switch {
		case unicode.IsLetter(r):
			if prevCased {
				b.WriteRune(unicode.ToLower(r))
			} else {
				b.WriteRune(unicode.ToTitle(r))
			}
			prevCased = true
		default:
			b.WriteRune(r)
			prevCased = false
		}
	}
	return b.String()
}

// pyCapitalize is str.capitalize: first character upper, the rest lower.
func pyCapitalize(s string) string {
	if s == "" {
		return s
	}
	r, size := utf8.DecodeRuneInString(s)
	return string(unicode.ToTitle(r)) + strings.ToLower(s[size:])
}

func parseIntLiteral(s string) (int64, bool) {
	v, err := strconv.ParseInt(s, 10, 64)
	return v, err == nil
}

func parseFloatLiteral(s string) (float64, error) {
	return strconv.ParseFloat(s, 64)
}

// pyParseInt is int(s, base) for a string: optional sign, digits with
// single underscores between them, surrounding whitespace, and a 0x, 0o or
// 0b prefix that matches the base (base 0 reads the prefix).
func pyParseInt(s string, base int) (int64, bool) {
	s = strings.TrimFunc(s, isPySpace)
	sign := ""
	if s != "" && (s[0] == '+' || s[0] == '-') {
		sign, s = s[:1], s[1:]
	}
	prefixBase := map[string]int{"0x": 16, "0o": 8, "0b": 2}
	if len(s) > 2 {
		if b, ok := prefixBase[strings.ToLower(s[:2])]; ok && (base == b || base == 0) {
			s, base = strings.TrimPrefix(s[2:], "_"), b
		}
	}
	if base == 0 {
		if len(s) > 1 && s[0] == '0' && strings.Trim(s, "0_") != "" {
			return 0, false
		}
		base = 10
	}
	if base < 2 || base > 36 || s == "" || strings.Contains(s, "__") || s[0] == '_' || s[len(s)-1] == '_' {
		return 0, false
	}
	v, err := strconv.ParseInt(sign+strings.ReplaceAll(s, "_", ""), base, 64)
	return v, err == nil
}

// pyParseFloat is float(s) for a string, accepting inf and nan spellings.
func pyParseFloat(s string) (float64, bool) {
	s = strings.TrimFunc(s, isPySpace)
	switch strings.ToLower(strings.TrimLeft(s, "+-")) {
	case "inf", "infinity", "nan":
	default:
		if strings.ContainsAny(s, "xXpP") || s == "" {
			return 0, false
		}
	}
	v, err := strconv.ParseFloat(strings.ReplaceAll(s, "_", ""), 64)
	if err != nil && !strings.Contains(err.Error(), "range") {
		return 0, false
	}
	return v, true
}

// runeLen is len() of a Python str.
func runeLen(s string) int {
	n := 0
	for range s {
		n++
	}
	return n
}

// upperSpecial holds the characters whose Python upper case is more than
// one character (Go's ToUpper maps one rune to one rune).
var upperSpecial = map[rune]string{
	'ß': "SS", 'ŉ': "ʼN", 'ﬀ': "FF", 'ﬁ': "FI", 'ﬂ': "FL", 'ﬃ': "FFI", 'ﬄ': "FFL", 'ﬅ': "ST", 'ﬆ': "ST",
}

// pyUpper is str.upper.
func pyUpper(s string) string {
	if !strings.ContainsFunc(s, func(r rune) bool { _, ok := upperSpecial[r]; return ok }) {
		return strings.ToUpper(s)
	}
	var b strings.Builder
	for _, r := range s {
		if u, ok := upperSpecial[r]; ok {
			b.WriteString(u)
		} else {
			b.WriteRune(unicode.ToUpper(r))
		}
	}
	return b.String()
}
