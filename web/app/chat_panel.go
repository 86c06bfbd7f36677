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
	height, top, view := list.Get("scrollHeight").Float(), list.Get("scrollTop").Float(), list.Get("clientHeight").Float()
	// Near the bottom: within about three lines of it.
	if grew || height-top-view < 64 {
		list.Set("scrollTop", height)
	}
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
