package tokenizer

// Pre-tokenization cuts a text fragment into words before BPE merges run
// inside each word. It works on code points: a segmentation is a list of
// segment lengths in code points, and each step of a pre-tokenizer refines
// every segment of the previous one independently (a step's matches never
// cross a boundary an earlier step made), exactly as llama.cpp chains the
// regexes of one pre-tokenizer.

// splitText is one fragment being pre-tokenized.
type splitText struct {
	cpts  []rune
	flags []uint16

	// Transformed copies for regex steps, built on first use (see regex.go).
	collapsed, wide         string
	collapsedAt, wideAt     []int // byte offset of each code point, plus the end
	haveCollapsed, haveWide bool
}

func (s *splitText) reset(text string) {
	s.cpts = decodeCodepoints(s.cpts[:0], text)
	s.flags = s.flags[:0]
	for _, r := range s.cpts {
		s.flags = append(s.flags, cpFlags(r))
	}
	s.haveCollapsed, s.haveWide = false, false
}

// splitStep refines a segmentation, appending the new one to out.
type splitStep interface {
	split(s *splitText, segs, out []int) []int
}

// segment walks one segment [ini, end) of a splitText, handing out code
// points and flags with out-of-range positions reading as -1 and 0, and
// collecting the lengths of the pieces it is cut into.
type segment struct {
	s        *splitText
	ini, end int
	prev     int // end of the last emitted piece
	out      []int
}

func (g *segment) cpt(i int) rune {
	if i < g.end {
		return g.s.cpts[i]
	}
	return -1
}

func (g *segment) flags(i int) uint16 {
	if i < g.end {
		return g.s.flags[i]
	}
	return 0
}

// emit closes the piece ending at end.
func (g *segment) emit(end int) {
	if end > g.prev {
		g.out = append(g.out, end-g.prev)
	}
	g.prev = end
}

// forEachSegment runs cut over every segment of segs.
func forEachSegment(s *splitText, segs, out []int, cut func(g *segment)) []int {
	start := 0
	for _, n := range segs {
		g := segment{s: s, ini: start, end: start + n, prev: start, out: out}
		cut(&g)
		out = g.out
		start += n
	}
	return out
}

// contraction reports the length of an English contraction ('s 't 'm 'd
// 're 've 'll) starting at pos, or 0. foldCase accepts upper-case letters.
func (g *segment) contraction(pos int, foldCase bool) int {
	if g.cpt(pos) != '\'' || pos+1 >= g.end {
		return 0
	}
	lower := func(r rune) rune {
		if foldCase && r >= 'A' && r <= 'Z' {
			return r + 'a' - 'A'
		}
		return r
	}
	a := lower(g.cpt(pos + 1))
	if a == 's' || a == 't' || a == 'm' || a == 'd' {
		return 2
	}
	if pos+2 < g.end {
		b := lower(g.cpt(pos + 2))
		if (a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l') {
			return 3
		}
	}
	return 0
}

// whitespaceRun counts the whitespace code points from pos and reports the
// position just after the last \r or \n among them (0 if none).
func (g *segment) whitespaceRun(pos int) (n, afterNewline int) {
	for g.flags(pos+n)&flagWhitespace != 0 {
		if c := g.cpt(pos + n); c == '\r' || c == '\n' {
			afterNewline = pos + n + 1
		}
		n++
	}
	return n, afterNewline
}

// trailingWhitespace handles the whitespace alternatives every GPT-2-like
// pattern ends with: \s+(?!\S) takes a run but leaves its last code point
// to the next word when a non-space follows; \s+ takes the rest. A position
// matching nothing becomes a one-code-point piece.
func (g *segment) trailingWhitespace(pos, n int) int {
	switch {
	case n > 1 && pos+n < g.end:
		pos += n - 1
	case n > 0:
		pos += n
	default:
		pos++
	}
	g.emit(pos)
	return pos
}

// gpt2Split is the original GPT-2 pattern
//
//	's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)
//
// written out by hand (it needs look-ahead), following llama.cpp's reading
// of it.
type gpt2Split struct{}

func (gpt2Split) split(s *splitText, segs, out []int) []int {
	return forEachSegment(s, segs, out, func(g *segment) {
		for pos := g.ini; pos < g.end; {
			if n := g.contraction(pos, false); n > 0 {
				pos += n
				g.emit(pos)
				continue
			}
			c := g.cpt(pos)
			f := g.flags(pos)
			if c == ' ' {
				f = g.flags(pos + 1) // an optional leading space joins the run
			}
			var in func(uint16) bool
			switch {
			case f&catLetter != 0:
				in = func(f uint16) bool { return f&catLetter != 0 }
			case f&catNumber != 0:
				in = func(f uint16) bool { return f&catNumber != 0 }
			case f&(flagWhitespace|catLetter|catNumber) == 0 && f != 0:
				in = func(f uint16) bool { return f&(flagWhitespace|catLetter|catNumber) == 0 && f != 0 }
			}
			if in != nil {
				if c == ' ' {
					pos++
				}
				for in(g.flags(pos)) {
					pos++
				}
				g.emit(pos)
				continue
			}
			n, _ := g.whitespaceRun(pos)
			pos = g.trailingWhitespace(pos, n)
		}
	})
}

// llama3Split is the Llama 3 / Qwen 2 family of patterns
//
//	(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
//
// written out by hand. digits is the longest run of digits one word takes
// (3 for Llama 3, 1 for Qwen 2); marks lets letter runs absorb combining
// marks, \p{M}, as Qwen 3.5's variant does.
type llama3Split struct {
	digits int
	marks  bool
}

func (p llama3Split) split(s *splitText, segs, out []int) []int {
	word := uint16(catLetter)
	if p.marks {
		word |= catMark
	}
	return forEachSegment(s, segs, out, func(g *segment) {
		for pos := g.ini; pos < g.end; {
			if n := g.contraction(pos, true); n > 0 {
				pos += n
				g.emit(pos)
				continue
			}
			c := g.cpt(pos)
			f := g.flags(pos)

			// [^\r\n\p{L}\p{N}]?\p{L}+
			if c != '\r' && c != '\n' && f&catNumber == 0 {
				if f&word != 0 || g.flags(pos+1)&word != 0 {
					pos++
					for g.flags(pos)&word != 0 {
						pos++
					}
					g.emit(pos)
					continue
				}
			}

			// \p{N}{1,digits}
			if f&catNumber != 0 {
				run := 0
				for g.flags(pos)&catNumber != 0 {
					pos++
					if run++; run == p.digits {
						g.emit(pos)
						run = 0
					}
				}
				g.emit(pos)
				continue
			}

			// ' ?[^\s\p{L}\p{N}]+[\r\n]*' (and, for marks, not \p{M} either)
			other := func(f uint16) bool { return f&(flagWhitespace|word|catNumber) == 0 }
			f2 := f
			if c == ' ' {
				f2 = g.flags(pos + 1)
			}
			if other(f2) && f != 0 {
				if c == ' ' {
					pos++
				}
				for other(g.flags(pos)) && g.flags(pos) != 0 {
					pos++
				}
				for c := g.cpt(pos); c == '\r' || c == '\n'; c = g.cpt(pos) {
					pos++
				}
				g.emit(pos)
				continue
			}

			// \s*[\r\n]+, then \s+(?!\S) and \s+
			n, afterNewline := g.whitespaceRun(pos)
			if afterNewline > 0 {
				pos = afterNewline
				g.emit(pos)
				continue
			}
			pos = g.trailingWhitespace(pos, n)
		}
	})
}

// newlineSplit separates runs of newlines from runs of anything else:
// [^\n]+|[\n]+
type newlineSplit struct{}

func (newlineSplit) split(s *splitText, segs, out []int) []int {
	return forEachSegment(s, segs, out, func(g *segment) {
		for pos := g.ini; pos < g.end; {
			nl := g.cpt(pos) == '\n'
			for pos < g.end && (g.cpt(pos) == '\n') == nl {
				pos++
			}
			g.emit(pos)
		}
	})
}
