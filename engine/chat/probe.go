package chat

import (
	"strings"
	"time"
)

// Templates disagree on how tool call arguments arrive: most expect a dict
// (the transformers convention) and print it with tojson, a few expect the
// JSON text of the OpenAI API and concatenate it as a string. Like
// llama.cpp, a template is probed once: it gets dict arguments if a render
// with them shows the argument value, else JSON text if that one does.

const probeMarker = "hearth_probe_value"

var fixedProbeTime = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

func (t *Template) toolArgumentsAsJSON() bool {
	t.probeOnce.Do(func() {
		t.argsAsJSON = !t.showsArguments(false) && t.showsArguments(true)
	})
	return t.argsAsJSON
}

func (t *Template) showsArguments(asJSON bool) bool {
	msgs := []Message{
		{Role: "user", Content: "Call the probe."},
		{Role: "assistant", ToolCalls: []ToolCall{{ID: "call12345", Name: "probe_tool", Arguments: map[string]any{"probe_arg": probeMarker}}}},
		{Role: "tool", ToolCallID: "call12345", Name: "probe_tool", Content: "done"},
	}
	opts := Options{Tools: []Tool{{Name: "probe_tool", Description: "A probe."}}}
	ctx, err := buildContext(msgs, opts, asJSON)
	if err != nil {
		return false
	}
	out, err := t.run(ctx, fixedProbeTime, Limits{})
	return err == nil && strings.Contains(out, probeMarker)
}
