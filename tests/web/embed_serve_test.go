//go:build !js

package web

import (
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/wasm"
)

// The snippet works against scripts/serve itself (the server of `make
// run`, over precompressed files, with -model): its CORS and CORP headers
// let a page of another origin load the widget, the engine, the action
// runtime and the offered model, while the app's own page stays
// cross-origin isolated and closed to other origins.
func TestEmbedFromScriptsServe(t *testing.T) {
	repo, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatal(err)
	}
	model := writeEmbedModel(t)
	tmp := t.TempDir()
	root := filepath.Join(tmp, "web")
	web := filepath.Join(repo, "web")
	outputs := buildOutputs(t)
	for _, c := range []struct{ from, to string }{
		{filepath.Join(web, "index.html"), "index.html"},
		{filepath.Join(web, "embed.js"), "embed.js"},
		{filepath.Join(web, "embed"), "embed"},
		{filepath.Join(web, "engine"), "engine"}, // the scripts (and stale builds, replaced next)
		{filepath.Join(outputs, "engine"), "engine"},
		{filepath.Join(outputs, "dist"), "dist"},
	} {
		copyFiles(t, c.from, filepath.Join(root, c.to))
	}
	embedWasm, _ := buildEmbed(t)
	if err := os.WriteFile(filepath.Join(root, "dist", wasm.EmbedFile), embedWasm, 0o644); err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(tmp, "serve")
	for _, args := range [][]string{
		{"build", "-o", bin, "./scripts/serve"},
		{"run", "./scripts/precompress", "-q", root},
	} {
		cmd := exec.Command(goCmd, args...)
		cmd.Dir = repo
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "-addr", addr, "-dir", root, "-model", model)
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	serveURL := "http://" + addr
	for deadline := time.Now().Add(30 * time.Second); ; {
		resp, err := http.Get(serveURL + "/embed.js")
		if err == nil {
			resp.Body.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("scripts/serve does not answer at %s: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}

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
