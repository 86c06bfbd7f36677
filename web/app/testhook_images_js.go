//go:build js && wasm

package main

import "syscall/js"

// installImageTestHook adds the pictures' hooks to window.hearthTest
// (which installTestHook puts on the page with ?test=1):
//
//	hearthTest.loadPair(modelURL, mmprojURL) loads a vision model and its
//	    image encoder as the catalog's vision entries do (App.LoadPair);
//	hearthTest.images() → {attached, checking, error, vision, messages:
//	    [{role, images, imageSteps}]}: the composer's pictures, the
//	    latest refusal, whether the model takes images, and for each
//	    message its pictures and the encoder steps its answer reported.
func installImageTestHook(app *App) {
	hook := js.Global().Get("hearthTest")
	if hook.Type() != js.TypeObject || hook.Get("loadPair").Truthy() {
		return // not a test page, or installed already
	}
	hook.Set("loadPair", js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) < 2 || a[0].Type() != js.TypeString || a[1].Type() != js.TypeString {
			return "loadPair takes the model's URL and the mmproj's"
		}
		model, mm := a[0].String(), a[1].String()
		go app.update(func() { app.LoadPair(model, PairFile{URL: mm}) })
		return nil
	}))
	hook.Set("images", js.FuncOf(func(js.Value, []js.Value) any {
		app.Env.RLock()
		defer app.Env.RUnlock()
		msgs := make([]any, len(app.Chat.Messages))
		for i, m := range app.Chat.Messages {
			names := make([]any, len(m.Images))
			for j, im := range m.Images {
				names[j] = im.Name
			}
			msgs[i] = map[string]any{"role": m.Role, "images": names, "imageSteps": m.ImageSteps}
		}
		attached := make([]any, len(app.Chat.Attached))
		for i, im := range app.Chat.Attached {
			attached[i] = im.Name
		}
		return map[string]any{"attached": attached, "checking": app.Chat.Checking, "error": app.Chat.ImageError,
			"vision": app.Model.Info.Vision != nil, "messages": msgs}
	}))
}
