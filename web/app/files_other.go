//go:build !(js && wasm)

package main

import "github.com/vugu/vugu"

// Outside the browser (the tests' static renders) there are no files to
// drop or pick.

func installDropZone(*App) {}

func pickedFile(vugu.DOMEvent) (ModelSource, bool) { return ModelSource{}, false }

func openFilePicker() {}

func installModelTestHook(*App) {}
