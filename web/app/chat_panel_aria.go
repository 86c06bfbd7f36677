package main

// AriaBusy is the message list's aria-busy: "true" while an answer streams
// in, so that screen readers read it once it is complete rather than a
// token at a time.
func (c *ChatPanel) AriaBusy() string {
	if c.App.Chat.Generating {
		return "true"
	}
	return "false"
}
