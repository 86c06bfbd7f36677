//go:build js && wasm

package main

import (
	"errors"
	"strings"
	"syscall/js"

	"github.com/vugu/vugu"
)

// The browser's side of images (images.go): files read into bytes, their
// thumbnails as object URLs, the paste listener and the picture picker,
// and the engine's ImageEngine over hearth.js.

var _ ImageEngine = (*hearthEngine)(nil)

func init() {
	objectURL = func(data []byte, typ string) string {
		u8 := js.Global().Get("Uint8Array").New(len(data))
		js.CopyBytesToJS(u8, data)
		blob := js.Global().Get("Blob").New([]any{u8}, map[string]any{"type": typ})
		return js.Global().Get("URL").Call("createObjectURL", blob).String()
	}
	revokeObjectURL = func(u string) { js.Global().Get("URL").Call("revokeObjectURL", u) }
}

// isImageFile tells whether a File looks like a picture: an image/* type,
// or a picture's extension (a renamed file is still sent to the engine,
// whose check says what it really is).
func isImageFile(f js.Value) bool {
	if strings.HasPrefix(f.Get("type").String(), "image/") {
		return true
	}
	name := strings.ToLower(f.Get("name").String())
	for _, ext := range []string{".png", ".jpg", ".jpeg", ".gif", ".webp", ".bmp", ".tif", ".tiff", ".heic", ".avif"} {
		if strings.HasSuffix(name, ext) {
			return true
		}
	}
	return false
}

// firstImageFile is the first picture of a FileList, or undefined.
func firstImageFile(files js.Value) js.Value {
	for i := range files.Length() {
		if f := files.Index(i); isImageFile(f) {
			return f
		}
	}
	return js.Undefined()
}

// attachFile reads a File's bytes and attaches it (App.AttachImage). Run
// it in a goroutine: it waits for the browser.
func attachFile(app *App, f js.Value) {
	name, typ := f.Get("name").String(), f.Get("type").String()
	data, err := readBytes(f)
	if err != nil {
		app.update(func() { app.Chat.ImageError = "Could not read " + name + ": " + err.Error() })
		return
	}
	att := newAttachment(name, typ, data)
	att.URL = js.Global().Get("URL").Call("createObjectURL", f).String()
	app.update(func() { app.AttachImage(att) })
}

// readBytes reads a Blob (a File) whole.
func readBytes(blob js.Value) ([]byte, error) {
	type answer struct {
		v   js.Value
		err error
	}
	done := make(chan answer, 1)
	ok := js.FuncOf(func(_ js.Value, a []js.Value) any { done <- answer{v: a[0]}; return nil })
	defer ok.Release()
	fail := js.FuncOf(func(_ js.Value, a []js.Value) any { done <- answer{err: errors.New(errorText(a[0]))}; return nil })
	defer fail.Release()
	if err := catch(func() { blob.Call("arrayBuffer").Call("then", ok, fail) }); err != nil {
		return nil, err
	}
	a := <-done
	if a.err != nil {
		return nil, a.err
	}
	u8 := js.Global().Get("Uint8Array").New(a.v)
	data := make([]byte, u8.Length())
	js.CopyBytesToGo(data, u8)
	return data, nil
}

// installImagePaste attaches a picture pasted anywhere on the page (once).
func installImagePaste(app *App) {
	doc := js.Global().Get("document")
	if !doc.Truthy() || doc.Get("hearthImagePaste").Truthy() {
		return
	}
	doc.Set("hearthImagePaste", true)
	doc.Call("addEventListener", "paste", js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) == 0 || !a[0].Get("clipboardData").Truthy() {
			return nil
		}
		f := firstImageFile(a[0].Get("clipboardData").Get("files"))
		if f.IsUndefined() {
			return nil // text: pasted as usual
		}
		a[0].Call("preventDefault")
		go attachFile(app, f)
		return nil
	}))
}

// pickedImage attaches the picture chosen in the picker whose change
// event e is.
func pickedImage(app *App, e vugu.DOMEvent) {
	input := js.Value(e.JSEventTarget())
	files := input.Get("files")
	if !files.Truthy() || files.Length() == 0 {
		return
	}
	f := files.Index(0)
	input.Set("value", "") // choosing the same file again is a change too
	go attachFile(app, f)
}

// openImagePicker opens the chooser of the #chat-image-file input.
func openImagePicker() {
	if in := js.Global().Get("document").Call("getElementById", "chat-image-file"); in.Truthy() {
		in.Call("click")
	}
}

// turnMessages are turns as the engine's chat takes them: content a
// string, or parts (the images, then the text) when a turn has images.
func turnMessages(turns []Turn) []any {
	msgs := make([]any, len(turns))
	for i, t := range turns {
		if len(t.Images) == 0 {
			msgs[i] = map[string]any{"role": t.Role, "content": t.Content}
			continue
		}
		parts := make([]any, 0, len(t.Images)+1)
		for _, im := range t.Images {
			u8 := js.Global().Get("Uint8Array").New(len(im.Data))
			js.CopyBytesToJS(u8, im.Data)
			parts = append(parts, map[string]any{"type": "image", "data": u8})
		}
		if t.Content != "" {
			parts = append(parts, map[string]any{"type": "text", "text": t.Content})
		}
		msgs[i] = map[string]any{"role": t.Role, "content": parts}
	}
	return msgs
}

// imageErrorOf reads a refused image's reason from the engine's error.
func imageErrorOf(err error) error {
	var je *jsError
	if !errors.As(err, &je) || je.value.Type() != js.TypeObject {
		return err
	}
	switch r := stringField(je.value, "reason"); r {
	case "no-vision", "not-image", "image-corrupt", "image-too-large":
		return &ImageError{Reason: r, Msg: je.msg}
	}
	return err
}

// visionOf reads a load's answer's vision (nil for a text-only model).
func visionOf(v js.Value) *VisionInfo {
	x := v.Get("vision")
	if x.Type() != js.TypeObject {
		return nil
	}
	return &VisionInfo{
		Projector: stringField(x, "projector"), ImageSize: int(numberField(x, "imageSize")),
		TokensPerImage: int(numberField(x, "tokensPerImage")), Tiles: x.Get("tiles").Truthy(),
		MaxImagePixels:   int(numberField(x, "maxImagePixels")),
		PreprocImageSize: int(numberField(x, "preprocImageSize")),
		Cache:            ImageCacheStats{MaxBytes: int64(numberField(x, "imageCacheBytes"))}, // empty at load
		CacheKnown:       x.Get("imageCacheBytes").Type() == js.TypeNumber,
	}
}

// chatPromptOf reads chat's answer for turns.
func chatPromptOf(v js.Value, turns []Turn) (Prompt, error) {
	ids, err := idsOf(v.Get("ids"))
	if err != nil {
		return Prompt{}, err
	}
	p := Prompt{IDs: ids, Text: stringField(v, "prompt"), Template: stringField(v, "template"),
		Tokens: int(numberField(v, "promptTokens")), Images: int(numberField(v, "images"))}
	if p.Images > 0 {
		p.Turns = turns
	}
	return p, nil
}

func (h *hearthEngine) GenerateTurns(turns []Turn, opt GenerateOptions, onToken func(string), onImage func(ImageStep)) (GenerateResult, error) {
	token := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			text := stringField(a[0], "text")
			h.calls.push(func() { onToken(text) })
		}
		return nil
	})
	defer token.Release()
	progress := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) > 0 && a[0].Type() == js.TypeObject && stringField(a[0], "phase") == "image" {
			n := func(k string) int { return int(numberField(a[0], k)) }
			st := ImageStep{Image: n("image"), Images: n("images"), Tile: n("tile"), Tiles: n("tiles"), Input: n("input"), Inputs: n("inputs")}
			h.calls.push(func() { onImage(st) })
		}
		return nil
	})
	defer progress.Release()
	s := opt.Sampling
	v, err := h.request("generate", turnMessages(turns), map[string]any{
		"nPredict": opt.MaxTokens,
		"sampling": map[string]any{
			"temperature": s.Temperature, "topK": s.TopK, "topP": s.TopP, "minP": s.MinP,
			"repeatPenalty": s.RepeatPenalty, "seed": float64(s.Seed), "repeatLastN": s.RepeatLastN,
		},
		"onToken": token, "onProgress": progress,
	})
	if err != nil {
		return GenerateResult{}, imageErrorOf(err)
	}
	return GenerateResult{
		Tokens: int(numberField(v, "generatedTokens")), PromptTokens: int(numberField(v, "promptTokens")),
		Stop: stringField(v, "stop"), PrefillSeconds: numberField(v, "prefillSeconds"), DecodeSeconds: numberField(v, "decodeSeconds"),
	}, nil
}

// pairArg is a pair's image encoder as hearth.js's load takes it, or nil.
func pairArg(mm *PairFile) any {
	if mm == nil {
		return nil
	}
	return map[string]any{"url": mm.URL, "sha256": mm.SHA256}
}
