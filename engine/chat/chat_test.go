package chat

import (
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"
)

// dumpTemplate prints the variables a template receives, as JSON.
const dumpTemplate = "{{ messages | tojson }}\n{{ tools | tojson if tools is defined else 'no tools' }}\n" +
	"{{ add_generation_prompt }} {{ bos_token }} {{ eos_token }}"

func TestRenderPassesMessagesInOpenAIShape(t *testing.T) {
	tmpl, err := Parse(dumpTemplate)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tmpl.Render([]Message{
		{Role: "user", Content: "Weather?"},
		{Role: "assistant", ToolCalls: []ToolCall{{ID: "c1", Name: "get_weather", Arguments: map[string]any{"city": "Oslo", "days": 2.0}}}},
		{Role: "tool", ToolCallID: "c1", Name: "get_weather", Content: "sunny"},
	}, Options{
		AddGenerationPrompt: true, BOSToken: "<s>", EOSToken: "</s>",
		Tools: []Tool{{Name: "get_weather", Description: "Forecast.", Parameters: map[string]any{"type": "object"}}, {Name: "noop"}},
	})
	if err != nil {
		t.Fatal(err)
	}
	want := `[{"role": "user", "content": "Weather?"}, ` +
		`{"role": "assistant", "content": "", "tool_calls": [{"id": "c1", "type": "function", "function": {"name": "get_weather", "arguments": {"city": "Oslo", "days": 2}}}]}, ` +
		`{"role": "tool", "content": "sunny", "tool_call_id": "c1", "name": "get_weather"}]` + "\n" +
		`[{"type": "function", "function": {"name": "get_weather", "description": "Forecast.", "parameters": {"type": "object"}}}, ` +
		`{"type": "function", "function": {"name": "noop", "description": "", "parameters": {"type": "object", "properties": {}}}}]` + "\n" +
		`True <s> </s>`
	if out != want {
		t.Errorf("got\n%s\nwant\n%s", out, want)
	}
}

func TestRenderWithoutToolsLeavesToolsUndefined(t *testing.T) {
	tmpl, err := Parse(dumpTemplate)
	if err != nil {
		t.Fatal(err)
	}
	out, err := tmpl.Render([]Message{{Role: "user", Content: "hi"}}, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if want := "[{\"role\": \"user\", \"content\": \"hi\"}]\nno tools\nFalse  "; out != want {
		t.Errorf("got %q, want %q", out, want)
	}
}

func TestExtraVariablesOverride(t *testing.T) {
	tmpl, err := Parse("{{ enable_thinking }} {{ bos_token }} {{ budget + 1 }} {{ flags | join(',') }}")
	if err != nil {
		t.Fatal(err)
	}
	out, err := tmpl.Render(nil, Options{BOSToken: "<s>", Extra: map[string]any{
		"enable_thinking": false, "bos_token": "[BOS]", "budget": 41, "flags": []string{"a", "b"},
	}})
	if err != nil {
		t.Fatal(err)
	}
	if out != "False [BOS] 42 a,b" {
		t.Errorf("got %q", out)
	}
}

func TestStrftimeNowUsesOptionsNow(t *testing.T) {
	tmpl, err := Parse(`{{ strftime_now("%d %b %Y") }}|{{ strftime_now('%B %d, %Y %H:%M') }}`)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2024, 7, 26, 9, 5, 0, 0, time.UTC)
	out, err := tmpl.Render(nil, Options{Now: now})
	if err != nil {
		t.Fatal(err)
	}
	if out != "26 Jul 2024|July 26, 2024 09:05" {
		t.Errorf("got %q", out)
	}
}

func TestSupportsTools(t *testing.T) {
	for src, want := range map[string]bool{
		"{% for t in tools %}{{ t | tojson }}{% endfor %}":                       true,
		"{% macro m() %}{{ tools | length }}{% endmacro %}{{ m() }}":             true,
		"{% for m in messages %}{{ m.content }}{% endfor %}":                     false,
		"{% set tools_text = 'not the variable' %}{{ tools_text }}{{ 'tools' }}": false,
	} {
		tmpl, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		if tmpl.SupportsTools() != want {
			t.Errorf("SupportsTools(%q) = %v, want %v", src, !want, want)
		}
	}
}

// TestToolArgumentsForm checks the probe: a template that prints
// arguments with tojson gets a dict, one that concatenates them as a
// string gets JSON text.
func TestToolArgumentsForm(t *testing.T) {
	msgs := []Message{
		{Role: "user", Content: "go"},
		{Role: "assistant", ToolCalls: []ToolCall{{Name: "f", Arguments: map[string]any{"x": 1}}}},
	}
	cases := map[string]string{
		"{% for c in messages[1].tool_calls %}{{ c.function.arguments | tojson }}{% endfor %}":                                         `{"x": 1}`,
		"{% for c in messages[1].tool_calls %}{{ 'args=' + c.function.arguments }}{% endfor %}":                                        `args={"x": 1}`,
		"{% for c in messages[1].tool_calls %}{{ c.function.arguments is string }}{% endfor %}":                                        `False`,
		"{% for c in messages[1].tool_calls %}{{ c.function.arguments.x if c.function.arguments is mapping else 'text' }}{% endfor %}": `1`,
	}
	for src, want := range cases {
		tmpl, err := Parse(src)
		if err != nil {
			t.Fatal(err)
		}
		out, err := tmpl.Render(msgs, Options{})
		if err != nil {
			t.Fatalf("%s: %v", src, err)
		}
		if out != want {
			t.Errorf("%s = %q, want %q", src, out, want)
		}
	}
}

func TestExecuteConvertsGoValues(t *testing.T) {
	tmpl, err := Parse("{{ m }}|{{ m | tojson }}|{{ n }}|{{ f }}|{{ ints }}|{{ nothing }}|{{ ptr }}")
	if err != nil {
		t.Fatal(err)
	}
	s := "pointed"
	out, err := tmpl.Execute(map[string]any{
		"m":       map[string]any{"b": 1, "a": []any{true, nil}},
		"n":       json.Number("12"),
		"f":       float32(0.5),
		"ints":    []int{1, 2},
		"nothing": nil,
		"ptr":     &s,
	}, fixedNow, Limits{})
	if err != nil {
		t.Fatal(err)
	}
	want := `{'a': [True, None], 'b': 1}|{"a": [true, null], "b": 1}|12|0.5|[1, 2]|None|pointed`
	if out != want {
		t.Errorf("got  %s\nwant %s", out, want)
	}
	if _, err := tmpl.Execute(map[string]any{"m": struct{}{}}, fixedNow, Limits{}); err == nil || !strings.Contains(err.Error(), "unsupported value type") {
		t.Errorf("a struct value: %v", err)
	}
	if _, err := tmpl.Render(nil, Options{Extra: map[string]any{"x": make(chan int)}}); err == nil {
		t.Error("a channel in Extra was accepted")
	}
}

func TestTemplateIsSafeForConcurrentRenders(t *testing.T) {
	tmpl, err := Parse("{% set ns = namespace(n=0) %}{% for m in messages %}{% set ns.n = ns.n + 1 %}{% set _ = m.update({'seen': true}) %}{% endfor %}{{ ns.n }}")
	if err != nil {
		t.Fatal(err)
	}
	msgs := []Message{{Role: "user", Content: "a"}, {Role: "assistant", Content: "b"}}
	var wg sync.WaitGroup
	errs := make(chan error, 16)
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			out, err := tmpl.Render(msgs, Options{})
			if err == nil && out != "2" {
				err = errors.New("got " + out)
			}
			if err != nil {
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
