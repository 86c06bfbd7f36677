package main

// ComposerImages is the composer's part for pictures (images.go): why the
// latest one was refused, the thumbnails of those attached to the message
// being written (each with Remove), and a note while the engine checks
// one. ChatPanel shows it only when it has something to show.
type ComposerImages struct {
	App *App
}

// RemoveLabel is a thumbnail's Remove button's label.
func (c *ComposerImages) RemoveLabel(im *Attachment) string { return "Remove " + im.Name }
