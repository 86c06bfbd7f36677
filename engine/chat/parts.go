package chat

import (
	"fmt"
	"strings"
)

// Content parts: a message that holds images carries its content as parts
// (text and images, in order) instead of one string. Images reach the
// template as llama.cpp's multimodal chat hands them over (wllama, which
// the vision oracle runs, does the same): each image becomes a text part
// whose text is the media marker, so a template that prints its text parts
// prints the marker where the image goes — whatever the template would
// have done with an image part of its own (SmolVLM's "<image>", Qwen-VL's
// vision tokens), since the vision code adds a model's image markup
// itself. A template that reads content as a list of {type, text} parts
// gets the list; one that only prints content as a string gets the parts
// joined by "\n". The caller splits the rendered prompt on the marker
// (SplitMedia) and puts each image's embeddings between the pieces.

// MediaMarker is the text that stands for an image in a rendered prompt
// (llama.cpp's mtmd_default_marker).
const MediaMarker = "<__media__>"

// PartType says what a Part is.
type PartType string

const (
	// PartText is a piece of text.
	PartText PartType = "text"
	// PartImage is an image; its pixels travel beside the conversation,
	// the n-th image part of the conversation being the n-th image.
	PartImage PartType = "image"
)

// Part is one piece of a message's content.
type Part struct {
	Type PartType
	Text string // for PartText
}

// TextPart is a text part.
func TextPart(s string) Part { return Part{Type: PartText, Text: s} }

// ImagePart is an image part.
func ImagePart() Part { return Part{Type: PartImage} }

// partsValue is the typed content of a message with parts: a list of
// {"type": "text", "text": …} dicts, images as the marker.
func partsValue(m Message) (value, error) {
	if m.Content != "" {
		return nil, fmt.Errorf("a message has both Content and Parts")
	}
	list := make([]value, len(m.Parts))
	for i, p := range m.Parts {
		text, err := partText(p, i)
		if err != nil {
			return nil, err
		}
		d := newDict()
		d.SetString("type", string(PartText))
		d.SetString("text", text)
		list[i] = d
	}
	return newList(list), nil
}

// partText is what part i renders as.
func partText(p Part, i int) (string, error) {
	switch p.Type {
	case PartText:
		if strings.Contains(p.Text, MediaMarker) {
			return "", fmt.Errorf("content part %d: the text holds the media marker %q", i, MediaMarker)
		}
		return p.Text, nil
	case PartImage:
		return MediaMarker, nil
	}
	return "", fmt.Errorf("content part %d: unknown type %q (want %q or %q)", i, p.Type, PartText, PartImage)
}

// joinParts is a message's parts as one string, for templates that do
// not read content as a list: the parts' texts joined by "\n".
func joinParts(m Message) (string, error) {
	if m.Content != "" {
		return "", fmt.Errorf("a message has both Content and Parts")
	}
	texts := make([]string, len(m.Parts))
	for i, p := range m.Parts {
		t, err := partText(p, i)
		if err != nil {
			return "", err
		}
		texts[i] = t
	}
	return strings.Join(texts, "\n"), nil
}

// CountImages is the number of image parts in msgs: how many markers a
// rendered prompt must hold.
func CountImages(msgs []Message) int {
	n := 0
	for _, m := range msgs {
		for _, p := range m.Parts {
			if p.Type == PartImage {
				n++
			}
		}
	}
	return n
}

// SplitMedia splits a rendered prompt at its media markers: the text
// before the first image, between images, and after the last (so
// len(result) = number of markers + 1; pieces may be empty).
func SplitMedia(prompt string) []string {
	return strings.Split(prompt, MediaMarker)
}

// takesTypedContent reports whether the template reads a message's
// content as a list of parts, probed once: a render with typed content
// must show the part's text, not the list itself.
func (t *Template) takesTypedContent() bool {
	t.typedOnce.Do(func() {
		msgs := []Message{{Role: "user", Parts: []Part{TextPart(probeMarker)}}}
		ctx, err := buildContext(msgs, Options{AddGenerationPrompt: true}, false)
		if err != nil {
			return
		}
		out, err := t.run(ctx, fixedProbeTime, Limits{})
		t.typed = err == nil && strings.Contains(out, probeMarker) &&
			!strings.Contains(out, "'type'") && !strings.Contains(out, `"type"`)
	})
	return t.typed
}

// flattenParts returns msgs with every message's parts joined into its
// Content (a copy; msgs is not changed).
func flattenParts(msgs []Message) ([]Message, error) {
	out := make([]Message, len(msgs))
	for i, m := range msgs {
		if m.Parts != nil {
			s, err := joinParts(m)
			if err != nil {
				return nil, fmt.Errorf("chat: message %d: %w", i, err)
			}
			m.Content, m.Parts = s, nil
		}
		out[i] = m
	}
	return out, nil
}
