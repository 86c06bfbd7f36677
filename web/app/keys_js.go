//go:build js && wasm

package main

import "syscall/js"

// installKeys adds the page's keyboard shortcuts, wherever the focus is:
// Escape stops the answer being written.
func installKeys(app *App) {
	onKey := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) == 0 {
			return nil
		}
		e := a[0]
		if e.Get("key").String() != "Escape" || e.Get("isComposing").Truthy() || e.Get("defaultPrevented").Truthy() {
			return nil
		}
		// Not here: a JS callback must not wait for the lock.
		go app.update(func() {
			if app.Chat.Generating {
				app.Stop()
			}
		})
		return nil
	})
	// Kept for the page's life.
	js.Global().Get("document").Call("addEventListener", "keydown", onKey)
}
