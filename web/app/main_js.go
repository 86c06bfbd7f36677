//go:build js && wasm

package main

import (
	"syscall/js"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/domrender"
)

// mountPoint is the element of index.html the app renders into.
const mountPoint = "#hearth-app"

func main() {
	if err := run(); err != nil {
		js.Global().Get("console").Call("error", "hearth app: "+err.Error())
	}
}

func run() error {
	renderer, err := domrender.New(mountPoint)
	if err != nil {
		return err
	}
	defer renderer.Release()
	env := renderer.EventEnv()
	buildEnv, err := vugu.NewBuildEnv(env)
	if err != nil {
		return err
	}
	app := NewApp(nil, env)
	if engine, err := newHearthEngine(); err != nil {
		app.Engine = brokenEngine{err}
		app.Model.Status, app.Model.Error = ModelFailed, err.Error()
	} else {
		app.Engine = engine
	}
	installKeys(app)
	watchTheme(app)
	params := js.Global().Get("URLSearchParams").New(js.Global().Get("location").Get("search"))
	if params.Call("get", "test").String() == "1" {
		installTestHook(app)
		installChatTestHook(app)
	}
	startLibrary(app) // the saved conversations and settings (library_js.go)
	if model := params.Call("get", "model"); model.Type() == js.TypeString && model.String() != "" {
		env.Lock()
		app.Model.URL = model.String()
		app.LoadModel()
		env.UnlockOnly()
	}
	root := &Root{App: app}
	for ok := true; ok; ok = renderer.EventWait() {
		// The build reads the state that goroutines change under the
		// lock; the render takes the lock itself.
		env.RLock()
		results := buildEnv.RunBuild(root)
		env.RUnlock()
		if err := renderer.Render(results); err != nil {
			return err
		}
	}
	return nil
}
