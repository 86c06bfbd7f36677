// Command app is Hearth's web app: the page a person opens to load a model
// and chat with it, offline, in the browser. It is built for js/wasm
// (`go run ./wasm/buildweb` writes web/dist/app.wasm) and runs on the page's
// main thread; the model runs in the engine's Web Worker (web/engine), which
// the app reaches through web/engine/hearth.js, so the page never blocks
// while a model loads or generates.
//
// The UI is made of Vugu components, one per pane: Root lays out
// AppHeader, ModelPanel (load by URL, with progress) and ChatPanel (the
// conversation, ChatMessage per turn). Each .vugu file holds a component's
// markup and style; its Go type and methods live in a .go file beside it,
// and `go generate` writes the Build methods into *_gen.go. The state they
// show lives in App (app.go), which also runs the actions; App talks to the
// engine through the Engine interface, implemented over hearth.js by
// hearth_js.go. Model output is always rendered as text nodes (Text), never
// as HTML.
//
// Themes and keys: the header's toggle switches between the light and dark
// palettes (index.html's hearthTheme applies the choice before the page is
// drawn and keeps it; theme_js.go), and Escape stops an answer wherever
// the focus is (keys_js.go). A polite live region in the header announces
// each change of the model's and the answer's state. Offline use is the
// page's service worker (web/sw.js), registered by index.html.
//
// The model manager (ModelPanel, with CatalogList, CachedModels,
// LocalModels and DropZone; state and actions in app_models.go) loads a
// model from an address, the catalog, the browser's storage, the files
// `make run MODEL=…` offers, or a file of this computer (picker, or a drop
// anywhere on the page: files_js.go), with Cancel. Every load goes through
// the engine's ModelManager (hearth_models_js.go), which checks the new
// file before the loaded model is given up: a file that cannot load is
// refused with its reason, and the model loaded before stays.
//
// The chat (ChatPanel, with ChatMessage, SettingsPanel and
// ConversationList; actions in app_chat.go) shows each message formatted
// from its Markdown by Markdown (markdown_view.go over the parser in
// web/app/markdown): elements chosen from the parse's node kinds, every
// string of the message set as a text node, links only to checked http(s)
// addresses. Regenerate rewrites the last answer; Edit resends a message
// of the user's with the conversation after it dropped. The settings
// panel holds the system prompt and the sampling settings (settings.go).
// A conversation longer than the model's context slides: the oldest turns
// after the system prompt are left out of the prompt, with a notice
// (context_window.go). Conversations and settings are kept in IndexedDB
// (library.go, idb_js.go) and open again on the next visit. Each answer
// shows its speed and the engine's memory.
//
// Pictures (images.go, pair.go, images_js.go): a vision model loads as a
// pair — the text model and its image encoder (mmproj), one progress bar
// for both; the catalog's vision entries load so. With one loaded, a
// picture dropped on the page, pasted, or picked with the Picture button
// is checked by the engine (a file that is not a picture, a damaged one
// or one too large is refused with a message in the chat, the
// conversation untouched), shown as a thumbnail in the composer and in
// the sent message, and encoded when the answer starts (its progress
// shown in the answer); the context window counts its positions.
// Pictures up to 4 MiB are kept with the conversation; a larger one is
// sent but not kept, and says so. With a text-only model the Picture
// button is off, its tooltip saying why.
//
// Layout (root.vugu, the panes' styles): on a screen 48rem wide or more,
// the page is the screen's height and the panes share it below the
// header, each scrolling by itself; the chat's message list takes what its
// head and the input leave, and follows the newest text unless the reader
// scrolled up (ChatPanel.Rendered). The model panel's long sections fold
// away as <details> (disclosure.go, model_sections.go): the catalog is open
// until a model is ready, then folded. On a narrower screen the panes
// stack, and a ready model folds the whole model panel to one line with
// Change model, so that the chat follows the header.
//
// The page takes two query parameters: model=<url> starts loading that
// model at once, and test=1 exposes window.hearthTest for end-to-end tests.
package main

// The components' Build methods, generated from the .vugu files into
// *_gen.go by `go generate ./web/app/...`, then gofmt'd (vugugen's last
// pass prints them with tabs before comments). TestGeneratedCodeIsCurrent
// runs these lines on a copy of the package and compares. Each ends with
// the package folder, which the test replaces with its copy.
//go:generate go run github.com/vugu/vugu/cmd/vugugen -skip-go-mod -skip-main .
//go:generate go run cmd/gofmt -w .
