//go:build !(js && wasm)

package main

// copyToClipboard does nothing outside a browser.
func copyToClipboard(string) {}
