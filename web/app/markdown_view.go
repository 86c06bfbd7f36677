package main

import (
	"strconv"
	"time"

	"github.com/vugu/vugu"

	"github.com/hearth-ai/hearth/web/app/markdown"
)

// Markdown shows Source, a message's text, formatted: its Markdown is
// parsed (package markdown) and each node becomes an element chosen by its
// kind, with the text inside set as text nodes. No string from the message
// is ever parsed as HTML, so markup in it is shown, not run; a link's
// address is an http(s) URL the parser has checked, shown beside its text
// so that the reader sees where it goes. Code blocks scroll sideways and
// have a Copy button. The root element (a div) takes the component tag's
// attributes.
//
//	<main:Markdown class="message-text" :Source="m.Text"></main:Markdown>
type Markdown struct {
	Source  string
	AttrMap vugu.AttrMap

	parsed string         // the source doc was parsed from
	doc    *markdown.Node // the parse, kept while the source stays the same
	copied int            // the code block whose text was just copied (1-based; 0: none)
}

// Build implements vugu.Builder.
func (c *Markdown) Build(*vugu.BuildIn) *vugu.BuildOut {
	if c.doc == nil || c.parsed != c.Source {
		c.doc, c.parsed = markdown.Parse(c.Source), c.Source
	}
	root := &vugu.VGNode{Type: vugu.ElementNode, Data: "div"}
	if c.AttrMap != nil {
		root.AddAttrList(c.AttrMap)
	}
	r := &mdRenderer{view: c}
	for _, b := range c.doc.Children {
		r.block(root, b)
	}
	return &vugu.BuildOut{Out: []*vugu.VGNode{root}}
}

// mdRenderer turns a parse into elements.
type mdRenderer struct {
	view  *Markdown
	codes int // code blocks so far
}

// element appends a new element to parent; attrs are key, value pairs.
func element(parent *vugu.VGNode, tag string, attrs ...string) *vugu.VGNode {
	n := &vugu.VGNode{Type: vugu.ElementNode, Data: tag}
	for i := 0; i+1 < len(attrs); i += 2 {
		n.Attr = append(n.Attr, vugu.VGAttribute{Key: attrs[i], Val: attrs[i+1]})
	}
	parent.AppendChild(n)
	return n
}

// text appends a text node: the browser shows s, never parses it.
func text(parent *vugu.VGNode, s string) {
	parent.AppendChild(&vugu.VGNode{Type: vugu.TextNode, Data: s})
}

func (r *mdRenderer) block(parent *vugu.VGNode, n *markdown.Node) {
	switch n.Kind {
	case markdown.Paragraph:
		r.inlines(element(parent, "p"), n.Children)
	case markdown.Heading:
		// The page's own headings are h1 and h2: a message's start at h3.
		level := min(n.Level+2, 6)
		r.inlines(element(parent, "h"+strconv.Itoa(level), "class", "md-h"+strconv.Itoa(n.Level)), n.Children)
	case markdown.List:
		var list *vugu.VGNode
		switch {
		case !n.Ordered:
			list = element(parent, "ul")
		case n.Start != 1:
			list = element(parent, "ol", "start", strconv.Itoa(n.Start))
		default:
			list = element(parent, "ol")
		}
		for _, item := range n.Children {
			li := element(list, "li")
			for _, b := range item.Children {
				r.block(li, b)
			}
		}
	case markdown.CodeBlock:
		r.codeBlock(parent, n)
	case markdown.ThematicBreak:
		element(parent, "hr")
	case markdown.Quote:
		q := element(parent, "blockquote")
		for _, b := range n.Children {
			r.block(q, b)
		}
	}
}

// codeBlock is a code block: a bar with the language and Copy, over the
// code in a pre that scrolls (and takes the focus, so that keyboard users
// can scroll it too).
func (r *mdRenderer) codeBlock(parent *vugu.VGNode, n *markdown.Node) {
	r.codes++
	index, code := r.codes, n.Text
	class := "md-code"
	if n.Open {
		class += " md-code-open"
	}
	box := element(parent, "div", "class", class)
	bar := element(box, "div", "class", "md-code-bar")
	lang, label := n.Lang, "code"
	if lang != "" {
		label = lang + " code"
	} else {
		lang = "code"
	}
	text(element(bar, "span", "class", "md-code-lang"), lang)
	copied := r.view.copied == index
	button := element(bar, "button", "type", "button", "class", "md-copy", "aria-label", "Copy the "+label)
	if copied {
		text(button, "Copied")
	} else {
		text(button, "Copy")
	}
	view := r.view
	button.DOMEventHandlerSpecList = append(button.DOMEventHandlerSpecList, vugu.DOMEventHandlerSpec{
		EventType: "click",
		Func:      func(e vugu.DOMEvent) { view.copy(e, index, code) },
	})
	pre := element(box, "pre", "tabindex", "0", "aria-label", label)
	text(element(pre, "code"), code)
}

// copy puts a code block's text on the clipboard, and says so on its
// button for two seconds.
func (c *Markdown) copy(e vugu.DOMEvent, index int, code string) {
	copyToClipboard(code)
	c.copied = index
	env := e.EventEnv()
	time.AfterFunc(2*time.Second, func() {
		env.Lock()
		if c.copied == index {
			c.copied = 0
		}
		env.UnlockRender()
	})
}

func (r *mdRenderer) inlines(parent *vugu.VGNode, nodes []*markdown.Node) {
	for _, n := range nodes {
		switch n.Kind {
		case markdown.Text:
			text(parent, n.Text)
		case markdown.LineBreak:
			element(parent, "br")
		case markdown.Emphasis:
			r.inlines(element(parent, "em"), n.Children)
		case markdown.Strong:
			r.inlines(element(parent, "strong"), n.Children)
		case markdown.Code:
			text(element(parent, "code", "class", "md-inline-code"), n.Text)
		case markdown.Link:
			r.link(parent, n)
		}
	}
}

// link is an anchor that opens in a new tab without giving the new page
// a hold on this one (noopener) or the address of this one (noreferrer),
// followed by its address when its text is something else.
func (r *mdRenderer) link(parent *vugu.VGNode, n *markdown.Node) {
	if !markdown.AllowedURL(n.URL) { // the parser checked it: this is a second lock
		r.inlines(parent, n.Children)
		return
	}
	a := element(parent, "a", "href", n.URL, "target", "_blank", "rel", "noopener noreferrer nofollow", "class", "md-link")
	r.inlines(a, n.Children)
	if n.PlainText() != n.URL {
		text(element(parent, "span", "class", "md-link-url"), " ("+n.URL+")")
	}
}
