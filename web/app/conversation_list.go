package main

// ConversationList lists the conversations kept in the browser, newest
// first, with their dates: a click opens one, × deletes it.
type ConversationList struct {
	App *App
}

// ItemClass marks the open conversation.
func (c *ConversationList) ItemClass(conv *Conversation) string {
	if conv.ID == c.App.Library.Current {
		return "conversation conversation-current"
	}
	return "conversation"
}

// AriaCurrent is "true" on the open conversation (nil leaves it out).
func (c *ConversationList) AriaCurrent(conv *Conversation) any {
	if conv.ID == c.App.Library.Current {
		return "true"
	}
	return nil
}

// Date is when conv last changed.
func (c *ConversationList) Date(conv *Conversation) string {
	return ConversationDate(conv, c.App.Now())
}

// DeleteLabel names what × does.
func (c *ConversationList) DeleteLabel(conv *Conversation) string {
	return "Delete the conversation “" + conv.Title + "”"
}
