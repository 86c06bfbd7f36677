//go:build js && wasm

package main

import "syscall/js"

// copyToClipboard puts s on the clipboard: with the Clipboard API where
// the page may use it, else by selecting it in a hidden text area and
// asking the browser to copy (older browsers, pages not served securely).
func copyToClipboard(s string) {
	clipboard := js.Global().Get("navigator").Get("clipboard")
	if !clipboard.Truthy() || clipboard.Get("writeText").Type() != js.TypeFunction {
		copyBySelection(s)
		return
	}
	var done, failed js.Func
	release := func() {
		done.Release()
		failed.Release()
	}
	done = js.FuncOf(func(js.Value, []js.Value) any {
		release()
		return nil
	})
	failed = js.FuncOf(func(js.Value, []js.Value) any {
		release()
		copyBySelection(s)
		return nil
	})
	clipboard.Call("writeText", s).Call("then", done, failed)
}

// copyBySelection copies s through a text area that is never shown (its
// value is set as a property: text, not markup).
func copyBySelection(s string) {
	doc := js.Global().Get("document")
	area := doc.Call("createElement", "textarea")
	area.Set("value", s)
	area.Call("setAttribute", "readonly", "")
	style := area.Get("style")
	style.Set("position", "fixed")
	style.Set("opacity", "0")
	style.Set("pointerEvents", "none")
	doc.Get("body").Call("appendChild", area)
	area.Call("select")
	doc.Call("execCommand", "copy")
	area.Call("remove")
}
