//go:build js

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"syscall/js"

	"github.com/hearth-ai/hearth/engine/action"
	"github.com/hearth-ai/hearth/engine/chat"
	"github.com/hearth-ai/hearth/wasm/executor"
)

// runtime is the state behind globalThis.__hearthRuntime: the page, the
// owner's policy and the plans that are running.
type runtime struct {
	page *executor.Page

	mu      sync.Mutex
	policy  action.Policy
	running map[int]context.CancelFunc
	nextRun int
	funcs   []js.Func
}

func newRuntime(page *executor.Page) *runtime {
	return &runtime{page: page, running: map[int]context.CancelFunc{}}
}

// object is the JS object of the runtime's methods.
func (r *runtime) object() js.Value {
	o := js.Global().Get("Object").New()
	method := func(name string, f func(args []js.Value) js.Value) {
		fn := js.FuncOf(func(_ js.Value, args []js.Value) any { return f(args) })
		r.funcs = append(r.funcs, fn)
		o.Set(name, fn)
	}
	method("observe", func(args []js.Value) js.Value {
		opts := jsonArg(args, 0)
		return promise(func() (string, error) { return r.observe(opts) })
	})
	method("execute", func(args []js.Value) js.Value {
		list, hooks := jsonArg(args, 0), argOr(args, 1)
		return promise(func() (string, error) { return r.execute(list, hooks) })
	})
	method("setPolicy", func(args []js.Value) js.Value {
		pol := jsonArg(args, 0)
		return promise(func() (string, error) { return r.setPolicy(pol) })
	})
	method("stop", func([]js.Value) js.Value {
		n := r.stop()
		return promise(func() (string, error) { return fmt.Sprint(n > 0), nil })
	})
	method("act", func(args []js.Value) js.Value {
		goal, hooks := "", argOr(args, 1)
		if len(args) > 0 && args[0].Type() == js.TypeString {
			goal = args[0].String()
		}
		return promise(func() (string, error) { return r.act(goal, hooks) })
	})
	return o
}

func argOr(args []js.Value, i int) js.Value {
	if i < len(args) {
		return args[i]
	}
	return js.Undefined()
}

// observeOptions is observe's optional argument.
type observeOptions struct {
	BudgetTokens int `json:"budget_tokens"`
}

func (r *runtime) observe(optsJSON string) (string, error) {
	var opts observeOptions
	if len(bytes.TrimSpace([]byte(optsJSON))) > 0 {
		dec := json.NewDecoder(bytes.NewReader([]byte(optsJSON)))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&opts); err != nil {
			return "", fmt.Errorf("observe options: %v (want {\"budget_tokens\":N})", err)
		}
		if opts.BudgetTokens < 0 {
			return "", errors.New("observe options: budget_tokens must not be negative")
		}
	}
	obs, err := r.page.ObserveBudget(context.Background(), opts.BudgetTokens)
	if err != nil {
		return "", fmt.Errorf("observe: %v", err)
	}
	return marshal(obs)
}

func (r *runtime) setPolicy(policyJSON string) (string, error) {
	pol, err := action.ParsePolicy([]byte(policyJSON))
	if err != nil {
		return "", err
	}
	if err := r.page.SetSelectors(pol.AllowSelector, pol.DenySelector); err != nil {
		return "", fmt.Errorf("policy: %v", err)
	}
	r.mu.Lock()
	r.policy = pol
	r.mu.Unlock()
	return marshal(pol)
}

// start registers a running plan; the returned func unregisters it.
func (r *runtime) start() (context.Context, action.Policy, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	r.mu.Lock()
	defer r.mu.Unlock()
	id := r.nextRun
	r.nextRun++
	r.running[id] = cancel
	return ctx, r.policy, func() {
		r.mu.Lock()
		delete(r.running, id)
		r.mu.Unlock()
		cancel()
	}
}

// stop cancels every running plan and says how many there were.
func (r *runtime) stop() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, cancel := range r.running {
		cancel()
	}
	return len(r.running)
}

func (r *runtime) execute(listJSON string, hooks js.Value) (string, error) {
	actions, err := action.ParseList(listJSON)
	if err != nil {
		return "", err
	}
	ctx, pol, end := r.start()
	defer end()
	restore := r.logTo(hooks)
	defer restore()
	return marshal(action.Execute(ctx, r.page, actions, pol, jsHooks(hooks)))
}

// actMaxTokens bounds one model answer in act: 0, no bound. The schema
// bounds every string, so a constrained answer ends by itself; a token
// limit could only cut an action short and make it invalid.
const actMaxTokens = 0

func (r *runtime) act(goal string, hooks js.Value) (string, error) {
	if hookFunc(hooks, "generate").IsUndefined() {
		return "", errors.New("act needs hooks.generate(requestJSON) → Promise<string>, the model")
	}
	if goal == "" {
		return "", errors.New("act needs a goal")
	}
	ctx, pol, end := r.start()
	defer end()
	restore := r.logTo(hooks)
	defer restore()
	res, err := action.Run(ctx, goal, r.page, jsModel{hooks: hooks}, pol, jsHooks(hooks), action.LoopOptions{})
	if err != nil {
		return "", err
	}
	return marshal(res)
}

// logTo sends the executor's log lines to hooks.onLog while a plan runs.
func (r *runtime) logTo(hooks js.Value) func() {
	fn := hookFunc(hooks, "onLog")
	if fn.IsUndefined() {
		return func() {}
	}
	prev := r.page.Log
	r.page.Log = func(line string) { _ = executor.CatchJS(func() { fn.Call("call", hooks, line) }) }
	return func() { r.page.Log = prev }
}

// jsHooks turns the JS hooks object into engine/action's Hooks.
func jsHooks(hooks js.Value) action.Hooks {
	var h action.Hooks
	if !hookFunc(hooks, "confirm").IsUndefined() {
		h.Confirm = func(ctx context.Context, req action.ConfirmRequest) (bool, error) {
			info, err := marshal(req)
			if err != nil {
				return false, err
			}
			v, _, err := callHook(ctx, hooks, "confirm", info)
			if err != nil {
				return false, err
			}
			// Only an explicit true allows: "false", 0 or nothing decline.
			return v.Type() == js.TypeBoolean && v.Bool(), nil
		}
	}
	if !hookFunc(hooks, "askUser").IsUndefined() {
		h.AskUser = func(ctx context.Context, question string) (string, error) {
			v, _, err := callHook(ctx, hooks, "askUser", question)
			if err != nil {
				return "", err
			}
			if v.Type() != js.TypeString {
				return "", errors.New("askUser did not answer with a string")
			}
			return v.String(), nil
		}
	}
	if fn := hookFunc(hooks, "onStep"); !fn.IsUndefined() {
		h.OnStep = func(o action.Outcome) {
			s, err := marshal(o)
			if err == nil {
				_ = executor.CatchJS(func() { fn.Call("call", hooks, s) })
			}
		}
	}
	return h
}

// jsModel is act's model: hooks.generate(requestJSON) → the raw answer.
type jsModel struct{ hooks js.Value }

// generateRequest is the JSON generate receives.
type generateRequest struct {
	Messages  []message `json:"messages"`
	Schema    string    `json:"schema"`
	MaxTokens int       `json:"maxTokens"`
}

type message struct {
	Role    string `json:"role"`
	Content string `json:"content"`
}

// Generate asks the page's model for the next action.
func (m jsModel) Generate(ctx context.Context, msgs []chat.Message, schema []byte) (string, error) {
	req := generateRequest{Schema: string(schema), MaxTokens: actMaxTokens}
	for _, msg := range msgs {
		req.Messages = append(req.Messages, message{Role: msg.Role, Content: msg.Content})
	}
	b, err := marshal(req)
	if err != nil {
		return "", err
	}
	v, _, err := callHook(ctx, m.hooks, "generate", b)
	if err != nil {
		return "", err
	}
	if v.Type() != js.TypeString {
		return "", errors.New("generate did not answer with a string")
	}
	return v.String(), nil
}

func marshal(v any) (string, error) {
	b, err := json.Marshal(v)
	return string(b), err
}
