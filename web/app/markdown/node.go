package markdown

// Kind is what a node is.
type Kind uint8

// The node kinds. Block kinds hold blocks or inlines; inline kinds hold
// inlines or text.
const (
	Document      Kind = iota // the root: blocks
	Paragraph                 // inlines
	Heading                   // inlines; Level 1–6
	List                      // Items; Ordered, Start
	Item                      // blocks
	CodeBlock                 // Text (the code), Lang (the fence's label), Open (no closing fence yet)
	ThematicBreak             // a horizontal rule; no children
	Text                      // Text, shown as written
	Emphasis                  // inlines
	Strong                    // inlines
	Code                      // Text: an inline code span
	Link                      // inlines (the link text); URL, an absolute http(s) address
	LineBreak                 // a line break inside a paragraph or heading
	Quote                     // a block quote: blocks
)

var kindNames = [...]string{
	Document: "Document", Paragraph: "Paragraph", Heading: "Heading", List: "List", Item: "Item",
	CodeBlock: "CodeBlock", ThematicBreak: "ThematicBreak", Text: "Text", Emphasis: "Emphasis",
	Strong: "Strong", Code: "Code", Link: "Link", LineBreak: "LineBreak", Quote: "Quote",
}

// String names the kind.
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(?)"
}

// Node is one node of the tree. Which fields mean something depends on
// Kind (see the kinds).
type Node struct {
	Kind     Kind
	Children []*Node

	Text    string // Text, Code, CodeBlock
	Level   int    // Heading: 1–6
	Ordered bool   // List: numbered
	Start   int    // List: the first number of a numbered list
	Lang    string // CodeBlock: the first word after the opening fence
	Open    bool   // CodeBlock: the closing fence has not come (yet)
	URL     string // Link
}

func (n *Node) add(c *Node) { n.Children = append(n.Children, c) }

// PlainText is the text a reader sees in n: the text of its leaves, with
// a line break as "\n" and blocks separated by blank lines.
func (n *Node) PlainText() string {
	var b []byte
	var walk func(*Node)
	walk = func(n *Node) {
		switch n.Kind {
		case Text, Code, CodeBlock:
			b = append(b, n.Text...)
		case LineBreak:
			b = append(b, '\n')
		}
		for i, c := range n.Children {
			if i > 0 && isBlock(c.Kind) {
				b = append(b, "\n\n"...)
			}
			walk(c)
		}
	}
	walk(n)
	return string(b)
}

// isBlock tells whether nodes of kind k are blocks.
func isBlock(k Kind) bool {
	switch k {
	case Paragraph, Heading, List, Item, CodeBlock, ThematicBreak, Quote:
		return true
	}
	return false
}
