package main

import (
	"fmt"

	"github.com/vugu/vugu"
)

// ChatMessage is one message of the conversation: its text formatted from
// its Markdown (see Markdown: never as HTML), or a form while the user
// edits it; under it how the answer went (tokens, speed, memory) and the
// message's actions, Edit for the user's and Regenerate for the last
// answer.
type ChatMessage struct {
	App     *App
	Message *Message
}

// Class is the article's class list: by role, streaming while tokens
// come, outside when the model no longer sees it.
func (c *ChatMessage) Class() string {
	s := "message message-" + c.Message.Role
	if c.Message.Streaming {
		s += " message-streaming"
	}
	if c.Message.OutOfContext {
		s += " message-outside"
	}
	return s
}

// Label names the speaker.
func (c *ChatMessage) Label() string {
	switch c.Message.Role {
	case "user":
		return "You"
	case "assistant":
		return "Model"
	case "system":
		return "System"
	}
	return c.Message.Role
}

// Editing tells whether the message is open for editing.
func (c *ChatMessage) Editing() bool { return c.App.Chat.EditingID == c.Message.ID }

// Live is the speed of an answer while it streams in: "12 tokens · 8.4
// tokens/s" (from the first token on), or "".
func (c *ChatMessage) Live() string {
	m := c.Message
	if !m.Streaming || m.Tokens == 0 {
		return ""
	}
	s := fmt.Sprintf("%d tokens", m.Tokens)
	if m.Tokens == 1 {
		s = "1 token"
	}
	if secs := c.App.Now().Sub(m.Started).Seconds(); m.Tokens > 1 && secs > 0 {
		s += fmt.Sprintf(" · %.1f tokens/s", float64(m.Tokens-1)/secs)
	}
	return s
}

// Memory is the engine's memory when the answer ended, or "".
func (c *ChatMessage) Memory() string {
	if c.Message.MemoryBytes <= 0 {
		return ""
	}
	return formatBytes(c.Message.MemoryBytes) + " memory"
}

// MemoryTitle explains Memory.
func (c *ChatMessage) MemoryTitle() string {
	return "The engine's memory when the answer ended: the model, its context (KV cache) and the engine's own heap"
}

// CanEdit tells whether the message shows Edit.
func (c *ChatMessage) CanEdit() bool { return c.App.CanEdit(c.Message) }

// EditLabel names what Edit does, for screen readers.
func (c *ChatMessage) EditLabel() string { return "Edit this message and send it again" }

// CanRegenerate tells whether the message shows Regenerate: the last
// answer, once it has ended.
func (c *ChatMessage) CanRegenerate() bool {
	i := c.App.lastAnswer()
	return i >= 0 && c.App.Chat.Messages[i] == c.Message && c.App.CanRegenerate()
}

func (c *ChatMessage) setEditDraft(e vugu.DOMEvent) {
	c.App.Chat.EditDraft = e.PropString("target", "value")
}

func (c *ChatMessage) submitEdit(e vugu.DOMEvent) {
	e.PreventDefault()
	c.App.SaveEdit()
}

// editKeydown sends the edit on Enter (Shift+Enter starts a new line) and
// cancels it on Escape.
func (c *ChatMessage) editKeydown(e vugu.DOMEvent) {
	switch {
	case e.PropString("key") == "Escape":
		e.PreventDefault()
		e.StopPropagation()
		c.App.CancelEdit()
	case e.PropString("key") == "Enter" && !e.PropBool("shiftKey") && !e.PropBool("isComposing"):
		e.PreventDefault()
		c.App.Chat.EditDraft = e.PropString("target", "value")
		c.App.SaveEdit()
	}
}
