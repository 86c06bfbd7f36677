package main

import (
	"github.com/vugu/vugu"
	"github.com/vugu/vugu/js"
)

// ChatPanel is the chat: its title, New chat and the settings (panel
// shown on demand) over the list of saved conversations beside the open
// one, its context notice, its messages, the input box, Send and Stop.
type ChatPanel struct {
	App *App

	shown   int // the message count at the last render
	editing int // the message being edited at the last render
	// The message list after the last render: its scroll height, visible
	// height and scroll position.
	height, view, top float64
}

// EmptyText is what the list says before the first message.
func (c *ChatPanel) EmptyText() string {
	if c.App.Model.Status != ModelReady {
		return "Load a model to start chatting. Everything stays in this browser."
	}
	return "The model is ready. Say hello."
}

func (c *ChatPanel) setDraft(e vugu.DOMEvent) { c.App.Chat.Draft = e.PropString("target", "value") }

func (c *ChatPanel) submit(e vugu.DOMEvent) {
	e.PreventDefault()
	c.App.Send()
}

// keydown sends on Enter; Shift+Enter (and Enter while an input method
// composes) goes into the text.
func (c *ChatPanel) keydown(e vugu.DOMEvent) {
	if e.PropString("key") != "Enter" || e.PropBool("shiftKey") || e.PropBool("isComposing") {
		return
	}
	e.PreventDefault()
	c.App.Chat.Draft = e.PropString("target", "value")
	c.App.Send()
}

// Rendered keeps the newest text in view while an answer streams in,
// unless the reader has scrolled up to read.
func (c *ChatPanel) Rendered(vugu.RenderedCtx) {
	doc := js.Global().Get("document")
	if !doc.Truthy() {
		return // not in a browser
	}
	c.moveFocus(doc)
	list := doc.Call("getElementById", "messages")
	if !list.Truthy() {
		return
	}
	grew := len(c.App.Chat.Messages) != c.shown
	c.shown = len(c.App.Chat.Messages)
	// A render can make the list anew (opening the settings does), which
	// starts at the top: it goes back to where the reader was.
	fresh := !list.Get("hearthKnown").Truthy()
	list.Set("hearthKnown", true)
	top := list.Get("scrollTop").Float()
	if fresh {
		top = c.top
	}
	// Where the reader was before this render added text or resized the
	// list: at the bottom (within about three lines of it) the list
	// follows the newest text; scrolled up to read, it stays put. Measured
	// against the list of the last render, since a render can add more
	// than three lines.
	switch {
	case grew || c.height-top-c.view < 64:
		list.Set("scrollTop", list.Get("scrollHeight").Float())
	case fresh:
		list.Set("scrollTop", top)
	}
	c.height, c.view, c.top = list.Get("scrollHeight").Float(), list.Get("clientHeight").Float(), list.Get("scrollTop").Float()
}

// SettingsExpanded is the Settings button's aria-expanded.
func (c *ChatPanel) SettingsExpanded() string {
	if c.App.Settings.Open {
		return "true"
	}
	return "false"
}

// moveFocus puts the focus in the edit box when an edit starts, and back
// in the message box when it ends (the edit box, which had it, is gone).
func (c *ChatPanel) moveFocus(doc js.Value) {
	editing := c.App.Chat.EditingID
	if editing == c.editing {
		return
	}
	c.editing = editing
	switch active := doc.Get("activeElement"); {
	case editing != 0:
		if box := doc.Call("getElementById", "edit-input"); box.Truthy() {
			box.Call("focus")
		}
	case !active.Truthy() || active.Get("tagName").String() == "BODY":
		if box := doc.Call("getElementById", "chat-input"); box.Truthy() {
			box.Call("focus")
		}
	}
}
