package main

import (
	"errors"
	"fmt"
	"strings"
	"sync/atomic"
)

// Images in the chat. With a vision model loaded (a text model and its
// image encoder, loaded as a pair), a picture can be attached to a
// message: dropped on the page, pasted, or picked with the Picture button
// (images_js.go). Each attached image is first checked by the engine —
// decoded as the model would take it — so that a file that is not an
// image, a damaged one or one too large is refused at once, with a
// message in the chat, and the conversation stays as it was. An attached
// image shows as a thumbnail in the composer, then in the sent message;
// the answer shows the encoder's progress while the images are encoded;
// the context window counts the images' positions (Prompt.Positions).
// Images are kept with the conversation in the browser's database when
// they are at most MaxKeptImageBytes; a larger one is shown and sent, but
// not kept, and its message says so.

// VisionInfo is what the engine says of a loaded pair's image encoder.
type VisionInfo struct {
	Projector      string // "mlp" (LLaVA) or "idefics3" (SmolVLM)
	ImageSize      int    // the encoder's input side, in pixels
	TokensPerImage int    // positions an image (for idefics3: a tile) takes
	Tiles          bool   // large images are cut into tiles (idefics3)
	MaxImagePixels int    // images with more pixels are refused
	// PreprocImageSize is idefics3's longest edge: an image's longer side
	// is resized to it before it is cut into tiles (0: none said).
	PreprocImageSize int
	// Cache is the encoder's cache of encoded pictures, as last read
	// (vision_facts.go); CacheKnown: it has been read.
	Cache      ImageCacheStats
	CacheKnown bool
}

// Attachment is an image attached to a message.
type Attachment struct {
	ID   int    // unique in the page, for the renderer's keys
	Name string // the file's name
	Type string // its MIME type, e.g. "image/png"
	Size int64  // its size in bytes
	Data []byte // its bytes (nil for an image not kept, read back from storage)
	URL  string // an object URL of the bytes for the thumbnail ("" outside a browser)
	// NotKept: the image is larger than MaxKeptImageBytes, so it is not
	// saved with the conversation.
	NotKept bool
}

// MaxKeptImageBytes is the largest image kept with a conversation: the
// conversation is saved whole after every message, images included.
const MaxKeptImageBytes = 4 << 20

// newAttachment describes an image file's bytes.
func newAttachment(name, typ string, data []byte) *Attachment {
	return &Attachment{ID: int(attachmentIDs.Add(1)), Name: name, Type: typ, Size: int64(len(data)), Data: data, NotKept: len(data) > MaxKeptImageBytes}
}

// attachmentIDs numbers the page's attachments.
var attachmentIDs atomic.Int64

// Note is what a sent image says under its thumbnail, if anything.
func (a *Attachment) Note() string {
	switch {
	case a.Data == nil:
		return a.Name + " was not kept with the conversation (larger than " + formatBytes(MaxKeptImageBytes) + "): the model no longer sees it."
	case a.NotKept:
		return "Not kept with the conversation: larger than " + formatBytes(MaxKeptImageBytes) + "."
	}
	return ""
}

// ImageStep is one encoder input done: image Image of Images, tile Tile
// of Tiles (1 for a single image), input Input of Inputs in all.
type ImageStep struct {
	Image, Images int
	Tile, Tiles   int
	Input, Inputs int
}

// ImageEngine is what the chat needs of an engine beyond Engine to take
// images: ChatPrompt renders turns with images (counting their positions
// in Prompt.Tokens, refusing a bad image with an *ImageError), and
// GenerateTurns answers such a prompt, calling onImage after each encoder
// input.
type ImageEngine interface {
	GenerateTurns(turns []Turn, opt GenerateOptions, onToken func(string), onImage func(ImageStep)) (GenerateResult, error)
}

// ImageError is an image the engine refused, and why: "no-vision" (the
// model reads no images), "not-image", "image-corrupt" or
// "image-too-large".
type ImageError struct {
	Reason string
	Msg    string
}

func (e *ImageError) Error() string { return e.Msg }

// imageProblem is the chat's message for the image name refused with err.
func imageProblem(name string, err error) string {
	var ie *ImageError
	if !errors.As(err, &ie) {
		return fmt.Sprintf("Could not attach %s: %s.", name, strings.TrimSuffix(err.Error(), "."))
	}
	detail := strings.TrimSuffix(strings.TrimPrefix(ie.Msg, "image 1: "), ".")
	switch ie.Reason {
	case "not-image":
		return fmt.Sprintf("%s is not a picture this page can read (PNG, JPEG, GIF or WebP): %s.", name, detail)
	case "image-corrupt":
		return fmt.Sprintf("%s is damaged and cannot be read: %s.", name, detail)
	case "image-too-large":
		return fmt.Sprintf("%s is too large: %s.", name, detail)
	case "no-vision":
		return "This model reads text only, so " + name + " was not attached: load a vision model (one with an image encoder) to ask about pictures."
	}
	return fmt.Sprintf("Could not attach %s: %s.", name, detail)
}

// CanAttach tells whether a picture can be attached now.
func (a *App) CanAttach() bool {
	return a.Model.Status == ModelReady && a.Model.Info.Vision != nil && !a.Chat.Generating
}

// AttachTitle is the Picture button's tooltip: what it does, or why it
// is off.
func (a *App) AttachTitle() string {
	switch {
	case a.Model.Status != ModelReady:
		return "Load a vision model to ask about pictures."
	case a.Model.Info.Vision == nil:
		return "This model reads text only: load a vision model (one with an image encoder) to ask about pictures."
	case a.Chat.Generating:
		return "Wait for the answer to end to attach a picture."
	}
	return "Attach a picture (or drop or paste one into the chat)."
}

// AttachImage checks att with the engine and, if the model can take it,
// adds it to the message being written; a refused image says why in the
// chat (Chat.ImageError) and changes nothing else. Call it with the lock
// held.
func (a *App) AttachImage(att *Attachment) {
	a.Chat.ImageError = ""
	if !a.CanAttach() {
		problem := a.AttachTitle()
		if a.Model.Status == ModelReady && a.Model.Info.Vision == nil {
			problem = imageProblem(att.Name, &ImageError{Reason: "no-vision"})
		}
		a.Chat.ImageError = problem
		releaseAttachment(att)
		return
	}
	a.Chat.Checking++
	go func() {
		_, err := a.Engine.ChatPrompt([]Turn{{Role: "user", Images: []*Attachment{att}}})
		a.update(func() {
			a.Chat.Checking--
			if err != nil {
				a.Chat.ImageError = imageProblem(att.Name, err)
				releaseAttachment(att)
				return
			}
			a.Chat.Attached = append(a.Chat.Attached, att)
		})
	}()
}

// RemoveAttachment takes image i off the message being written. Call it
// with the lock held.
func (a *App) RemoveAttachment(i int) {
	if i < 0 || i >= len(a.Chat.Attached) {
		return
	}
	releaseAttachment(a.Chat.Attached[i])
	a.Chat.Attached = append(a.Chat.Attached[:i:i], a.Chat.Attached[i+1:]...)
}

// DismissImageError hides the refused image's message. Call it with the
// lock held.
func (a *App) DismissImageError() { a.Chat.ImageError = "" }

// takeAttachments moves the composer's images to a sent message.
func (a *App) takeAttachments(m *Message) {
	m.Images, a.Chat.Attached = a.Chat.Attached, nil
	a.Chat.ImageError = ""
}

// sentImages are m's images the model can still see (those with bytes).
func sentImages(m *Message) []*Attachment {
	var out []*Attachment
	for _, im := range m.Images {
		if im.Data != nil {
			out = append(out, im)
		}
	}
	return out
}

// releaseAttachment frees an image's object URL (images_js.go).
func releaseAttachment(att *Attachment) {
	if att.URL != "" && revokeObjectURL != nil {
		revokeObjectURL(att.URL)
		att.URL = ""
	}
}

// objectURL and revokeObjectURL make and free a thumbnail's URL of an
// image's bytes; nil outside a browser (images_js.go sets them).
var (
	objectURL       func(data []byte, typ string) string
	revokeObjectURL func(url string)
)

// generate runs the generation of prompt: through the engine's
// ImageEngine when it holds images (recording each encoder step in the
// answer), else as ids.
func (a *App) generate(prompt Prompt, opt GenerateOptions, answer *Message, onToken func(string)) (GenerateResult, error) {
	ie, ok := a.Engine.(ImageEngine)
	if prompt.Images == 0 {
		return a.Engine.Generate(prompt.IDs, opt, onToken)
	}
	if !ok {
		return GenerateResult{}, errors.New("this page's engine takes no images")
	}
	a.update(func() { answer.Encoding = true })
	return ie.GenerateTurns(prompt.Turns, opt, onToken, func(st ImageStep) {
		a.updateSoon(func() { answer.ImageStep, answer.ImageSteps = st, answer.ImageSteps+1 })
	})
}

// ImageProgress is what an answer shows while its prompt's images are
// encoded: "Reading the picture: part 2 of 5", or "".
func (m *Message) ImageProgress() string {
	st := m.ImageStep
	switch {
	case !m.Streaming || !m.Encoding || m.Text != "" || (st.Inputs > 0 && st.Input >= st.Inputs):
		return ""
	case st.Inputs == 0:
		return "Reading the picture…"
	}
	what := "the picture"
	if st.Images > 1 {
		what = fmt.Sprintf("picture %d of %d", st.Image, st.Images)
	}
	return fmt.Sprintf("Reading %s: part %d of %d done", what, st.Input, st.Inputs)
}

// ImagePercent is the encoding's progress, "0" to "100" (a progress
// element's value).
func (m *Message) ImagePercent() string {
	if m.ImageStep.Inputs == 0 {
		return "0"
	}
	return fmt.Sprint(100 * m.ImageStep.Input / m.ImageStep.Inputs)
}
