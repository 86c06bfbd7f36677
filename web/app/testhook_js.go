//go:build js && wasm

package main

import "syscall/js"

// installTestHook puts window.hearthTest on the page (only with ?test=1):
//
//	hearthTest.showMessage(role, text) adds a finished message, rendered
//	    as model output is (to check that markup in it stays text);
//	hearthTest.lastPrompt() → {ids, text, template} of the latest generation.
//
// It also fixes the sampler's seed, so that a test's answers are the same
// from run to run.
func installTestHook(app *App) {
	app.NextSeed = func() uint64 { return 1 }
	hook := map[string]any{
		"showMessage": js.FuncOf(func(_ js.Value, a []js.Value) any {
			if len(a) < 2 || a[0].Type() != js.TypeString || a[1].Type() != js.TypeString {
				return "showMessage takes a role and a text"
			}
			role, text := a[0].String(), a[1].String()
			go app.update(func() { app.ShowMessage(role, text) })
			return nil
		}),
		"lastPrompt": js.FuncOf(func(js.Value, []js.Value) any {
			app.Env.RLock()
			p := app.LastPrompt
			app.Env.RUnlock()
			ids := make([]any, len(p.IDs))
			for i, id := range p.IDs {
				ids[i] = id
			}
			return map[string]any{"ids": ids, "text": p.Text, "template": p.Template}
		}),
	}
	js.Global().Set("hearthTest", js.ValueOf(hook))
}
