package markdown

import (
	"fmt"
	"strings"
)

// dump writes a tree compactly, for comparing with what a test expects:
// Paragraph(Text"a" Emphasis(Text"b")).
func dump(n *Node) string {
	var b strings.Builder
	var walk func(*Node)
	walk = func(n *Node) {
		b.WriteString(n.Kind.String())
		switch n.Kind {
		case Text, Code:
			fmt.Fprintf(&b, "%q", n.Text)
		case Heading:
			fmt.Fprintf(&b, "%d", n.Level)
		case List:
			if n.Ordered {
				fmt.Fprintf(&b, "#%d", n.Start)
			}
		case CodeBlock:
			fmt.Fprintf(&b, "[%s", n.Lang)
			if n.Open {
				b.WriteString(",open")
			}
			fmt.Fprintf(&b, "]%q", n.Text)
		case Link:
			fmt.Fprintf(&b, "<%s>", n.URL)
		}
		if len(n.Children) > 0 {
			b.WriteString("(")
			for i, c := range n.Children {
				if i > 0 {
					b.WriteString(" ")
				}
				walk(c)
			}
			b.WriteString(")")
		}
	}
	for i, c := range n.Children {
		if i > 0 {
			b.WriteString(" ")
		}
		walk(c)
	}
	return b.String()
}
