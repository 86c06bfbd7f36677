package chat

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
)

// smolVLMTemplate is SmolVLM-Instruct's chat template (transformers'
// SmolVLM processor, Apache-2.0): it reads content as a list of parts and
// prints "<image>" for image parts of its own.
const smolVLMTemplate = "<|im_start|>{% for message in messages %}{{message['role'] | capitalize}}{% if message['content'][0]['type'] == 'image' %}{{':'}}{% else %}{{': '}}{% endif %}{% for line in message['content'] %}{% if line['type'] == 'text' %}{{line['text']}}{% elif line['type'] == 'image' %}{{ '<image>' }}{% endif %}{% endfor %}<end_of_utterance>\n{% endfor %}{% if add_generation_prompt %}{{ 'Assistant:' }}{% endif %}"

func realTemplate(t *testing.T, name string) *Template {
	t.Helper()
	src, err := os.ReadFile(filepath.Join(testdata.TemplatesDir(t), name))
	if err != nil {
		t.Fatal(err)
	}
	tmpl, err := Parse(string(src))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return tmpl
}

func mustParse(t *testing.T, src string) *Template {
	t.Helper()
	tmpl, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	return tmpl
}

// An image part reaches each template as llama.cpp hands it over: a text
// part holding the marker (so SmolVLM's template takes the text branch and
// the ": " of a text-first turn; Qwen3.5's prints no vision tokens of its
// own), or, for a template that only prints string content, the parts
// joined by "\n".
func TestPartsRenderWithMarkers(t *testing.T) {
	look := []Message{{Role: "user", Parts: []Part{TextPart("Look:"), ImagePart(), TextPart("Describe it.")}}}
	cases := []struct {
		name  string
		tmpl  *Template
		typed bool
		want  string // the whole prompt, or a part of it
		whole bool
		not   string
	}{
		{"SmolVLM", mustParse(t, smolVLMTemplate), true,
			"<|im_start|>User: Look:<__media__>Describe it.<end_of_utterance>\nAssistant:", true, "<image>"},
		{"Qwen3.5-4B", realTemplate(t, "Qwen3.5-4B.jinja"), true,
			"<|im_start|>user\nLook:<__media__>Describe it.<|im_end|>\n<|im_start|>assistant\n", false, "<|vision_start|>"},
		{"Qwen2.5-7B", realTemplate(t, "Qwen-Qwen2.5-7B-Instruct.jinja"), false,
			"<|im_start|>user\nLook:\n<__media__>\nDescribe it.<|im_end|>\n<|im_start|>assistant\n", false, "'type'"},
		{"string-printing", mustParse(t, "{% for m in messages %}[{{ m['content'] }}]{% endfor %}"), false,
			"[Look:\n<__media__>\nDescribe it.]", true, "'text'"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := c.tmpl.takesTypedContent(); got != c.typed {
				t.Fatalf("takes typed content: %v, want %v", got, c.typed)
			}
			out, err := c.tmpl.Render(look, Options{AddGenerationPrompt: true})
			if err != nil {
				t.Fatal(err)
			}
			if c.whole && out != c.want || !strings.Contains(out, c.want) {
				t.Fatalf("rendered %q, want %q", out, c.want)
			}
			if strings.Contains(out, c.not) {
				t.Fatalf("rendered %q, which holds %q", out, c.not)
			}
			pieces := SplitMedia(out)
			if len(pieces) != CountImages(look)+1 || !strings.HasSuffix(pieces[0], "Look:") && !strings.HasSuffix(pieces[0], "Look:\n") {
				t.Fatalf("split into %q", pieces)
			}
		})
	}
}

// String content renders as before beside messages with parts, and an
// image-only turn with two images gives two markers.
func TestPartsBesideStringContent(t *testing.T) {
	tmpl := mustParse(t, smolVLMTemplate)
	msgs := []Message{
		{Role: "user", Parts: []Part{ImagePart(), ImagePart(), TextPart("Same?")}},
		{Role: "assistant", Parts: []Part{TextPart("Yes.")}},
	}
	out, err := tmpl.Render(msgs, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := "<|im_start|>User: <__media__><__media__>Same?<end_of_utterance>\nAssistant: Yes.<end_of_utterance>\n"
	if out != want {
		t.Fatalf("rendered %q, want %q", out, want)
	}
	if CountImages(msgs) != 2 || len(SplitMedia(out)) != 3 {
		t.Fatalf("%d images, %d pieces", CountImages(msgs), len(SplitMedia(out)))
	}
	qwen := realTemplate(t, "Qwen-Qwen2.5-7B-Instruct.jinja")
	plain := []Message{{Role: "user", Content: "Hi"}}
	a, err := qwen.Render(plain, Options{AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	b, err := qwen.Render([]Message{{Role: "user", Parts: []Part{TextPart("Hi")}}}, Options{AddGenerationPrompt: true})
	if err != nil {
		t.Fatal(err)
	}
	if a != b || !strings.Contains(a, "<|im_start|>user\nHi<|im_end|>") {
		t.Fatalf("string content %q, one text part %q", a, b)
	}
}

func TestPartsErrors(t *testing.T) {
	for _, tmpl := range []*Template{mustParse(t, smolVLMTemplate), realTemplate(t, "Qwen-Qwen2.5-7B-Instruct.jinja")} {
		for _, c := range []struct {
			msg  Message
			want string
		}{
			{Message{Role: "user", Content: "x", Parts: []Part{TextPart("y")}}, "both Content and Parts"},
			{Message{Role: "user", Parts: []Part{{Type: "video"}}}, `unknown type "video"`},
			{Message{Role: "user", Parts: []Part{TextPart("a <__media__> b")}}, "holds the media marker"},
		} {
			_, err := tmpl.Render([]Message{c.msg}, Options{})
			if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "message 0") {
				t.Errorf("%+v: %v, want an error with %q", c.msg, err, c.want)
			}
		}
	}
}
