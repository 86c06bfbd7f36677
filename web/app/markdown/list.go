package markdown

import "strings"

// listMarker is the start of a list item: "- ", "* ", "+ ", "1. " or "1) ".
type listMarker struct {
	ordered bool
	char    byte   // the bullet, or the character after the number
	start   int    // the number
	content int    // the column where the item's text starts
	text    string // the text of the marker's line after it
}

// listMarkerOf reads the list marker that starts l, if any: up to 3
// spaces, the marker, then a space (or the end of the line).
func listMarkerOf(l string) *listMarker {
	cols, ind := leading(l)
	if cols > 3 || ind >= len(l) {
		return nil
	}
	rest := l[ind:]
	m := &listMarker{}
	width := 0
	switch c := rest[0]; {
	case c == '-' || c == '*' || c == '+':
		m.char, width = c, 1
	case c >= '0' && c <= '9':
		for width < len(rest) && width < 9 && rest[width] >= '0' && rest[width] <= '9' {
			m.start = m.start*10 + int(rest[width]-'0')
			width++
		}
		if width == len(rest) || (rest[width] != '.' && rest[width] != ')') {
			return nil
		}
		m.ordered, m.char = true, rest[width]
		width++
	default:
		return nil
	}
	after := rest[width:]
	if after != "" && after[0] != ' ' && after[0] != '\t' {
		return nil
	}
	// The text starts after the spaces that follow the marker; with more
	// than four of them (or none), one space belongs to the marker.
	spaces, n := leading(after)
	m.text = after[n:]
	if spaces == 0 || spaces > 4 || n == len(after) {
		// One space belongs to the marker; the rest are the text's.
		spaces = 1
		m.text = dedent(after, 1)
	}
	m.content = cols + width + spaces
	return m
}

// sameList tells whether m continues a list that started with first.
func (m *listMarker) sameList(first *listMarker) bool {
	return m.ordered == first.ordered && m.char == first.char
}

// startsBlock tells whether l begins a block that ends a paragraph.
func startsBlock(l string) bool {
	return openingFence(l) != nil || isThematicBreak(l) || isHeading(l) || listMarkerOf(l) != nil || isQuote(l)
}

// list reads a list from its first item's line; it returns the list and
// how many lines it took. An item holds the lines indented to its text's
// column (with that indentation removed), blank lines between them, and
// lines that continue its paragraph without indentation.
func list(lines []string, depth int) (*Node, int) {
	first := listMarkerOf(lines[0])
	node := &Node{Kind: List, Ordered: first.ordered, Start: first.start}
	i := 0
	for i < len(lines) {
		m := listMarkerOf(lines[i])
		if m == nil || !m.sameList(first) {
			break
		}
		var item []string
		item = append(item, m.text)
		i++
		lastBlank := false
		for i < len(lines) {
			l := lines[i]
			switch {
			case isBlank(l):
				item = append(item, "")
				lastBlank = true
			case indent(l) >= m.content:
				item = append(item, dedent(l, m.content))
				lastBlank = false
			case !lastBlank && !startsBlock(l):
				// A lazy continuation of the item's paragraph.
				item = append(item, strings.TrimLeft(l, " \t"))
			default:
				goto done
			}
			i++
		}
	done:
		node.add(&Node{Kind: Item, Children: parseBlocks(item, depth+1)})
	}
	return node, i
}
