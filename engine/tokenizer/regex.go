package tokenizer

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Pre-tokenizer patterns without look-ahead run on Go's regexp package,
// whose leftmost-first matching picks the same match a backtracking engine
// (llama.cpp uses std::regex) would. llama.cpp does not hand such engines the
// text itself but a stand-in that makes their answers independent of the
// engine's own Unicode tables; we build the same stand-ins:
//
//   - For a pattern using Unicode classes (\p{L} …), every code point above
//     ASCII becomes one placeholder per class, and each \p{X} becomes a
//     character class of its placeholder plus the ASCII members of X. So the
//     classes follow our Unicode tables (unicode.go), not the engine's.
//   - For a pattern without them, code points stand for themselves.
//
// In both, whitespace above ASCII becomes \v, and \s means exactly
// [\t\n\v\f\r ] (C's isspace), so non-ASCII whitespace counts as \s even
// where a pattern's literal ranges would otherwise include it.

// Placeholders for non-ASCII code points by class.
const (
	phOther  = 0xD0
	phNumber = 0xD1
	phLetter = 0xD2
	phPunct  = 0xD3
	phMark   = 0xD4
	phSymbol = 0xD5
)

// classBody is what \p{X} stands for inside a character class.
var classBody = map[string]string{
	"N":  `\x{D1}0-9`,
	"L":  `\x{D2}A-Za-z`,
	"Lu": `\x{D2}A-Za-z`, // the placeholder cannot tell letter cases apart
	"Ll": `\x{D2}A-Za-z`,
	"Lt": `\x{D2}A-Za-z`,
	"Lm": `\x{D2}A-Za-z`,
	"Lo": `\x{D2}A-Za-z`,
	"P":  `\x{D3}!-#%-*,-/:;?@\[-\]_\{\}`,
	"M":  `\x{D4}`,
	"S":  `\x{D5}\$\+<->\^\x60\|~`,
}

const spaceBody = `\t\n\v\f\r `

// regexSplit isolates every match of a pattern: matches and the text
// between them become separate segments.
type regexSplit struct {
	re        *regexp.Regexp
	collapsed bool // pattern uses \p{…}: match against the class stand-in
}

// newRegexSplit translates a pattern written in the usual tokenizer.json
// dialect into one for the stand-in text.
func newRegexSplit(pattern string) *regexSplit {
	collapsed := strings.Contains(pattern, `\p{`)
	var b strings.Builder
	inClass := false
	for i := 0; i < len(pattern); i++ {
		c := pattern[i]
		switch {
		case c == '\\' && i+1 < len(pattern):
			next := pattern[i+1]
			switch {
			case next == 'p' && collapsed && i+2 < len(pattern) && pattern[i+2] == '{':
				end := strings.IndexByte(pattern[i:], '}')
				body, ok := classBody[pattern[i+3:i+end]]
				if !ok {
					panic("tokenizer: unsupported class in pattern " + pattern)
				}
				if inClass {
					b.WriteString(body)
				} else {
					b.WriteString("[" + body + "]")
				}
				i += end
			case next == 's':
				if inClass {
					b.WriteString(spaceBody)
				} else {
					b.WriteString("[" + spaceBody + "]")
				}
				i++
			case next == 'S' && !inClass:
				b.WriteString("[^" + spaceBody + "]")
				i++
			case next == 'd' && !inClass:
				b.WriteString("[0-9]")
				i++
			default:
				b.WriteByte(c)
				b.WriteByte(next)
				i++
			}
		case c == '[' && !inClass:
			inClass = true
			b.WriteByte(c)
			if i+1 < len(pattern) && pattern[i+1] == '^' {
				b.WriteByte('^')
				i++
			}
		case c == ']' && inClass:
			inClass = false
			b.WriteByte(c)
		default:
			b.WriteByte(c)
		}
	}
	return &regexSplit{re: regexp.MustCompile(b.String()), collapsed: collapsed}
}

// standIn returns the stand-in text for s and the byte offset of each code
// point in it (plus the end).
func (s *splitText) standIn(collapsed bool) (string, []int) {
	if collapsed && s.haveCollapsed {
		return s.collapsed, s.collapsedAt
	}
	if !collapsed && s.haveWide {
		return s.wide, s.wideAt
	}
	buf := make([]byte, 0, len(s.cpts)+8)
	at := make([]int, 0, len(s.cpts)+1)
	for i, r := range s.cpts {
		at = append(at, len(buf))
		f := s.flags[i]
		switch {
		case r < 0x80:
		case f&flagWhitespace != 0:
			r = '\v'
		case collapsed:
			r = placeholder(f)
		}
		buf = utf8.AppendRune(buf, r)
	}
	at = append(at, len(buf))
	if collapsed {
		s.collapsed, s.collapsedAt, s.haveCollapsed = string(buf), at, true
		return s.collapsed, at
	}
	s.wide, s.wideAt, s.haveWide = string(buf), at, true
	return s.wide, at
}

func placeholder(f uint16) rune {
	switch {
	case f&catNumber != 0:
		return phNumber
	case f&catLetter != 0:
		return phLetter
	case f&catPunct != 0:
		return phPunct
	case f&catMark != 0:
		return phMark
	case f&catSymbol != 0:
		return phSymbol
	}
	return phOther
}

func (p *regexSplit) split(s *splitText, segs, out []int) []int {
	text, at := s.standIn(p.collapsed)
	start := 0
	for _, n := range segs {
		ini, end := start, start+n
		start = end
		sub := text[at[ini]:at[end]]
		cp := ini // code point index being tracked
		prev := ini
		toIndex := func(byteOff int) int { // byte offset in sub → code point index
			for at[cp]-at[ini] < byteOff {
				cp++
			}
			return cp
		}
		for _, m := range p.re.FindAllStringIndex(sub, -1) {
			a, b := toIndex(m[0]), toIndex(m[1])
			if a > prev {
				out = append(out, a-prev)
			}
			if b > a {
				out = append(out, b-a)
			}
			prev = b
		}
		if end > prev {
			out = append(out, end-prev)
		}
	}
	return out
}
