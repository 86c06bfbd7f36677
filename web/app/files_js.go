//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/vugu/vugu"
)

// Local files reach the app two ways: the file picker (the hidden
// #model-file input, opened by a button) and drag-and-drop anywhere on
// the page, which the document's listeners catch: while files are dragged
// over the page the drop zone covers it (App.Models.Dragging), and a drop
// loads the first file.

// installDropZone adds the document's drag-and-drop listeners (once; they
// live as long as the page).
func installDropZone(app *App) {
	doc := js.Global().Get("document")
	if !doc.Truthy() || doc.Get("hearthDropZone").Truthy() {
		return
	}
	doc.Set("hearthDropZone", true)
	// depth counts dragenter minus dragleave over the page's elements: it
	// is back to 0 when the drag has left the window.
	depth := 0
	dragging := false
	show := func(on bool) {
		if on == dragging {
			return
		}
		dragging = on
		// Not here: a JS callback must not wait for the lock.
		go app.update(func() { app.SetDragging(on) })
	}
	carriesFiles := func(e js.Value) bool {
		dt := e.Get("dataTransfer")
		if !dt.Truthy() {
			return false
		}
		types := dt.Get("types")
		for i := range types.Length() {
			if types.Index(i).String() == "Files" {
				return true
			}
		}
		return false
	}
	on := func(name string, f func(e js.Value)) {
		doc.Call("addEventListener", name, js.FuncOf(func(_ js.Value, a []js.Value) any {
			if len(a) > 0 {
				f(a[0])
			}
			return nil
		}))
	}
	on("dragenter", func(e js.Value) {
		if !carriesFiles(e) {
			return
		}
		e.Call("preventDefault")
		depth++
		show(true)
	})
	on("dragover", func(e js.Value) {
		if !carriesFiles(e) {
			return
		}
		e.Call("preventDefault") // allows the drop
		e.Get("dataTransfer").Set("dropEffect", "copy")
		show(true)
	})
	on("dragleave", func(e js.Value) {
		if !carriesFiles(e) {
			return
		}
		if depth = max(0, depth-1); depth == 0 {
			show(false)
		}
	})
	on("drop", func(e js.Value) {
		depth = 0
		show(false)
		dt := e.Get("dataTransfer")
		if !dt.Truthy() || !dt.Get("files").Truthy() || dt.Get("files").Length() == 0 {
			return
		}
		e.Call("preventDefault") // the browser would open the file instead
		// A picture (and no .gguf file) goes to the chat (images_js.go).
		if img := firstImageFile(dt.Get("files")); !img.IsUndefined() && !hasGGUFName(firstModelFile(dt.Get("files")).Get("name").String()) {
			go attachFile(app, img)
			return
		}
		src := sourceOfFile(firstModelFile(dt.Get("files")))
		go app.update(func() { app.LoadFile(src) })
	})
}

// firstModelFile is the first .gguf file of a FileList, or its first file
// (whose check will say what it is).
func firstModelFile(files js.Value) js.Value {
	for i := range files.Length() {
		if f := files.Index(i); hasGGUFName(f.Get("name").String()) {
			return f
		}
	}
	return files.Index(0)
}

// sourceOfFile describes a browser File.
func sourceOfFile(f js.Value) ModelSource {
	return ModelSource{File: f, Name: f.Get("name").String(), Size: int64(f.Get("size").Float())}
}

// pickedFile is the file chosen in the picker whose change event e is.
func pickedFile(e vugu.DOMEvent) (ModelSource, bool) {
	input := js.Value(e.JSEventTarget()) // vugu's js.Value is syscall/js's
	files := input.Get("files")
	if !files.Truthy() || files.Length() == 0 {
		return ModelSource{}, false
	}
	src := sourceOfFile(files.Index(0))
	// Cleared, so that choosing the same file again is a change too.
	input.Set("value", "")
	return src, true
}

// openFilePicker opens the browser's file chooser of the #model-file input.
func openFilePicker() {
	if in := js.Global().Get("document").Call("getElementById", "model-file"); in.Truthy() {
		in.Call("click")
	}
}
