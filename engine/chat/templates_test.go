package chat

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/internal/testdata"
)

// These tests render every real chat template in llama.cpp's
// models/templates with two conversations, and compare each result with
// @huggingface/jinja (the Jinja of transformers.js, which node-llama-cpp
// uses to render the same templates).

var fixedNow = time.Date(2025, 6, 15, 10, 30, 0, 0, time.UTC)

func plainConversation() []Message {
	return []Message{
		{Role: "system", Content: "You are a helpful assistant."},
		{Role: "user", Content: "Hello! Who are you?"},
		{Role: "assistant", Content: "I am an assistant. How can I help?"},
		{Role: "user", Content: "What is 2+2?"},
	}
}

// The tool call id has 9 alphanumeric characters, as Mistral's templates demand.
func toolConversation() []Message {
	return []Message{
		{Role: "system", Content: "You are a helpful assistant."},
		{Role: "user", Content: "What's the weather in Paris?"},
		{Role: "assistant", ToolCalls: []ToolCall{{ID: "call12345", Name: "get_weather", Arguments: map[string]any{"city": "Paris"}}}},
		{Role: "tool", ToolCallID: "call12345", Name: "get_weather", Content: `{"temperature": 22, "unit": "celsius"}`},
		{Role: "assistant", Content: "It is 22°C in Paris."},
		{Role: "user", Content: "Thanks!"},
	}
}

func weatherTool() Tool {
	return Tool{
		Name:        "get_weather",
		Description: "Get the current weather for a city.",
		Parameters: map[string]any{
			"type": "object",
			"properties": map[string]any{
				"city": map[string]any{"type": "string", "description": "The city name"},
			},
			"required": []any{"city"},
		},
	}
}

func templateOptions(tools []Tool) Options {
	return Options{AddGenerationPrompt: true, BOSToken: "<s>", EOSToken: "</s>", Tools: tools, Now: fixedNow}
}

// renderCase is one render of one template, as both sides do it.
type renderCase struct {
	name, template string
	msgs           []Message
	opts           Options
	argsAsJSON     bool
	output         string
}

// templateInputs are variables that particular templates require besides
// the standard ones, given to their plain render: firefunction-v2 reads
// functions (the JSON of the function list) and datetime, as llama.cpp
// passes them; functionary-v3.1 filters tools and fails on None, so it
// gets an empty tool list.
var templateInputs = map[string]map[string]any{
	"fireworks-ai-llama-3-firefunction-v2.jinja": {"functions": "[]", "datetime": "Jun 15 2025"},
	"meetkai-functionary-medium-v3.1.jinja":      {"tools": []any{}},
}

// rejectsSystem tells whether a render failed because the template itself
// raised an exception about the system role.
func rejectsSystem(err error) bool {
	var e *Error
	return errors.As(err, &e) && e.Raised && strings.Contains(strings.ToLower(e.Msg), "system")
}

func withoutSystem(msgs []Message) []Message {
	var out []Message
	for _, m := range msgs {
		if m.Role != "system" {
			out = append(out, m)
		}
	}
	return out
}

type templateFile struct {
	name, src string
	tmpl      *Template
}

func loadTemplates(t *testing.T) []templateFile {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(testdata.TemplatesDir(t), "*.jinja"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 60 {
		t.Fatalf("found only %d templates in %s", len(paths), testdata.TemplatesDir(t))
	}
	var files []templateFile
	for _, p := range paths {
		src, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		name := filepath.Base(p)
		tmpl, err := Parse(string(src))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		files = append(files, templateFile{name, string(src), tmpl})
	}
	return files
}

// renderAll renders the plain conversation with every template, and the
// tool conversation with every template that reads tools. A template that
// raises an exception about the system role is rendered again without
// the system message; those are returned too.
func renderAll(t *testing.T) (cases []*renderCase, noSystem []string) {
	t.Helper()
	for _, f := range loadTemplates(t) {
		type variant struct {
			suffix string
			msgs   []Message
			tools  []Tool
		}
		variants := []variant{{"", plainConversation(), nil}}
		if f.tmpl.SupportsTools() {
			variants = append(variants, variant{" +tools", toolConversation(), []Tool{weatherTool()}})
		}
		for _, v := range variants {
			c := &renderCase{name: f.name + v.suffix, template: f.src, msgs: v.msgs, opts: templateOptions(v.tools)}
			if v.tools == nil {
				c.opts.Extra = templateInputs[f.name]
			} else {
				c.argsAsJSON = f.tmpl.toolArgumentsAsJSON()
			}
			out, err := f.tmpl.Render(c.msgs, c.opts)
			if rejectsSystem(err) {
				noSystem = append(noSystem, c.name+": "+err.Error())
				c.msgs = withoutSystem(c.msgs)
				out, err = f.tmpl.Render(c.msgs, c.opts)
			}
			if err != nil {
				t.Errorf("%s: %v", c.name, err)
				continue
			}
			if strings.TrimSpace(out) == "" {
				t.Errorf("%s: rendered nothing", c.name)
				continue
			}
			if last := c.msgs[len(c.msgs)-1].Content; !strings.Contains(out, last) {
				t.Errorf("%s: the last message %q is missing from:\n%s", c.name, last, out)
			}
			if v.tools != nil && !strings.Contains(out, "get_weather") {
				t.Errorf("%s: the tool is missing from:\n%s", c.name, out)
			}
			c.output = out
			cases = append(cases, c)
		}
	}
	return cases, noSystem
}

// TestTemplateInputsAreNeeded shows that the templates given extra
// variables in templateInputs fail without them, in their own code.
func TestTemplateInputsAreNeeded(t *testing.T) {
	for _, f := range loadTemplates(t) {
		if templateInputs[f.name] == nil {
			continue
		}
		_, err := f.tmpl.Render(plainConversation(), templateOptions(nil))
		var e *Error
		if !errors.As(err, &e) || e.Raised {
			t.Errorf("%s renders without its extra inputs (%v): drop it from templateInputs", f.name, err)
		} else {
			t.Logf("%s without its extra inputs: %v", f.name, err)
		}
	}
}

func TestRealTemplatesRender(t *testing.T) {
	cases, noSystem := renderAll(t)
	t.Logf("%d renders succeeded", len(cases))
	for _, s := range noSystem {
		t.Logf("retried without the system message: %s", s)
	}
}

// BenchmarkRenderTemplates renders the tool conversation with a few large
// real templates: go test -bench RenderTemplates ./engine/chat/
func BenchmarkRenderTemplates(b *testing.B) {
	for _, name := range []string{"openai-gpt-oss-120b.jinja", "Qwen-Qwen3-0.6B.jinja", "meta-llama-Llama-3.1-8B-Instruct.jinja"} {
		src, err := os.ReadFile(filepath.Join(testdata.TemplatesDir(b), name))
		if err != nil {
			b.Fatal(err)
		}
		tmpl, err := Parse(string(src))
		if err != nil {
			b.Fatal(err)
		}
		msgs, opts := toolConversation(), templateOptions([]Tool{weatherTool()})
		b.Run(strings.TrimSuffix(name, ".jinja"), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if _, err := tmpl.Render(msgs, opts); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkParse parses the largest real template.
func BenchmarkParse(b *testing.B) {
	src, err := os.ReadFile(filepath.Join(testdata.TemplatesDir(b), "openai-gpt-oss-120b.jinja"))
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		if _, err := Parse(string(src)); err != nil {
			b.Fatal(err)
		}
	}
}
