//go:build js && wasm

package main

import "syscall/js"

// pageTheme is the theme the page shows ("light" or "dark"), as index.html's
// hearthTheme says.
func pageTheme() string {
	t := js.Global().Get("hearthTheme")
	if t.Type() != js.TypeObject {
		return "light"
	}
	if v := t.Call("current"); v.Type() == js.TypeString && v.String() == "dark" {
		return "dark"
	}
	return "light"
}

// setPageTheme shows theme and keeps the choice (localStorage).
func setPageTheme(theme string) {
	if t := js.Global().Get("hearthTheme"); t.Type() == js.TypeObject {
		t.Call("set", theme)
	}
}

// watchTheme redraws the page when the theme changes outside the app (the
// system's setting), so that the toggle tells the truth.
func watchTheme(app *App) {
	onChange := js.FuncOf(func(js.Value, []js.Value) any {
		go app.update(func() {})
		return nil
	})
	// Kept for the page's life.
	js.Global().Call("addEventListener", "hearth-theme", onChange)
}
