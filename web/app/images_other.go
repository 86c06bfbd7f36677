//go:build !(js && wasm)

package main

import "github.com/vugu/vugu"

// Outside the browser (the tests' static renders) there are no pictures
// to paste or pick.

func installImagePaste(*App) {}

func pickedImage(*App, vugu.DOMEvent) {}

func openImagePicker() {}

func installImageTestHook(*App) {}
