package main

import "github.com/vugu/vugu"

// The chat panel's pictures (images.go): the Picture button, left of the
// message box, opens the picker of the hidden #chat-image-file input (a
// picked picture is attached); the composer's pictures part shows above
// the box when there is something to show.

// openPicture opens the picture chooser.
func (c *ChatPanel) openPicture() { openImagePicker() }

// pickPicture attaches the picture chosen in the chooser.
func (c *ChatPanel) pickPicture(e vugu.DOMEvent) { pickedImage(c.App, e) }

// Init listens for pictures pasted anywhere on the page, and adds the
// test hook's picture functions (images_js.go, testhook_images_js.go).
func (c *ChatPanel) Init(vugu.InitCtx) {
	installImagePaste(c.App)
	installImageTestHook(c.App)
}

// ShowComposerImages tells whether the composer's pictures part has
// anything to show: a refusal, thumbnails, a check under way.
func (c *ChatPanel) ShowComposerImages() bool {
	ch := &c.App.Chat
	return ch.ImageError != "" || len(ch.Attached) > 0 || ch.Checking > 0
}
