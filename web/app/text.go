package main

import "github.com/vugu/vugu"

// Text renders Content as a text node inside an element (a div unless Tag
// says otherwise), with the attributes given to the component tag (class,
// id …). It is how anything a model or a user wrote reaches the page: the
// browser's DOM gets a text node, so no markup in it is ever parsed, let
// alone run (vg-content would set innerHTML, escaped but still HTML).
//
//	<main:Text class="message-text" :Content="m.Text"></main:Text>
type Text struct {
	Tag     string
	Content string
	AttrMap vugu.AttrMap
}

// Build implements vugu.Builder.
func (c *Text) Build(*vugu.BuildIn) *vugu.BuildOut {
	tag := c.Tag
	if tag == "" {
		tag = "div"
	}
	el := &vugu.VGNode{Type: vugu.ElementNode, Data: tag}
	if c.AttrMap != nil {
		el.AddAttrList(c.AttrMap)
	}
	el.AppendChild(&vugu.VGNode{Type: vugu.TextNode, Data: c.Content})
	return &vugu.BuildOut{Out: []*vugu.VGNode{el}}
}
