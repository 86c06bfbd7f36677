//go:build !js

package web

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/wasm"
)

// The snippet works against scripts/serve itself (the server of `make
// run`, over precompressed files, with -model): its CORS and CORP headers
// let a page of another origin load the widget, the engine, the action
// runtime and the offered model, while the app's own page stays
// cross-origin isolated and closed to other origins.
func TestEmbedFromScriptsServe(t *testing.T) {
	model := writeEmbedModel(t)
	srv := startServe(t, serveOptions{
		files: []string{"index.html", "embed.js", "embed"},
		prepare: func(root string) {
			embedWasm, _ := buildEmbed(t)
			if err := os.WriteFile(filepath.Join(root, "dist", wasm.EmbedFile), embedWasm, 0o644); err != nil {
				t.Fatal(err)
			}
		},
		args:  []string{"-model", model},
		ready: "/embed.js",
	})
	serveURL := srv.URL

	modelURL := serveURL + "/models/local/" + filepath.Base(model)
	host := newHostPage(t, hostHTML("", signupBody, scriptTag(serveURL, map[string]string{"model": modelURL, "open": "on"})))
	p := openEmbed(t, host.URL+"/")
	waitFor(p, "the widget's stylesheet", shadowJS+`?.querySelector('.root')?.dataset.styled === 'true'`, 20*time.Second)
	st := waitWidget(p, "the model to load from scripts/serve", 2*time.Minute, func(st widgetState) bool {
		if st.Error != "" {
			p.fatalf("loading the model from scripts/serve failed: %s", st.Error)
		}
		return strings.Contains(st.Status, "is ready")
	})
	if !strings.HasPrefix(st.Status, filepath.Base(model)+" (qwen2, Q8_0)") {
		p.fatalf("the widget says %q", st.Status)
	}
	if n := len(eval[[]string](p, `(async () => { const p = []; await Hearth.chat('Hi', { maxTokens: 5, onToken: (t) => p.push(t) }); return p; })()`)); n != 5 {
		p.fatalf("a 5-token chat streamed %d tokens", n)
	}
	if obs := eval[observed](p, `Hearth.observe()`); len(obs.Elements) < 3 {
		p.fatalf("Hearth.observe() with the runtime from scripts/serve: %+v", obs)
	}
	// The engine's script came precompressed, with its CORS headers.
	if got := eval[string](p, `fetch(`+jsString(serveURL+"/engine/worker.js")+`).then((r) => r.headers.get('Content-Type') + '|' + r.status)`); got != "text/javascript; charset=utf-8|200" {
		p.fatalf("a cross-origin fetch of worker.js: %s", got)
	}
	// The app's own page is not for other origins.
	if got := eval[string](p, `fetch(`+jsString(serveURL+"/index.html")+`).then(() => 'read', (e) => 'refused')`); got != "refused" {
		p.fatalf("another origin could read the app's index.html")
	}
	p.noExceptions()
}
