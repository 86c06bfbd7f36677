package main

// DropZone covers the page while files are dragged over it (ModelPanel
// shows it only then), saying what a drop does. The drop itself is caught by the document's listeners
// (files_js.go), so a file dropped anywhere loads.
type DropZone struct {
	App *App
}
