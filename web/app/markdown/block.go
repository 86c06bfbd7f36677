package markdown

import "strings"

// Nesting caps. Deeper markers are taken as text, so that no input builds
// a tree (and a page) deeper than these.
const (
	maxListDepth   = 8  // lists and quotes inside list items and quotes
	maxInlineDepth = 16 // emphasis and links inside each other
)

// Parse parses src into a Document. It never fails: what is not Markdown
// of the subset is text.
func Parse(src string) *Node {
	doc := &Node{Kind: Document}
	doc.Children = parseBlocks(splitLines(normalize(src)), 0)
	return doc
}

// normalize makes the line ends "\n", replaces NUL and invalid UTF-8 with
// U+FFFD.
func normalize(s string) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if strings.ContainsRune(s, '\r') {
		s = strings.ReplaceAll(s, "\r\n", "\n")
		s = strings.ReplaceAll(s, "\r", "\n")
	}
	if strings.IndexByte(s, 0) >= 0 {
		s = strings.ReplaceAll(s, "\x00", "\uFFFD")
	}
	return s
}

// splitLines cuts s into lines.
func splitLines(s string) []string { return strings.Split(s, "\n") }

// leading measures l's indentation: its width in columns (tab stops every
// 4 columns) and its length in bytes.
func leading(l string) (cols, bytes int) {
	for bytes < len(l) {
		switch l[bytes] {
		case ' ':
			cols++
		case '\t':
			cols += 4 - cols%4
		default:
			return cols, bytes
		}
		bytes++
	}
	return cols, bytes
}

// indent is the width of l's indentation in columns.
func indent(l string) int {
	cols, _ := leading(l)
	return cols
}

// dedent removes n columns of indentation from l (all of it if it has
// less); a tab that straddles column n leaves spaces for its remainder.
func dedent(l string, n int) string {
	cols, i := 0, 0
	for i < len(l) && cols < n {
		switch l[i] {
		case ' ':
			cols++
		case '\t':
			cols += 4 - cols%4
		default:
			return l[i:]
		}
		i++
	}
	if cols > n {
		return strings.Repeat(" ", cols-n) + l[i:]
	}
	return l[i:]
}

func isBlank(l string) bool { return strings.TrimLeft(l, " \t") == "" }

// parseBlocks parses lines into blocks; depth is how many list items
// hold them.
func parseBlocks(lines []string, depth int) []*Node {
	var out []*Node
	var para []string
	flush := func() {
		if len(para) > 0 {
			out = append(out, paragraph(para))
			para = nil
		}
	}
	for i := 0; i < len(lines); {
		line := lines[i]
		switch {
		case isBlank(line):
			flush()
			i++
		case openingFence(line) != nil:
			flush()
			node, n := codeBlock(lines[i:], openingFence(line))
			out = append(out, node)
			i += n
		case isThematicBreak(line):
			flush()
			out = append(out, &Node{Kind: ThematicBreak})
			i++
		case isHeading(line):
			flush()
			out = append(out, heading(line))
			i++
		case depth < maxListDepth && isQuote(line):
			flush()
			node, n := quote(lines[i:], depth)
			out = append(out, node)
			i += n
		case depth < maxListDepth && listMarkerOf(line) != nil:
			flush()
			node, n := list(lines[i:], depth)
			out = append(out, node)
			i += n
		default:
			para = append(para, strings.Trim(line, " \t"))
			i++
		}
	}
	flush()
	return out
}

// paragraph makes a paragraph of its lines: their inlines, with a line
// break between lines (chat text means its line breaks).
func paragraph(lines []string) *Node {
	p := &Node{Kind: Paragraph}
	p.Children = parseInlines(strings.TrimRight(strings.Join(lines, "\n"), " \t"), 0, true)
	return p
}

// fence is an opening code fence.
type fence struct {
	char   byte // '`' or '~'
	length int  // how many
	indent int  // spaces before it, removed from the code's lines too
	lang   string
}

// openingFence reads an opening fence: up to 3 spaces, then 3 or more
// backticks or tildes, then an info string whose first word is the
// language (a backtick fence's info has no backticks).
func openingFence(l string) *fence {
	cols, ind := leading(l)
	if cols > 3 || ind >= len(l) || (l[ind] != '`' && l[ind] != '~') {
		return nil
	}
	c := l[ind]
	n := 0
	for ind+n < len(l) && l[ind+n] == c {
		n++
	}
	if n < 3 {
		return nil
	}
	info := strings.TrimSpace(l[ind+n:])
	if c == '`' && strings.IndexByte(info, '`') >= 0 {
		return nil
	}
	lang, _, _ := strings.Cut(info, " ")
	lang, _, _ = strings.Cut(lang, "\t")
	return &fence{char: c, length: n, indent: cols, lang: lang}
}

// closes tells whether l closes f: up to 3 spaces, at least f.length of
// f.char, then nothing but spaces.
func (f *fence) closes(l string) bool {
	cols, ind := leading(l)
	if cols > 3 {
		return false
	}
	rest := l[ind:]
	n := 0
	for n < len(rest) && rest[n] == f.char {
		n++
	}
	return n >= f.length && isBlank(rest[n:])
}

// codeBlock reads a fenced code block from its opening line; it returns
// the block and how many lines it took. With no closing fence the block
// runs to the end and is Open.
func codeBlock(lines []string, f *fence) (*Node, int) {
	node := &Node{Kind: CodeBlock, Lang: f.lang, Open: true}
	var code []string
	n := 1
	for ; n < len(lines); n++ {
		l := lines[n]
		if f.closes(l) {
			node.Open = false
			n++
			break
		}
		// The code's lines lose as many leading spaces as the fence had.
		code = append(code, dedent(l, f.indent))
	}
	if node.Open {
		// While a message streams in, its last line may be a fence
		// being typed: "``" is not code yet.
		for len(code) > 0 && isBlank(code[len(code)-1]) {
			code = code[:len(code)-1]
		}
	}
	node.Text = strings.Join(code, "\n")
	return node, n
}

// isThematicBreak tells whether l is a horizontal rule: up to 3 spaces,
// then 3 or more of one of - * _, with spaces between allowed.
func isThematicBreak(l string) bool {
	cols, ind := leading(l)
	if cols > 3 || ind >= len(l) {
		return false
	}
	c := l[ind]
	if c != '-' && c != '*' && c != '_' {
		return false
	}
	n := 0
	for i := ind; i < len(l); i++ {
		switch l[i] {
		case c:
			n++
		case ' ', '\t':
		default:
			return false
		}
	}
	return n >= 3
}

// isHeading tells whether l is an ATX heading (see heading).
func isHeading(l string) bool {
	cols, ind := leading(l)
	rest := l[ind:]
	level := 0
	for level < len(rest) && rest[level] == '#' {
		level++
	}
	return cols <= 3 && level >= 1 && level <= 6 && (level == len(rest) || rest[level] == ' ' || rest[level] == '\t')
}

// heading reads an ATX heading: up to 3 spaces, 1–6 '#', then a space (or
// nothing), the text, and an optional closing run of '#'.
func heading(l string) *Node {
	if !isHeading(l) {
		return nil
	}
	_, ind := leading(l)
	rest := l[ind:]
	level := 0
	for level < len(rest) && rest[level] == '#' {
		level++
	}
	text := strings.TrimSpace(rest[level:])
	// A closing sequence: '#'s preceded by a space (or all of the text).
	if t := strings.TrimRight(text, "#"); t != text && (t == "" || strings.HasSuffix(t, " ") || strings.HasSuffix(t, "\t")) {
		text = strings.TrimSpace(t)
	}
	h := &Node{Kind: Heading, Level: level}
	h.Children = parseInlines(text, 0, true)
	return h
}

// isQuote tells whether l starts a block quote: up to 3 spaces, then '>'.
func isQuote(l string) bool {
	cols, ind := leading(l)
	return cols <= 3 && ind < len(l) && l[ind] == '>'
}

// quote reads a block quote from its first line; it returns the quote and
// how many lines it took. Its lines lose their '>' (and one space after
// it); a line without one continues the quote's paragraph when it follows
// a line of text and starts no block of its own.
func quote(lines []string, depth int) (*Node, int) {
	var inner []string
	i := 0
	for ; i < len(lines); i++ {
		l := lines[i]
		if isQuote(l) {
			_, ind := leading(l)
			rest := l[ind+1:]
			if rest != "" && (rest[0] == ' ' || rest[0] == '\t') {
				rest = rest[1:]
			}
			inner = append(inner, rest)
			continue
		}
		if isBlank(l) || len(inner) == 0 || isBlank(inner[len(inner)-1]) || startsBlock(l) {
			break
		}
		inner = append(inner, strings.TrimLeft(l, " \t"))
	}
	return &Node{Kind: Quote, Children: parseBlocks(inner, depth+1)}, i
}
