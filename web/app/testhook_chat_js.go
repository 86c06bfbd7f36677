//go:build js && wasm

package main

import "syscall/js"

// installChatTestHook adds the chat's hooks to window.hearthTest (which
// installTestHook puts on the page with ?test=1):
//
//	hearthTest.messages() → [{role, text, stats, error, outOfContext,
//	    streaming, tokens}]: the conversation's messages as written (the
//	    page shows their Markdown formatted).
//	hearthTest.savesPending() → how many writes to the browser's database
//	    have not finished (0: what the page shows is saved).
func installChatTestHook(app *App) {
	hook := js.Global().Get("hearthTest")
	if hook.Type() != js.TypeObject {
		return // not a test page
	}
	hook.Set("messages", js.FuncOf(func(js.Value, []js.Value) any {
		app.Env.RLock()
		defer app.Env.RUnlock()
		out := make([]any, len(app.Chat.Messages))
		for i, m := range app.Chat.Messages {
			out[i] = map[string]any{
				"role": m.Role, "text": m.Text, "stats": m.Stats, "error": m.Error,
				"outOfContext": m.OutOfContext, "streaming": m.Streaming, "tokens": m.Tokens,
			}
		}
		return out
	}))
	hook.Set("savesPending", js.FuncOf(func(js.Value, []js.Value) any {
		return app.Library.SavesPending()
	}))
}
