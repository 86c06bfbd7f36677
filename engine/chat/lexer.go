package chat

import (
	"regexp"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// The lexer turns template source into tokens: text runs, and the
// expression tokens inside {{ }} and {% %} tags (comments vanish). It also
// applies whitespace control the way Hugging Face renders chat templates:
// Jinja with trim_blocks and lstrip_blocks on, plus the "-" and "+" tag
// modifiers, and one trailing newline of the source dropped.

type tokenKind int

const (
	tokText tokenKind = iota
	tokVarBegin
	tokVarEnd
	tokBlockBegin
	tokBlockEnd
	tokName
	tokString
	tokInt
	tokFloat
	tokOp
	tokEOF
)

type token struct {
	kind tokenKind
	text string // text run, name, operator, or decoded string literal
	num  int64
	fnum float64
	line int
	col  int
}

// piece is a stretch of source: text, or one tag.
type piece struct {
	text   bool
	value  string // text content
	kind   byte   // tag kind: 'v' {{ }}, 'b' {% %}, 'c' {# #}, 'R' raw, 'r' endraw
	lmod   byte   // '-' or '+' right after the opening delimiter, else 0
	rmod   byte   // '-' or '+' right before the closing delimiter, else 0
	toks   []token
	atLine bool // text: starts at the beginning of a line
	line   int  // tag: where it starts
	col    int
}

type lexer struct {
	src        string
	lineStarts []int
	pieces     []piece
	// The last position computed, to count on from: scanning moves
	// forward, so positions cost linear time overall.
	lastOff, lastLine, lastCol int
}

var endRawRe = regexp.MustCompile(`\{%([-+]?)\s*endraw\s*([-+]?)%\}`)

func lex(src string) ([]token, error) {
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	src = strings.TrimSuffix(src, "\n")
	l := &lexer{src: src, lineStarts: []int{0}, lastLine: 1, lastCol: 1}
	for i := 0; i < len(src); i++ {
		if src[i] == '\n' {
			l.lineStarts = append(l.lineStarts, i+1)
		}
	}
	if err := l.scan(); err != nil {
		return nil, err
	}
	l.controlWhitespace()
	return l.flatten(), nil
}

// position converts a byte offset to a 1-based line and column (in runes).
func (l *lexer) position(off int) (int, int) {
	line := sort.Search(len(l.lineStarts), func(i int) bool { return l.lineStarts[i] > off })
	start := l.lineStarts[line-1]
	from, col := start, 1
	if l.lastLine == line && l.lastOff >= start && l.lastOff <= off {
		from, col = l.lastOff, l.lastCol
	}
	col += utf8.RuneCountInString(l.src[from:off])
	l.lastOff, l.lastLine, l.lastCol = off, line, col
	return line, col
}

func (l *lexer) errorAt(off int, format string, args ...any) error {
	line, col := l.position(off)
	return syntaxErrorf(line, col, format, args...)
}

// scan splits the source into text and tag pieces.
func (l *lexer) scan() error {
	pos := 0
	atLine := true
	for pos < len(l.src) {
		start, kind := findTagStart(l.src, pos)
		if start < 0 {
			l.pieces = append(l.pieces, piece{text: true, value: l.src[pos:], atLine: atLine})
			return nil
		}
		if start > pos {
			l.pieces = append(l.pieces, piece{text: true, value: l.src[pos:start], atLine: atLine})
		}
		var end int
		var err error
		switch kind {
		case 'c':
			end, err = l.scanComment(start)
		default:
			end, err = l.scanTag(start, kind)
		}
		if err != nil {
			return err
		}
		pos = end
		atLine = false
		if p := &l.pieces[len(l.pieces)-1]; p.kind == 'b' && isRawTag(p.toks) {
			p.kind = 'R'
			pos, err = l.scanRaw(start, pos)
			if err != nil {
				return err
			}
		}
	}
	return nil
}

// findTagStart finds the next "{{", "{%" or "{#" at or after pos.
func findTagStart(src string, pos int) (int, byte) {
	for {
		i := strings.IndexByte(src[pos:], '{')
		if i < 0 || pos+i+1 >= len(src) {
			return -1, 0
		}
		i += pos
		switch src[i+1] {
		case '{':
			return i, 'v'
		case '%':
			return i, 'b'
		case '#':
			return i, 'c'
		}
		pos = i + 1
	}
}

func isRawTag(toks []token) bool {
	return len(toks) == 1 && toks[0].kind == tokName && toks[0].text == "raw"
}

func (l *lexer) scanComment(start int) (int, error) {
	p := piece{kind: 'c'}
	body := start + 2
	if body < len(l.src) && (l.src[body] == '-' || l.src[body] == '+') {
		p.lmod = l.src[body]
	}
	i := strings.Index(l.src[body:], "#}")
	if i < 0 {
		return 0, l.errorAt(start, "unclosed comment")
	}
	end := body + i
	if end > body && l.src[end-1] == '-' {
		p.rmod = '-'
	}
	l.pieces = append(l.pieces, p)
	return end + 2, nil
}

// scanRaw takes everything up to {% endraw %} as text.
func (l *lexer) scanRaw(start, pos int) (int, error) {
	m := endRawRe.FindStringSubmatchIndex(l.src[pos:])
	if m == nil {
		return 0, l.errorAt(start, "missing {%% endraw %%}")
	}
	l.pieces = append(l.pieces, piece{text: true, value: l.src[pos : pos+m[0]]})
	end := piece{kind: 'r'}
	if m[3] > m[2] {
		end.lmod = l.src[pos+m[2]]
	}
	if m[5] > m[4] {
		end.rmod = l.src[pos+m[4]]
	}
	l.pieces = append(l.pieces, end)
	return pos + m[1], nil
}

// scanTag reads the expression tokens of a {{ }} or {% %} tag. Closing
// delimiters count only outside brackets, so "{{ {'a': {'b': 1}} }}" works.
func (l *lexer) scanTag(start int, kind byte) (int, error) {
	p := piece{kind: kind}
	p.line, p.col = l.position(start)
	pos := start + 2
	if pos < len(l.src) && (l.src[pos] == '-' || l.src[pos] == '+') {
		p.lmod = l.src[pos]
		pos++
	}
	closer := "}}"
	if kind == 'b' {
		closer = "%}"
	}
	depth := 0
	for {
		for pos < len(l.src) && isSpaceByte(l.src[pos]) {
			pos++
		}
		if pos >= len(l.src) {
			if kind == 'b' {
				return 0, l.errorAt(start, "unclosed tag: missing %%}")
			}
			return 0, l.errorAt(start, "unclosed tag: missing }}")
		}
		rest := l.src[pos:]
		if depth == 0 {
			if strings.HasPrefix(rest, closer) {
				l.pieces = append(l.pieces, p)
				return pos + 2, nil
			}
			if (rest[0] == '-' || rest[0] == '+') && strings.HasPrefix(rest[1:], closer) {
				p.rmod = rest[0]
				l.pieces = append(l.pieces, p)
				return pos + 3, nil
			}
		}
		tok, n, err := l.scanToken(pos, p.toks)
		if err != nil {
			return 0, err
		}
		if tok.kind == tokOp {
			switch tok.text {
			case "(", "[", "{":
				depth++
			case ")", "]", "}":
				if depth == 0 {
					return 0, l.errorAt(pos, "unexpected %q", tok.text)
				}
				depth--
			}
		}
		p.toks = append(p.toks, tok)
		pos += n
	}
}

func isSpaceByte(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\f' || c == '\v' }

var twoCharOps = []string{"//", "**", "==", "!=", "<=", ">="}

const oneCharOps = "+-*/%~<>=()[]{},.:|"

// scanToken reads one expression token at pos; prev lets "x.0.1" lex as
// attribute steps rather than a float.
func (l *lexer) scanToken(pos int, prev []token) (token, int, error) {
	line, col := l.position(pos)
	tok := token{line: line, col: col}
	rest := l.src[pos:]
	r, size := utf8.DecodeRuneInString(rest)
	switch {
	case r == '_' || unicode.IsLetter(r):
		n := size
		for n < len(rest) {
			r2, s2 := utf8.DecodeRuneInString(rest[n:])
			if r2 != '_' && !unicode.IsLetter(r2) && !unicode.IsDigit(r2) {
				break
			}
			n += s2
		}
		tok.kind, tok.text = tokName, rest[:n]
		return tok, n, nil
	case r >= '0' && r <= '9':
		afterDot := len(prev) > 0 && prev[len(prev)-1].kind == tokOp && prev[len(prev)-1].text == "."
		return scanNumber(tok, rest, afterDot, l, pos)
	case r == '\'' || r == '"':
		return l.scanString(tok, rest, pos)
	}
	for _, op := range twoCharOps {
		if strings.HasPrefix(rest, op) {
			tok.kind, tok.text = tokOp, op
			return tok, 2, nil
		}
	}
	if strings.IndexByte(oneCharOps, rest[0]) >= 0 {
		tok.kind, tok.text = tokOp, rest[:1]
		return tok, 1, nil
	}
	return tok, 0, l.errorAt(pos, "unexpected character %q", r)
}

func scanDigits(s string, i int) int {
	for i < len(s) && (s[i] >= '0' && s[i] <= '9' || s[i] == '_' && i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '9') {
		i++
	}
	return i
}

func scanNumber(tok token, rest string, afterDot bool, l *lexer, pos int) (token, int, error) {
	n := scanDigits(rest, 0)
	isFloat := false
	if !afterDot {
		if n+1 < len(rest) && rest[n] == '.' && rest[n+1] >= '0' && rest[n+1] <= '9' {
			n = scanDigits(rest, n+1)
			isFloat = true
		}
		if n < len(rest) && (rest[n] == 'e' || rest[n] == 'E') {
			m := n + 1
			if m < len(rest) && (rest[m] == '+' || rest[m] == '-') {
				m++
			}
			if m < len(rest) && rest[m] >= '0' && rest[m] <= '9' {
				n = scanDigits(rest, m)
				isFloat = true
			}
		}
	}
	text := strings.ReplaceAll(rest[:n], "_", "")
	if isFloat {
		f, err := parseFloatLiteral(text)
		if err != nil {
			return tok, 0, l.errorAt(pos, "bad number %q", rest[:n])
		}
		tok.kind, tok.fnum, tok.text = tokFloat, f, rest[:n]
		return tok, n, nil
	}
	v, ok := parseIntLiteral(text)
	if !ok {
		return tok, 0, l.errorAt(pos, "integer %s is too large", rest[:n])
	}
	tok.kind, tok.num, tok.text = tokInt, v, rest[:n]
	return tok, n, nil
}

func (l *lexer) scanString(tok token, rest string, pos int) (token, int, error) {
	quote := rest[0]
	i := 1
	for i < len(rest) {
		switch rest[i] {
		case '\\':
			i += 2
			continue
		case quote:
			tok.kind, tok.text = tokString, decodeEscapes(rest[1:i])
			return tok, i + 1, nil
		}
		i++
	}
	return tok, 0, l.errorAt(pos, "unterminated string")
}

// decodeEscapes applies Python's string escapes (\n, \t, \xhh, \uhhhh, octal
// …); an unknown escape keeps its backslash, as in Python.
func decodeEscapes(s string) string {
	if strings.IndexByte(s, '\\') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 >= len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch e := s[i]; e {
		case '\n':
		case '\\', '\'', '"':
			b.WriteByte(e)
		case 'n':
			b.WriteByte('\n')
		case 't':
			b.WriteByte('\t')
		case 'r':
			b.WriteByte('\r')
		case 'a':
			b.WriteByte('\a')
		case 'b':
			b.WriteByte('\b')
		case 'f':
			b.WriteByte('\f')
		case 'v':
			b.WriteByte('\v')
		case 'x', 'u', 'U':
			width := map[byte]int{'x': 2, 'u': 4, 'U': 8}[e]
			if r, ok := parseHexRune(s, i+1, width); ok {
				b.WriteRune(r)
				i += width
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		default:
			if e >= '0' && e <= '7' {
				v, j := 0, i
				for j < len(s) && j < i+3 && s[j] >= '0' && s[j] <= '7' {
					v = v*8 + int(s[j]-'0')
					j++
				}
				b.WriteRune(rune(v))
				i = j - 1
			} else {
				b.WriteByte('\\')
				b.WriteByte(e)
			}
		}
	}
	return b.String()
}

func parseHexRune(s string, i, width int) (rune, bool) {
	if i+width > len(s) {
		return 0, false
	}
	var v rune
	for _, c := range s[i : i+width] {
		d := strings.IndexRune("0123456789abcdef", unicode.ToLower(c))
		if d < 0 {
			return 0, false
		}
		v = v*16 + rune(d)
	}
	return v, v <= unicode.MaxRune
}

// controlWhitespace trims text pieces next to tags: "-" strips all
// whitespace on that side; trim_blocks drops the first newline after a
// block or comment tag; lstrip_blocks drops spaces and tabs between the
// start of a line and a block or comment tag. "+" turns the last two off.
func (l *lexer) controlWhitespace() {
	for i := range l.pieces {
		p := &l.pieces[i]
		if !p.text {
			continue
		}
		if i > 0 {
			prev := l.pieces[i-1]
			switch {
			case prev.rmod == '-':
				p.value = strings.TrimLeftFunc(p.value, isPySpace)
			case prev.kind != 'v' && prev.kind != 'R' && prev.rmod != '+' && strings.HasPrefix(p.value, "\n"):
				// ({% raw %} keeps its newline, as in Jinja)
				p.value = p.value[1:]
				p.atLine = true
			}
		}
		if i+1 < len(l.pieces) {
			next := l.pieces[i+1]
			switch {
			case next.lmod == '-':
				p.value = strings.TrimRightFunc(p.value, isPySpace)
			case next.kind != 'v' && next.lmod != '+':
				lineStart := strings.LastIndexByte(p.value, '\n') + 1
				if (lineStart > 0 || p.atLine) && strings.Trim(p.value[lineStart:], " \t") == "" {
					p.value = p.value[:lineStart]
				}
			}
		}
	}
}

// flatten emits the token stream the parser reads.
func (l *lexer) flatten() []token {
	var out []token
	for _, p := range l.pieces {
		if p.text {
			if p.value != "" {
				out = append(out, token{kind: tokText, text: p.value})
			}
			continue
		}
		switch p.kind {
		case 'v', 'b':
			begin, end := tokVarBegin, tokVarEnd
			if p.kind == 'b' {
				begin, end = tokBlockBegin, tokBlockEnd
			}
			out = append(out, token{kind: begin, line: p.line, col: p.col})
			out = append(out, p.toks...)
			last, col := p.line, p.col
			if len(p.toks) > 0 {
				t := p.toks[len(p.toks)-1]
				last, col = t.line, t.col+len(t.text)
			}
			out = append(out, token{kind: end, line: last, col: col})
		}
	}
	// Give text tokens the line of the token after them, for error messages.
	next := 0
	for i := len(out) - 1; i >= 0; i-- {
		if out[i].kind == tokText {
			out[i].line = next
		} else if out[i].line > 0 {
			next = out[i].line
		}
	}
	return append(out, token{kind: tokEOF, line: next})
}
