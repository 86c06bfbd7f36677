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
