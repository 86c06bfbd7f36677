//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"

	"github.com/hearth-ai/hearth/engine/chat"
	"github.com/hearth-ai/hearth/engine/multimodal"
	"github.com/hearth-ai/hearth/engine/sample"
)

// Conversations with images. A message's content is a string, or a list
// of parts [{type: 'text', text}, {type: 'image', data: Uint8Array}] (the
// worker turns an ArrayBuffer or Blob into bytes). The images are decoded
// here (engine/image, the pixel limit checked from the header first),
// preprocessed for the encoder and placed where the chat template puts
// them (engine/multimodal):
//
//	chat(messages)        → {ids, prompt, template, promptTokens, images}: the
//	                        prompt's length with the images' embeddings counted,
//	                        before anything is encoded (nothing is kept);
//	prepare(messages)     → {promptTokens, images, inputs, pending, imagesCached,
//	                        imagesEncoded}: the same prompt, kept for encodeNext
//	                        and startPrepared; images whose embeddings are cached
//	                        (imagecache.go) come encoded, pending is the inputs
//	                        left to encode;
//	encodeNext()          → {image, images, tile, tiles, input, inputs, done, kept}:
//	                        encodes one encoder input (an image, or a tile); kept:
//	                        the image it finished went into the cache;
//	startPrepared(sampling) → start's answer, the prepared prompt evaluated.
//
// A failed image leaves the model loaded and nothing prepared; its error
// has a reason: 'no-vision', 'not-image', 'image-corrupt',
// 'image-too-large'.

// readMessages reads the glue's messages: [{role, content}] with content a
// string or parts. It returns the messages and the images' bytes in order.
func readMessages(v js.Value) ([]chat.Message, [][]byte, error) {
	if v.Type() != js.TypeObject || !js.Global().Get("Array").Call("isArray", v).Bool() {
		return nil, nil, errors.New("chat takes an array of messages {role, content}")
	}
	msgs := make([]chat.Message, v.Length())
	var images [][]byte
	for i := range msgs {
		m := v.Index(i)
		if m.Type() != js.TypeObject {
			return nil, nil, fmt.Errorf("message %d is not an object {role, content}", i)
		}
		role, content := m.Get("role"), m.Get("content")
		if role.Type() != js.TypeString {
			return nil, nil, fmt.Errorf("message %d needs a string role", i)
		}
		msgs[i].Role = role.String()
		switch {
		case content.Type() == js.TypeString:
			msgs[i].Content = content.String()
		case content.Type() == js.TypeObject && js.Global().Get("Array").Call("isArray", content).Bool():
			parts, imgs, err := readParts(content, i, len(images))
			if err != nil {
				return nil, nil, err
			}
			msgs[i].Parts, images = parts, append(images, imgs...)
		default:
			return nil, nil, fmt.Errorf("message %d needs a content: a string, or a list of parts {type: 'text', text} and {type: 'image', data}", i)
		}
	}
	return msgs, images, nil
}

// readParts reads message i's content parts; before images came earlier.
func readParts(v js.Value, i, before int) ([]chat.Part, [][]byte, error) {
	parts := make([]chat.Part, 0, v.Length())
	var images [][]byte
	u8 := js.Global().Get("Uint8Array")
	for j := range v.Length() {
		p := v.Index(j)
		if p.Type() != js.TypeObject {
			return nil, nil, fmt.Errorf("message %d, part %d is not an object {type, ...}", i, j)
		}
		switch typ := p.Get("type"); {
		case typ.Type() == js.TypeString && typ.String() == "text":
			text := p.Get("text")
			if text.Type() != js.TypeString {
				return nil, nil, fmt.Errorf("message %d, part %d: a text part needs a string text", i, j)
			}
			parts = append(parts, chat.TextPart(text.String()))
		case typ.Type() == js.TypeString && typ.String() == "image":
			data := p.Get("data")
			if !data.InstanceOf(u8) {
				return nil, nil, fmt.Errorf("message %d, part %d (image %d): the image's data must be bytes (an ArrayBuffer, Blob or Uint8Array)", i, j, before+len(images)+1)
			}
			b := make([]byte, data.Length())
			js.CopyBytesToGo(b, data)
			images = append(images, b)
			parts = append(parts, chat.ImagePart())
		default:
			return nil, nil, fmt.Errorf("message %d, part %d: unknown type %v (want 'text' or 'image')", i, j, typ)
		}
	}
	return parts, images, nil
}

// buildPrompt renders msgs and assembles them with their images through
// the encoder's cache (imagecache.go). For counting (encode false) every
// image stands for its layout, decoded only when the cache does not know
// it, and the prompt cannot be encoded; otherwise an image the cache
// holds comes encoded and the others are decoded and prepared, nothing
// encoded yet, and set says which is which.
func (e *engine) buildPrompt(msgs []chat.Message, images [][]byte, addGen, encode bool) (p *multimodal.Prompt, set *multimodal.ImageSet, cp *chatPrompt, err error) {
	if err := e.loaded(); err != nil {
		return nil, nil, nil, err
	}
	if e.vis == nil {
		return nil, nil, nil, noVision(len(images))
	}
	var layouts []*multimodal.Image
	if encode {
		set, err = e.vis.images.ForEncoding(images)
	} else {
		layouts, err = e.vis.images.Layouts(images)
	}
	if err != nil {
		return nil, nil, nil, err
	}
	text, from, err := e.renderChat(msgs, addGen)
	if err != nil {
		return nil, nil, nil, err
	}
	if encode {
		p, err = set.Build(e.tok, text, e.vis.enc.Tokens())
	} else {
		p, err = multimodal.Build(e.tok, text, layouts, e.vis.enc.Tokens())
	}
	if err != nil {
		return nil, nil, nil, err
	}
	return p, set, &chatPrompt{IDs: p.TextIDs(), Text: text, Template: from}, nil
}

// chatWithImages answers chat for a conversation with images.
func (e *engine) chatWithImages(msgs []chat.Message, images [][]byte, addGen bool) (map[string]any, error) {
	p, _, cp, err := e.buildPrompt(msgs, images, addGen, false)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ids": idList(cp.IDs), "prompt": cp.Text, "template": cp.Template,
		"promptTokens": p.Positions(), "images": len(images)}, nil
}

// prepareRequest is the glue's prepare(messages[, {addGenerationPrompt}]).
func (e *engine) prepareRequest(args []js.Value) (map[string]any, error) {
	e.prepared, e.preparedSet = nil, nil
	if len(args) < 1 {
		return nil, errors.New("prepare takes an array of messages {role, content}")
	}
	msgs, images, err := readMessages(args[0])
	if err != nil {
		return nil, err
	}
	var p *multimodal.Prompt
	var set *multimodal.ImageSet
	if len(images) == 0 {
		text, _, err := e.renderChat(msgs, addGenerationPrompt(args))
		if err != nil {
			return nil, err
		}
		p = textPrompt(e.tok.Encode(text, true, true))
	} else if p, set, _, err = e.buildPrompt(msgs, images, addGenerationPrompt(args), true); err != nil {
		return nil, err
	}
	e.prepared, e.preparedSet = p, set
	cached := 0
	if set != nil {
		cached = set.Cached()
	}
	return map[string]any{"promptTokens": p.Positions(), "images": len(images), "inputs": p.Inputs(),
		"pending": p.Pending(), "imagesCached": cached, "imagesEncoded": len(images) - cached}, nil
}

// textPrompt is a prompt of ids alone.
func textPrompt(ids []int32) *multimodal.Prompt {
	return &multimodal.Prompt{Chunks: []multimodal.Chunk{{IDs: ids, N: len(ids)}}}
}

// encodeNext encodes the prepared prompt's next image input.
func (e *engine) encodeNext() (map[string]any, error) {
	if err := e.loaded(); err != nil {
		return nil, err
	}
	if e.prepared == nil {
		return nil, errors.New("no prompt is prepared (call prepare first)")
	}
	if e.prepared.Encoded() {
		return map[string]any{"done": true, "inputs": e.prepared.Inputs()}, nil
	}
	t0 := time.Now()
	st, err := e.prepared.EncodeNext(e.vis.enc.Encode, e.m.HP.Embd)
	if err != nil {
		e.prepared, e.preparedSet = nil, nil
		return nil, err
	}
	secs := time.Since(t0).Seconds()
	kept := e.preparedSet != nil && e.preparedSet.Keep(e.prepared, st.Image) // once its last input is encoded
	return map[string]any{"image": st.Image, "images": st.Images, "tile": st.Tile, "tiles": st.Tiles,
		"input": st.Input, "inputs": st.Inputs, "done": e.prepared.Encoded(), "seconds": secs, "kept": kept}, nil
}

// startPrepared begins a generation from the prepared prompt, its images
// encoded (as start does for ids; schema as start's).
func (e *engine) startPrepared(cfg sample.Config, schema string) (*startResult, error) {
	if err := e.loaded(); err != nil {
		return nil, err
	}
	e.started = false
	p := e.prepared
	switch {
	case p == nil:
		return nil, errors.New("no prompt is prepared (call prepare first)")
	case !p.Encoded():
		return nil, errors.New("the prepared prompt's images are not all encoded (call encodeNext until done)")
	case p.Positions() == 0:
		return nil, errors.New("the prompt has no tokens")
	}
	res, err := e.begin(cfg, schema, p.TextIDs(), p.Positions(), func() ([]float32, error) { return multimodal.Eval(e.sess, p.Chunks) })
	if err != nil {
		return nil, err
	}
	e.prepared, e.preparedSet = nil, nil
	return res, nil
}

// addGenerationPrompt reads args[1].addGenerationPrompt (default true).
func addGenerationPrompt(args []js.Value) bool {
	if len(args) > 1 && args[1].Type() == js.TypeObject {
		if v := args[1].Get("addGenerationPrompt"); v.Type() == js.TypeBoolean {
			return v.Bool()
		}
	}
	return true
}

// idList is ids as a JS array's elements.
func idList(ids []int32) []any {
	out := make([]any, len(ids))
	for i, id := range ids {
		out[i] = id
	}
	return out
}
