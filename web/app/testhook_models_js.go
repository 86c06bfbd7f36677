//go:build js && wasm

package main

import "syscall/js"

// installModelTestHook adds the model manager's hooks to window.hearthTest
// (which installTestHook puts on the page with ?test=1):
//
//	hearthTest.setMemoryLimit(bytes, why) puts a memory ceiling on every
//	    later load, as a device with less memory would (0: none);
//	hearthTest.engineMemory() → a promise of the engine worker's memory()
//	    answer (with expertCache for a model with paged experts), asked
//	    of the worker directly, for comparing with what the page shows.
func installModelTestHook(app *App) {
	hook := js.Global().Get("hearthTest")
	if hook.Type() != js.TypeObject {
		return // not a test page
	}
	hook.Set("engineMemory", js.FuncOf(func(js.Value, []js.Value) any {
		h, ok := app.Engine.(*hearthEngine)
		if !ok {
			return js.Global().Get("Promise").Call("reject", "the page has no engine worker")
		}
		return h.client.Call("memory")
	}))
	hook.Set("setMemoryLimit", js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) < 1 || a[0].Type() != js.TypeNumber {
			return "setMemoryLimit takes a number of bytes and a reason"
		}
		opt := LoadOptions{MemoryLimit: int64(a[0].Float())}
		if len(a) > 1 && a[1].Type() == js.TypeString {
			opt.MemoryLimitWhy = a[1].String()
		}
		go app.update(func() { app.Models.Limit = opt })
		return nil
	}))
}
