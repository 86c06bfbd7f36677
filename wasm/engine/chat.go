//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"strings"
	"syscall/js"

	"github.com/hearth-ai/hearth/engine/chat"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/tokenizer"
)

// chatTemplate is the loaded model's chat template: the Jinja source from
// the GGUF key tokenizer.chat_template, parsed on first use.
type chatTemplate struct {
	source string // "" when the file has none
	parsed *chat.Template
}

// chatTemplateOf reads f's chat template.
func chatTemplateOf(f *gguf.File) chatTemplate {
	v, _ := f.Value("tokenizer.chat_template")
	s, _ := v.(string)
	return chatTemplate{source: s}
}

// chatML is the template for a model whose file has none: ChatML, the
// format llama.cpp also falls back to.
const chatML = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' }}{% endfor %}" +
	"{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}"

// chatPrompt is a conversation rendered and tokenized.
type chatPrompt struct {
	IDs      []int32
	Text     string // what was tokenized
	Template string // "gguf" (the model's own) or "chatml" (the fallback)
}

// chat renders msgs with the model's chat template (ending with the
// assistant's header when addGenerationPrompt is set) and tokenizes the
// text as llama.cpp does: special tokens parsed, BOS added when the model
// wants one, and a BOS (or final EOS) the template wrote itself removed
// first so that it is not doubled.
func (e *engine) chat(msgs []chat.Message, addGenerationPrompt bool) (*chatPrompt, error) {
	if err := e.loaded(); err != nil {
		return nil, err
	}
	text, from, err := e.renderChat(msgs, addGenerationPrompt)
	if err != nil {
		return nil, err
	}
	return &chatPrompt{IDs: e.tok.Encode(text, true, true), Text: text, Template: from}, nil
}

// renderChat is chat's text before tokenizing, and where its template
// came from: the template's output with a BOS (or final EOS) it wrote
// itself removed when the tokenizer adds one.
func (e *engine) renderChat(msgs []chat.Message, addGenerationPrompt bool) (text, from string, err error) {
	from = "gguf"
	if e.chatTmpl.parsed == nil {
		src := e.chatTmpl.source
		if src == "" {
			src, from = chatML, "chatml"
		}
		t, err := chat.Parse(src)
		if err != nil {
			return "", "", fmt.Errorf("the model's chat template does not parse: %w", err)
		}
		e.chatTmpl.parsed = t
	} else if e.chatTmpl.source == "" {
		from = "chatml"
	}
	bos, eos := specialText(e.tok, e.tok.BOS()), specialText(e.tok, e.tok.EOS())
	text, err = e.chatTmpl.parsed.Render(msgs, chat.Options{AddGenerationPrompt: addGenerationPrompt, BOSToken: bos, EOSToken: eos})
	if err != nil {
		return "", "", fmt.Errorf("the model's chat template: %w", err)
	}
	if e.tok.AddBOS() && bos != "" {
		text = strings.TrimPrefix(text, bos)
	}
	if e.tok.AddEOS() && eos != "" {
		text = strings.TrimSuffix(text, eos)
	}
	return text, from, nil
}

// specialText is the text of a special token as templates see it ("" for
// none).
func specialText(tok *tokenizer.Tokenizer, id int32) string {
	if id < 0 || int(id) >= tok.VocabSize() {
		return ""
	}
	return string(tok.PieceSpecial(id))
}

// chatRequest is the glue's chat(messages[, {addGenerationPrompt}]) →
// {ids, prompt, template, promptTokens}: messages is an array of {role,
// content}, content a string or a list of parts with images
// (chatimages.go: the answer then also says images, and promptTokens
// counts the images' embeddings, which ids leave out).
func (e *engine) chatRequest(args []js.Value) (map[string]any, error) {
	if len(args) < 1 {
		return nil, errors.New("chat takes an array of messages {role, content}")
	}
	msgs, images, err := readMessages(args[0])
	if err != nil {
		return nil, err
	}
	addGen := addGenerationPrompt(args)
	if len(images) > 0 {
		return e.chatWithImages(msgs, images, addGen)
	}
	p, err := e.chat(msgs, addGen)
	if err != nil {
		return nil, err
	}
	return map[string]any{"ids": idList(p.IDs), "prompt": p.Text, "template": p.Template, "promptTokens": len(p.IDs)}, nil
}
