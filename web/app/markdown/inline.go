package markdown

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// token is one piece of a line of inlines, in order: a finished inline
// node, or a run of emphasis delimiters (* or _) that the matching pass
// pairs up.
type token struct {
	node *Node  // Code, Link or LineBreak
	text string // plain text, when node is nil and delim is 0

	delim             byte // '*' or '_'
	canOpen, canClose bool
	left              int32  // the run's delimiters not matched (yet)
	pairs             *pairs // the pairs the run takes part in (nil: none)
}

// pairs are the pairs a delimiter run opens and closes, each in the order
// they were matched.
type pairs struct{ opens, closes []match }

// pairsOf returns t's pairs, making them on first use.
func (t *token) pairsOf() *pairs {
	if t.pairs == nil {
		t.pairs = &pairs{}
	}
	return t.pairs
}

// match is one emphasis pair: use delimiters of each side make a node of
// kind (Emphasis for 1, Strong for 2).
type match struct {
	id   int
	kind Kind
	use  int
}

// inlineParser turns a paragraph's (or a heading's, or a link text's)
// text into inline nodes.
type inlineParser struct {
	src    string
	depth  int  // how deep these inlines sit in others (a link's text: 1)
	links  bool // links may start here (not inside a link's text)
	tokens []token
	nextID int

	// The backtick runs of src, by length: where each starts, and how far
	// the search for a closing run of that length has gone.
	ticks     map[int][]int
	tickIndex map[int]int

	// Where the last scan for the end of a link's address stopped (see
	// link): -1 before the first.
	destEnd int
}

// parseInlines parses s into inline nodes.
func parseInlines(s string, depth int, links bool) []*Node {
	p := &inlineParser{src: s, depth: depth, links: links, destEnd: -1}
	// Room for the tokens of ordinary prose (about one per 16 bytes), so
	// that the slice seldom grows.
	p.tokens = make([]token, 0, 2+len(s)/16)
	p.scan()
	p.matchEmphasis()
	return p.build()
}

// scan cuts src into tokens. Plain text is kept as slices of src: a span
// runs until something else starts (an escape ends one span and starts the
// next at the escaped character).
func (p *inlineParser) scan() {
	s := p.src
	start := 0 // where the pending span of text starts
	emit := func(end int, n *Node) {
		if end > start {
			p.tokens = append(p.tokens, token{text: s[start:end]})
		}
		if n != nil {
			p.tokens = append(p.tokens, token{node: n})
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		switch {
		case c == '\\' && i+1 < len(s) && isASCIIPunct(s[i+1]):
			emit(i, nil)
			start = i + 1
			i += 2
		case c == '`':
			n := runLen(s, i)
			if end, ok := p.codeCloser(i, n); ok {
				emit(i, &Node{Kind: Code, Text: codeText(s[i+n : end])})
				i = end + n
				start = i
			} else {
				i += n
			}
		case c == '*' || c == '_':
			n := runLen(s, i)
			emit(i, nil)
			p.tokens = append(p.tokens, delimiterRun(s, i, n))
			i += n
			start = i
		case c == '\n':
			emit(i, &Node{Kind: LineBreak})
			i++
			start = i
		case c == '[' && p.links:
			if link, end := p.link(i); link != nil {
				emit(i, link)
				i = end
				start = i
			} else {
				i++
			}
		case c == '<' && p.links:
			if u, end := angleAutolink(s, i); u != "" {
				emit(i, linkTo(u))
				i = end
				start = i
			} else {
				i++
			}
		case (c == 'h' || c == 'H') && p.links && (i == 0 || !isAlnumByte(s[i-1])):
			if u := bareURL(s[i:]); u != "" {
				emit(i, linkTo(u))
				i += len(u)
				start = i
			} else {
				i++
			}
		default:
			i++
		}
	}
	emit(len(s), nil)
}

// runLen is the length of the run of s[i] starting at i.
func runLen(s string, i int) int {
	n := 1
	for i+n < len(s) && s[i+n] == s[i] {
		n++
	}
	return n
}

// codeCloser finds the backtick run of length n that closes the code
// span opening at i: the next run of exactly that length. Runs are indexed
// once, and the search for each length resumes where it stopped, so all
// searches together take linear time.
func (p *inlineParser) codeCloser(i, n int) (int, bool) {
	if p.ticks == nil {
		p.ticks, p.tickIndex = map[int][]int{}, map[int]int{}
		for j := 0; j < len(p.src); {
			if p.src[j] != '`' {
				j++
				continue
			}
			k := runLen(p.src, j)
			p.ticks[k] = append(p.ticks[k], j)
			j += k
		}
	}
	runs, k := p.ticks[n], p.tickIndex[n]
	for k < len(runs) && runs[k] <= i {
		k++
	}
	p.tickIndex[n] = k
	if k == len(runs) {
		return 0, false
	}
	return runs[k], true
}

// codeText is a code span's text: line ends become spaces, and one space
// is taken off each end when both ends have one (so "“ `x` “" shows `x`).
func codeText(s string) string {
	s = strings.ReplaceAll(s, "\n", " ")
	if len(s) >= 2 && s[0] == ' ' && s[len(s)-1] == ' ' && strings.Trim(s, " ") != "" {
		s = s[1 : len(s)-1]
	}
	return s
}

// delimiterRun makes the token of the run of n delimiters at i, deciding
// from its neighbours whether it may open or close emphasis (CommonMark's
// flanking rules; an underscore inside a word does neither, so snake_case
// stays as written).
func delimiterRun(s string, i, n int) token {
	before, after := ' ', ' ' // the ends of the text count as spaces
	if i > 0 {
		before, _ = utf8.DecodeLastRuneInString(s[:i])
	}
	if i+n < len(s) {
		after, _ = utf8.DecodeRuneInString(s[i+n:])
	}
	leftFlanking := !isSpace(after) && (!isPunct(after) || isSpace(before) || isPunct(before))
	rightFlanking := !isSpace(before) && (!isPunct(before) || isSpace(after) || isPunct(after))
	t := token{delim: s[i], left: int32(n)}
	if s[i] == '*' {
		t.canOpen, t.canClose = leftFlanking, rightFlanking
	} else {
		t.canOpen = leftFlanking && (!rightFlanking || isPunct(before))
		t.canClose = rightFlanking && (!leftFlanking || isPunct(after))
	}
	return t
}

func isSpace(r rune) bool { return unicode.IsSpace(r) }
func isPunct(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

func isASCIIPunct(c byte) bool {
	return strings.IndexByte("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~", c) >= 0
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// matchEmphasis pairs the delimiter runs: each run that may close takes
// the nearest unmatched opener of its character, two delimiters at a time
// (Strong) when both sides have two, else one (Emphasis). When a pair
// forms, the openers of the other character inside it are dropped: they
// could only close outside it, which would not nest. Each step matches or
// drops a delimiter, so the pass is linear.
func (p *inlineParser) matchEmphasis() {
	var openers [2][]int // token indices of the runs that may open, for * and _
	for i := range p.tokens {
		t := &p.tokens[i]
		if t.delim == 0 {
			continue
		}
		x := 0
		if t.delim == '_' {
			x = 1
		}
		for t.canClose && t.left > 0 && len(openers[x]) > 0 {
			oi := openers[x][len(openers[x])-1]
			o := &p.tokens[oi]
			m := match{kind: Emphasis, use: 1}
			if t.left >= 2 && o.left >= 2 {
				m.kind, m.use = Strong, 2
			}
			p.nextID++
			m.id = p.nextID
			o.pairsOf().opens = append(o.pairsOf().opens, m)
			t.pairsOf().closes = append(t.pairsOf().closes, m)
			o.left -= int32(m.use)
			t.left -= int32(m.use)
			if o.left == 0 {
				openers[x] = openers[x][:len(openers[x])-1]
			}
			other := openers[1-x]
			for len(other) > 0 && other[len(other)-1] > oi {
				other = other[:len(other)-1]
			}
			openers[1-x] = other
		}
		if t.canOpen && t.left > 0 {
			openers[x] = append(openers[x], i)
		}
	}
}

// build makes the inline nodes from the matched tokens. A run closes its
// pairs first (its leftmost delimiters, innermost pair first), then shows
// its unmatched delimiters as text, then opens its pairs (its rightmost
// delimiters, outermost pair first). Pairs that would nest deeper than
// maxInlineDepth are shown as text.
func (p *inlineParser) build() []*Node {
	root := &Node{}
	stack := []*Node{root}
	ids := []int{0}
	var literal map[int]bool // made on first use: deep nesting is rare
	// Text is gathered until a node or a change of container ends it, so
	// that runs of text and unmatched delimiters make one Text node.
	var text strings.Builder
	flush := func() {
		if text.Len() > 0 {
			stack[len(stack)-1].add(&Node{Kind: Text, Text: text.String()})
			text.Reset()
		}
	}
	repeat := func(c byte, n int) {
		for range n {
			text.WriteByte(c)
		}
	}
	for i := range p.tokens {
		t := &p.tokens[i]
		switch {
		case t.node != nil:
			flush()
			stack[len(stack)-1].add(t.node)
			continue
		case t.delim == 0:
			text.WriteString(t.text)
			continue
		}
		var ps pairs
		if t.pairs != nil {
			ps = *t.pairs
		}
		for _, m := range ps.closes {
			if literal[m.id] || ids[len(ids)-1] != m.id {
				repeat(t.delim, m.use)
				continue
			}
			flush()
			stack, ids = stack[:len(stack)-1], ids[:len(ids)-1]
		}
		repeat(t.delim, int(t.left))
		for k := len(ps.opens) - 1; k >= 0; k-- {
			m := ps.opens[k]
			if p.depth+len(stack) > maxInlineDepth {
				if literal == nil {
					literal = map[int]bool{}
				}
				literal[m.id] = true
				repeat(t.delim, m.use)
				continue
			}
			flush()
			n := &Node{Kind: m.kind}
			stack[len(stack)-1].add(n)
			stack, ids = append(stack, n), append(ids, m.id)
		}
	}
	flush()
	return root.Children
}
