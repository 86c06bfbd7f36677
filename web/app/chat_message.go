package main

// ChatMessage is one message of the conversation. Its text is shown as
// text, whatever it contains (see Text); formatting such as markdown will
// be rendered from a parse of it, never from the raw string as HTML.
type ChatMessage struct {
	Message *Message
}

// Class is the article's class list: by role, and streaming while tokens
// come.
func (c *ChatMessage) Class() string {
	s := "message message-" + c.Message.Role
	if c.Message.Streaming {
		s += " message-streaming"
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
