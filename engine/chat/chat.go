// Package chat renders a model's own chat template: the Hugging Face style
// Jinja template stored under the GGUF key tokenizer.chat_template, which
// turns a conversation into the exact prompt text the model was trained on.
//
// It carries its own small Jinja interpreter (lexer.go, parser.go,
// parse_expr.go, exec.go, eval.go and the built-ins) with the semantics
// transformers renders templates with: Python values and methods,
// trim_blocks and lstrip_blocks on, tojson as json.dumps, and the
// raise_exception and strftime_now globals. Rendering is bounded (see
// Limits) and never panics on bad input.
package chat

import (
	"fmt"
	"sort"
	"sync"
	"time"
)

// Message is one turn of a conversation.
type Message struct {
	Role    string // system, user, assistant, tool
	Content string // the text of the turn ("" stays a string, never None)
	// Parts, when not nil, are the turn's content instead of Content:
	// text and images (see parts.go). Content must then be "".
	Parts      []Part
	ToolCalls  []ToolCall // assistant tool calls, optional
	ToolCallID string     // for role=tool: the call this answers, optional
	Name       string     // optional: a tool's name on role=tool, or a speaker name
}

// ToolCall is a function call made by the assistant.
type ToolCall struct {
	ID        string
	Name      string
	Arguments map[string]any
}

// Tool is a function the model may call. Parameters is a JSON schema; a
// nil schema is rendered as an object with no properties.
type Tool struct {
	Name        string
	Description string
	Parameters  map[string]any
}

// Options are the template variables besides the messages, and the
// render's clock and limits.
type Options struct {
	AddGenerationPrompt bool   // end with the header of an assistant turn
	BOSToken, EOSToken  string // bos_token and eos_token
	Tools               []Tool // rendered as {"type": "function", "function": {...}}
	// Extra holds more template variables (enable_thinking,
	// reasoning_effort …); they override the ones above.
	Extra map[string]any
	// Now is what strftime_now sees; the zero time means the current time.
	Now time.Time
	// Limits bound the render; zero fields take the defaults.
	Limits Limits
}

// Template is a parsed chat template; it is safe for concurrent renders.
type Template struct {
	body  []stmt
	names map[string]bool // every variable name the template reads

	probeOnce  sync.Once
	argsAsJSON bool // tool call arguments go in as JSON text; see probe.go

	typedOnce sync.Once
	typed     bool // content parts go in as a list; see parts.go
}

// Parse parses template source. Syntax errors are *Error values naming
// the line and column.
func Parse(src string) (t *Template, err error) {
	defer func() {
		if p := recover(); p != nil {
			t, err = nil, &Error{Msg: fmt.Sprintf("internal error while parsing: %v", p)}
		}
	}()
	body, err := parseTemplate(src)
	if err != nil {
		return nil, err
	}
	names := map[string]bool{}
	collectNames(body, names, true)
	return &Template{body: body, names: names}, nil
}

// SupportsTools tells whether the template reads the tools variable, that
// is, whether it can present tool definitions to the model.
func (t *Template) SupportsTools() bool { return t.names["tools"] }

// Render renders the conversation with the template. Tool call arguments
// are passed as a dict, unless a one-time probe render shows that the
// template only handles them as JSON text (as llama.cpp does it).
//
// Messages with Parts reach the template as a list of text parts, each
// image as MediaMarker, when the template reads content as a list; else
// their parts are joined by "\n" into a string (see parts.go).
func (t *Template) Render(msgs []Message, opts Options) (string, error) {
	asJSON, parts := false, false
	for _, m := range msgs {
		if len(m.ToolCalls) > 0 && !asJSON {
			asJSON = t.toolArgumentsAsJSON()
		}
		parts = parts || m.Parts != nil
	}
	if parts && !t.takesTypedContent() {
		var err error
		if msgs, err = flattenParts(msgs); err != nil {
			return "", err
		}
	}
	ctx, err := buildContext(msgs, opts, asJSON)
	if err != nil {
		return "", err
	}
	return t.run(ctx, opts.Now, opts.Limits)
}

// Execute renders the template with arbitrary variables, converted from Go
// values (maps, slices, strings, numbers, booleans, nil) to Python ones:
// map keys in sorted order, whole float64 values as ints (what a JSON
// number such as 3 is in Python). strftime_now sees now, or the current
// time if now is zero.
func (t *Template) Execute(vars map[string]any, now time.Time, limits Limits) (string, error) {
	ctx, err := toValue(vars, 0)
	if err != nil {
		return "", err
	}
	d, ok := ctx.(*pyDict)
	if !ok {
		d = newDict()
	}
	return t.run(d, now, limits)
}

func (t *Template) run(ctx *pyDict, now time.Time, limits Limits) (result string, err error) {
	defer func() {
		if p := recover(); p != nil {
			result, err = "", &Error{Msg: fmt.Sprintf("internal error while rendering: %v", p)}
		}
	}()
	if now.IsZero() {
		now = time.Now()
	}
	r := &renderer{limits: limits.withDefaults(), now: now}
	sc := newScope(nil)
	for i, k := range ctx.keys {
		if name, ok := k.(string); ok {
			sc.vars[name] = ctx.values[i]
		}
	}
	out := r.newOutput()
	if _, err := r.execBody(t.body, sc, out); err != nil {
		return "", err
	}
	return out.b.String(), nil
}

// buildContext makes the template variables, in the shape transformers
// and llama.cpp pass them: messages as dicts, tool calls in OpenAI form,
// tools only when there are some.
func buildContext(msgs []Message, opts Options, argsAsJSON bool) (*pyDict, error) {
	ctx := newDict()
	list := make([]value, len(msgs))
	for i, m := range msgs {
		d, err := messageValue(m, argsAsJSON)
		if err != nil {
			return nil, fmt.Errorf("chat: message %d: %w", i, err)
		}
		list[i] = d
	}
	ctx.SetString("messages", newList(list))
	if len(opts.Tools) > 0 {
		tools := make([]value, len(opts.Tools))
		for i, tool := range opts.Tools {
			v, err := toolValue(tool)
			if err != nil {
				return nil, fmt.Errorf("chat: tool %q: %w", tool.Name, err)
			}
			tools[i] = v
		}
		ctx.SetString("tools", newList(tools))
	}
	ctx.SetString("add_generation_prompt", opts.AddGenerationPrompt)
	ctx.SetString("bos_token", opts.BOSToken)
	ctx.SetString("eos_token", opts.EOSToken)
	keys := make([]string, 0, len(opts.Extra))
	for k := range opts.Extra {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v, err := toValue(opts.Extra[k], 0)
		if err != nil {
			return nil, fmt.Errorf("chat: extra variable %q: %w", k, err)
		}
		ctx.SetString(k, v)
	}
	return ctx, nil
}

func messageValue(m Message, argsAsJSON bool) (*pyDict, error) {
	d := newDict()
	d.SetString("role", m.Role)
	if m.Parts != nil {
		parts, err := partsValue(m)
		if err != nil {
			return nil, err
		}
		d.SetString("content", parts)
	} else {
		d.SetString("content", m.Content)
	}
	if len(m.ToolCalls) > 0 {
		calls := make([]value, len(m.ToolCalls))
		for i, c := range m.ToolCalls {
			args, err := toValue(c.Arguments, 0)
			if err != nil {
				return nil, err
			}
			if args == nil {
				args = newDict()
			}
			if argsAsJSON {
				if args, err = toJSON(args, defaultJSONOptions()); err != nil {
					return nil, err
				}
			}
			fn := newDict()
			fn.SetString("name", c.Name)
			fn.SetString("arguments", args)
			call := newDict()
			if c.ID != "" {
				call.SetString("id", c.ID)
			}
			call.SetString("type", "function")
			call.SetString("function", fn)
			calls[i] = call
		}
		d.SetString("tool_calls", newList(calls))
	}
	if m.ToolCallID != "" {
		d.SetString("tool_call_id", m.ToolCallID)
	}
	if m.Name != "" {
		d.SetString("name", m.Name)
	}
	return d, nil
}

func toolValue(t Tool) (*pyDict, error) {
	params, err := toValue(t.Parameters, 0)
	if err != nil {
		return nil, err
	}
	if params == nil {
		empty := newDict()
		empty.SetString("type", "object")
		empty.SetString("properties", newDict())
		params = empty
	}
	fn := newDict()
	fn.SetString("name", t.Name)
	fn.SetString("description", t.Description)
	fn.SetString("parameters", params)
	d := newDict()
	d.SetString("type", "function")
	d.SetString("function", fn)
	return d, nil
}
