//go:build !(js && wasm)

package main

// Outside the browser (the renderer's tests) the theme is a variable.
var testTheme = "light"

func pageTheme() string { return testTheme }

func setPageTheme(theme string) { testTheme = theme }
