//go:build js

// Command embed is Hearth's runtime for pages that embed it
// (web/dist/embed.wasm): it runs on the page's main thread, where the
// DOM is, and offers the action module to the embed script as
// globalThis.__hearthRuntime. Every method returns a Promise of a JSON
// string:
//
//	observe(optionsJSON?)      → the Observation ({"budget_tokens":N})
//	execute(actionsJSON, hooks) → [Outcome…]
//	setPolicy(policyJSON)      → the policy in force
//	stop()                     → "true"; running plans end after their step
//	act(goal, hooks)           → {"outcomes":[…],"answer":"…","steps":N,"stopped":"…"}
//
// hooks (all optional): confirm(infoJSON) → Promise<bool> (only true
// allows the step; without the hook gated steps are declined),
// onStep(outcomeJSON), askUser(question) → Promise<string>,
// generate(requestJSON) → Promise<string> (act's model), onLog(line).
// When it is ready the runtime calls globalThis.__hearthRuntimeResolve.
package main

import (
	"syscall/js"

	"github.com/hearth-ai/hearth/wasm/executor"
)

func main() {
	rt := newRuntime(executor.New())
	js.Global().Set("__hearthRuntime", rt.object())
	if resolve := js.Global().Get("__hearthRuntimeResolve"); resolve.Type() == js.TypeFunction {
		resolve.Invoke(js.Global().Get("__hearthRuntime"))
	}
	select {}
}
