//go:build js && wasm

package main

// startLibrary opens the browser's database and brings back the saved
// conversations and settings; the page works meanwhile (and, if the
// database cannot open, without keeping conversations, which it says).
func startLibrary(app *App) {
	go func() {
		store, err := openIDBStore()
		if err != nil {
			app.update(func() { app.Library.Error = "Conversations are not kept: " + err.Error() })
			return
		}
		convs, settings, err := store.Load()
		app.update(func() { app.restoreLibrary(store, convs, settings, err) })
	}()
}
