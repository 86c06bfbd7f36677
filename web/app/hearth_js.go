//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"
)

// hearthEngine is the Engine of the page: a client of the engine's Web
// Worker, through the Hearth class of web/engine/hearth.js (which the page
// puts on window). Every method posts a request and waits for its promise;
// progress and token events come back through the call queue, in order and
// ahead of the answer they precede.
type hearthEngine struct {
	client js.Value
	calls  *callQueue
}

func newHearthEngine() (*hearthEngine, error) {
	ctor := js.Global().Get("Hearth")
	if ctor.Type() != js.TypeFunction {
		return nil, errors.New("the page did not load the engine client (web/engine/hearth.js)")
	}
	var client js.Value
	if err := catch(func() { client = ctor.New() }); err != nil {
		return nil, fmt.Errorf("starting the engine: %w", err)
	}
	return &hearthEngine{client: client, calls: newCallQueue()}, nil
}

// catch runs f, turning a JavaScript exception it throws into an error.
func catch(f func()) (err error) {
	defer func() {
		if p := recover(); p != nil {
			if jsErr, ok := p.(js.Error); ok {
				err = errors.New(errorText(jsErr.Value))
				return
			}
			err = fmt.Errorf("%v", p)
		}
	}()
	f()
	return nil
}

// errorText is the message of a thrown value (an Error's message, or the
// value as a string).
func errorText(v js.Value) string {
	if v.Type() == js.TypeObject {
		if msg := v.Get("message"); msg.Type() == js.TypeString {
			return msg.String()
		}
	}
	return js.Global().Get("String").Invoke(v).String()
}

// call runs client[method](args...), which returns a promise, and waits
// for its value.
func (h *hearthEngine) call(method string, args ...any) (js.Value, error) {
	type answer struct {
		v   js.Value
		err error
	}
	done := make(chan answer, 1)
	resolve := js.FuncOf(func(_ js.Value, a []js.Value) any {
		v := js.Undefined()
		if len(a) > 0 {
			v = a[0]
		}
		h.calls.push(func() { done <- answer{v: v} })
		return nil
	})
	defer resolve.Release()
	reject := js.FuncOf(func(_ js.Value, a []js.Value) any {
		msg := "the engine failed without saying why"
		if len(a) > 0 {
			msg = errorText(a[0])
		}
		h.calls.push(func() { done <- answer{err: errors.New(msg)} })
		return nil
	})
	defer reject.Release()
	if err := catch(func() { h.client.Call(method, args...).Call("then", resolve, reject) }); err != nil {
		return js.Undefined(), err
	}
	a := <-done
	return a.v, a.err
}

// threads is how many threads to ask the engine for: one core is left to
// the page, at most four are used (the engine runs one where the page is
// not cross-origin isolated).
func threads() int {
	n := js.Global().Get("navigator").Get("hardwareConcurrency")
	if n.Type() != js.TypeNumber {
		return 1
	}
	return max(1, min(4, n.Int()-1))
}

func (h *hearthEngine) Load(url string, onProgress func(Progress)) (ModelInfo, error) {
	progress := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			p := Progress{Phase: stringField(a[0], "phase"), Loaded: int64(numberField(a[0], "loaded")), Total: int64(numberField(a[0], "total"))}
			h.calls.push(func() { onProgress(p) })
		}
		return nil
	})
	defer progress.Release()
	v, err := h.call("load", url, map[string]any{"threads": threads(), "onProgress": progress})
	if err != nil {
		return ModelInfo{}, err
	}
	return ModelInfo{
		Arch: stringField(v, "arch"), Layers: int(numberField(v, "layers")), Vocab: int(numberField(v, "vocab")),
		Context: int(numberField(v, "context")), WeightType: stringField(v, "weightType"), Threads: int(numberField(v, "threads")),
		Cached: v.Get("cached").Truthy(), Storage: stringField(v, "storage"), Seconds: numberField(v, "loadSeconds"),
	}, nil
}

func (h *hearthEngine) Unload() error {
	_, err := h.call("unload")
	return err
}

func (h *hearthEngine) ChatPrompt(turns []Turn) (Prompt, error) {
	v, err := h.request("chat", turnMessages(turns)) // images_js.go: turns with images as content parts
	if err != nil {
		return Prompt{}, imageErrorOf(err) // a refused image says why
	}
	return chatPromptOf(v, turns)
}

func (h *hearthEngine) Generate(ids []int32, opt GenerateOptions, onToken func(string)) (GenerateResult, error) {
	token := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			text := stringField(a[0], "text")
			h.calls.push(func() { onToken(text) })
		}
		return nil
	})
	defer token.Release()
	prompt := make([]any, len(ids))
	for i, id := range ids {
		prompt[i] = id
	}
	s := opt.Sampling
	v, err := h.call("generate", prompt, map[string]any{
		"nPredict": opt.MaxTokens,
		"sampling": map[string]any{
			"temperature": s.Temperature, "topK": s.TopK, "topP": s.TopP, "minP": s.MinP,
			"repeatPenalty": s.RepeatPenalty, "seed": float64(s.Seed),
			"repeatLastN": s.RepeatLastN,
		},
		"onToken": token,
	})
	if err != nil {
		return GenerateResult{}, err
	}
	return GenerateResult{
		Tokens: int(numberField(v, "generatedTokens")), PromptTokens: int(numberField(v, "promptTokens")),
		Stop: stringField(v, "stop"), PrefillSeconds: numberField(v, "prefillSeconds"), DecodeSeconds: numberField(v, "decodeSeconds"),
		Experts: expertShareOf(v),
	}, nil
}

func (h *hearthEngine) Stop() {
	// The answer (true) says nothing the generation's own answer will not.
	_ = catch(func() { h.client.Call("stop") })
}

// stringField is o[name] if it is a string, else "".
func stringField(o js.Value, name string) string {
	if v := o.Get(name); v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

// numberField is o[name] if it is a number, else 0.
func numberField(o js.Value, name string) float64 {
	if v := o.Get(name); v.Type() == js.TypeNumber {
		return v.Float()
	}
	return 0
}

// idsOf reads an array of token ids.
func idsOf(v js.Value) ([]int32, error) {
	if v.Type() != js.TypeObject {
		return nil, errors.New("the engine's prompt has no token ids")
	}
	ids := make([]int32, v.Length())
	for i := range ids {
		x := v.Index(i)
		if x.Type() != js.TypeNumber {
			return nil, fmt.Errorf("token %d of the engine's prompt is not a number", i)
		}
		ids[i] = int32(x.Int())
	}
	return ids, nil
}
