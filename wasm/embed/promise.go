//go:build js

package main

import (
	"context"
	"errors"
	"syscall/js"

	"github.com/hearth-ai/hearth/wasm/executor"
)

// promise returns a JS Promise settled by run, which runs on its own
// goroutine (a JS call into Go must not block): resolved with run's
// string, or rejected with an Error carrying its message.
func promise(run func() (string, error)) js.Value {
	var executor js.Func
	executor = js.FuncOf(func(_ js.Value, args []js.Value) any {
		resolve, reject := args[0], args[1]
		go func() {
			defer executor.Release()
			s, err := safely(run)
			if err != nil {
				reject.Invoke(js.Global().Get("Error").New(err.Error()))
				return
			}
			resolve.Invoke(s)
		}()
		return nil
	})
	return js.Global().Get("Promise").New(executor)
}

// safely runs f, turning a panic into an error so that a bad call never
// takes the runtime down.
func safely(f func() (string, error)) (s string, err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = errors.New("hearth runtime: " + e.Error())
			} else {
				err = errors.New("hearth runtime: internal error")
			}
		}
	}()
	return f()
}

// await waits for v (a Promise, or a plain value) to settle, or for ctx
// to end. It must run on a goroutine other than the one JS called into.
func await(ctx context.Context, v js.Value) (js.Value, error) {
	type result struct {
		v   js.Value
		err error
	}
	ch := make(chan result, 1)
	onOK := js.FuncOf(func(_ js.Value, args []js.Value) any {
		r := js.Undefined()
		if len(args) > 0 {
			r = args[0]
		}
		ch <- result{v: r}
		return nil
	})
	onErr := js.FuncOf(func(_ js.Value, args []js.Value) any {
		msg := "rejected"
		if len(args) > 0 {
			if m := args[0].Get("message"); args[0].Type() == js.TypeObject && m.Type() == js.TypeString {
				msg = m.String()
			} else {
				msg = js.Global().Get("String").Invoke(args[0]).String()
			}
		}
		ch <- result{err: errors.New(msg)}
		return nil
	})
	js.Global().Get("Promise").Call("resolve", v).Call("then", onOK, onErr)
	select {
	case r := <-ch:
		onOK.Release()
		onErr.Release()
		return r.v, r.err
	case <-ctx.Done():
		// The callbacks may still fire; they are left for the collector
		// rather than released under a pending promise.
		return js.Undefined(), ctx.Err()
	}
}

// callHook calls hooks[name](args…) and awaits its result; ok is false
// when there is no such hook.
func callHook(ctx context.Context, hooks js.Value, name string, args ...any) (v js.Value, ok bool, err error) {
	fn := hookFunc(hooks, name)
	if fn.IsUndefined() {
		return js.Undefined(), false, nil
	}
	var ret js.Value
	if err := executor.CatchJS(func() { ret = fn.Call("call", append([]any{hooks}, args...)...) }); err != nil {
		return js.Undefined(), true, err
	}
	v, err = await(ctx, ret)
	return v, true, err
}

// hookFunc is hooks[name] when it is a function, else undefined.
func hookFunc(hooks js.Value, name string) js.Value {
	if hooks.Type() != js.TypeObject && hooks.Type() != js.TypeFunction {
		return js.Undefined()
	}
	fn := hooks.Get(name)
	if fn.Type() != js.TypeFunction {
		return js.Undefined()
	}
	return fn
}

// jsonArg is a call's argument as JSON text: a string as it is, any
// other value through JSON.stringify, "" when absent.
func jsonArg(args []js.Value, i int) string {
	if i >= len(args) || args[i].IsUndefined() || args[i].IsNull() {
		return ""
	}
	if args[i].Type() == js.TypeString {
		return args[i].String()
	}
	s := js.Global().Get("JSON").Call("stringify", args[i])
	if s.Type() != js.TypeString {
		return ""
	}
	return s.String()
}
