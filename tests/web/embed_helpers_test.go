//go:build !js

package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
	"github.com/hearth-ai/hearth/wasm"
)

// The helpers of the embed tests (embed_*_test.go): Hearth's files served
// on one 127.0.0.1 port, as a CDN would (CORS, CORP cross-origin, no
// COOP/COEP), and a plain host page on another port whose script tag loads
// embed.js from the first: two origins, as on a real site.

// newHearthServer serves web/ (with the fresh build products over web/'s
// own) and models (URL path → file) to any origin.
func newHearthServer(t *testing.T, models map[string]string) *httptest.Server {
	t.Helper()
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	outputs := buildOutputs(t)
	embedWasm, _ := buildEmbed(t) // action_helpers_test.go
	web := http.FileServer(http.Dir(filepath.Join(root, "web")))
	fresh := http.FileServer(http.Dir(outputs))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Access-Control-Allow-Origin", "*")
		h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range, ETag, Last-Modified")
		h.Set("Cross-Origin-Resource-Policy", "cross-origin")
		h.Set("Cache-Control", "no-store")
		if r.Method == http.MethodOptions {
			h.Set("Access-Control-Allow-Methods", "GET, HEAD")
			h.Set("Access-Control-Allow-Headers", "Range, If-None-Match, If-Modified-Since")
			w.WriteHeader(http.StatusNoContent)
			return
		}
		p := path.Clean(r.URL.Path)
		switch {
		case models[p] != "":
			serveSlowly(w, r, models[p])
		case p == "/dist/"+wasm.EmbedFile:
			h.Set("Content-Type", "application/wasm")
			w.Write(embedWasm)
		case isFreshBuild(p):
			fresh.ServeHTTP(w, r)
		default:
			web.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// isFreshBuild reports whether the URL path names a build product that
// this test binary built (dist/, engine/*.wasm, engine/wasm_exec.js).
func isFreshBuild(p string) bool {
	return strings.HasPrefix(p, "/dist/") ||
		strings.HasPrefix(p, "/engine/") && (path.Ext(p) == ".wasm" || path.Base(p) == wasm.WasmExecFile)
}

// hostPage is a plain page of another origin that embeds Hearth.
type hostPage struct {
	*httptest.Server
}

// newHostPage serves html at / with no special headers: an ordinary
// site, not cross-origin isolated.
func newHostPage(t *testing.T, html string) *hostPage {
	t.Helper()
	return newHostPageWith(t, html, nil)
}

// newIsolatedHostPage serves html as a cross-origin isolated page (COOP +
// COEP), which lets the engine run threads.
func newIsolatedHostPage(t *testing.T, html string) *hostPage {
	t.Helper()
	return newHostPageWith(t, html, map[string]string{
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Embedder-Policy": "require-corp",
	})
}

// newHostPageWith serves html at / with the given extra headers.
func newHostPageWith(t *testing.T, html string, headers map[string]string) *hostPage {
	t.Helper()
	hp := &hostPage{}
	hp.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		for k, v := range headers {
			w.Header().Set(k, v)
		}
		switch r.URL.Path {
		case "/":
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.Write([]byte(html))
		default:
			http.NotFound(w, r)
		}
	}))
	t.Cleanup(hp.Close)
	return hp
}

// scriptTag is the embed snippet loading embed.js from hearth with the
// given data- attributes (name → value, without the data- prefix).
func scriptTag(hearth string, attrs map[string]string) string {
	var b strings.Builder
	b.WriteString(`<script src="` + hearth + `/embed.js"`)
	for k, v := range attrs {
		b.WriteString(` data-` + k + `="` + strings.ReplaceAll(v, `"`, "&quot;") + `"`)
	}
	b.WriteString(`></script>`)
	return b.String()
}

// hostHTML is a host page: head styles, body, and the snippet at the end
// of the body (where sites usually paste it).
func hostHTML(style, body, snippet string) string {
	return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>A shop</title>` +
		`<meta name="viewport" content="width=device-width, initial-scale=1">` +
		`<style>` + style + `</style></head><body>` + body +
		// Everything Hearth emits, recorded for the test.
		`<script>window.hearthSeen = { token: [], action: [], confirm: [], load: [], progress: [], error: [] };</script>` +
		snippet +
		`<script>if (window.Hearth) for (const k of Object.keys(window.hearthSeen)) if (k !== 'confirm') Hearth.on(k, (v) => hearthSeen[k].push(k === 'error' ? String(v && v.message) : v));</script>` +
		`</body></html>`
}

// openEmbed opens the host page and waits for Hearth.ready.
func openEmbed(t *testing.T, url string) *page {
	t.Helper()
	p := newPage(t, 4*time.Minute)
	p.do("opening the host page", chromedp.Navigate(url))
	if msg := eval[string](p, `(async () => {
	  if (!window.Hearth) return 'window.Hearth is not defined';
	  try { await Promise.race([Hearth.ready, new Promise((_, rej) => setTimeout(() => rej(new Error('not ready in 30 s')), 30000))]); return ''; }
	  catch (e) { return String(e.message); }
	})()`); msg != "" {
		p.fatalf("Hearth did not start on the host page: %s", msg)
	}
	return p
}

// shadowJS evaluates to the widget's shadow root (null when absent).
const shadowJS = `document.querySelector('hearth-widget')?.shadowRoot`

// inWidget evaluates body (a function body with sr, the shadow root, and
// q, its querySelector) in the page.
func inWidget[T any](p *page, body string) T {
	p.t.Helper()
	return eval[T](p, `(async () => { const sr = `+shadowJS+`; if (!sr) throw new Error('no widget shadow root'); const q = (s) => sr.querySelector(s); `+body+` })()`)
}

// widgetState is what the widget shows.
type widgetState struct {
	Open      bool     `json:"open"`
	Status    string   `json:"status"`
	Error     string   `json:"error"`
	Progress  bool     `json:"progress"`
	Messages  []string `json:"messages"`
	Streaming bool     `json:"streaming"`
	StopOn    bool     `json:"stopOn"`
	SendOn    bool     `json:"sendOn"`
	Prompt    string   `json:"prompt"` // the prompt's text, "" when none
	Asks      bool     `json:"asks"`   // the prompt is a question (ask_user), not a confirmation
	Steps     []string `json:"steps"`  // each logged step's outcome JSON
	ActStatus string   `json:"actStatus"`
	Running   string   `json:"running"`
}

const widgetStateJS = `
  const errBox = q('.error');
  return {
    open: !q('.panel').hidden,
    status: q('.status').textContent,
    error: errBox.hidden ? '' : q('.error-text').textContent,
    progress: !q('.progress').hidden,
    messages: [...sr.querySelectorAll('.msg')].map((m) => m.dataset.role + ': ' + m.querySelector('.msg-text').textContent),
    streaming: !!q('.msg.streaming'),
    stopOn: !q('.chat-stop').disabled,
    sendOn: !q('.send').disabled,
    prompt: q('.prompt').hidden ? '' : q('.prompt-text').textContent,
    asks: !q('.prompt').hidden && !!q('.prompt .answer-input'),
    steps: [...sr.querySelectorAll('.steps .step')].map((s) => s.dataset.outcome),
    actStatus: q('.act-status').textContent,
    running: q('.root').dataset.running || '',
  };`

func widgetNow(p *page) widgetState { return inWidget[widgetState](p, widgetStateJS) }

// waitWidget polls the widget until cond holds.
func waitWidget(p *page, what string, timeout time.Duration, cond func(widgetState) bool) widgetState {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		st := widgetNow(p)
		if cond(st) {
			return st
		}
		if time.Now().After(deadline) {
			p.fatalf("%s: not within %v; the widget shows %+v", what, timeout, st)
		}
		p.sleep(25 * time.Millisecond)
	}
}

// clickInWidget clicks the widget's element matching selector, as a
// person would (a trusted click at its centre).
func clickInWidget(p *page, what, selector string) {
	p.t.Helper()
	// Fail at once, not at the page's deadline, when there is nothing to click.
	if !inWidget[bool](p, `const e = q(`+jsString(selector)+`); if (!e) return false; const r = e.getBoundingClientRect(); return r.width > 0 && r.height > 0;`) {
		p.fatalf("%s: the widget shows no %s; it shows %+v", what, selector, widgetNow(p))
	}
	p.do(what, chromedp.Click(widgetPath(selector)))
}

// widgetPath selects the widget's first element matching selector.
func widgetPath(selector string) chromedp.JSPath {
	return chromedp.JSPath(shadowJS + `.querySelector(` + jsString(selector) + `)`)
}

// writeEmbedModel writes a synthetic qwen2 model (random weights, Qwen2's
// real vocabulary and chat template) with a 4096-token context, room for
// the plan loop's observation prompt.
func writeEmbedModel(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "synth-embed.gguf")
	spec := synth.Spec{
		Arch: synth.Qwen2, VocabPath: filepath.Join(testdata.VocabDir(t), "ggml-vocab-qwen2.gguf"),
		NEmbd: 64, NLayer: 2, NHead: 2, NFF: 128, NCtx: 4096, Type: dtype.Q8_0, Seed: 11,
		TiedEmbeddings: true,
	}
	if err := synth.WriteFile(file, spec); err != nil {
		t.Fatal(err)
	}
	return file
}

// outcome is one step's outcome as Hearth.execute resolves to it.
type outcome struct {
	Step       int      `json:"step"`
	Action     string   `json:"action"`
	Status     string   `json:"status"`
	Kind       string   `json:"kind"`
	Reason     string   `json:"reason"`
	Candidates []string `json:"candidates"`
	Element    *int     `json:"element"`
	Result     string   `json:"result"`
}

// parseOutcome decodes a logged step, failing on anything but a
// well-formed outcome: a known action and status, a step number, a kind
// and a reason when it failed.
func parseOutcome(p *page, raw string) outcome {
	p.t.Helper()
	var o outcome
	dec := json.NewDecoder(strings.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		p.fatalf("a logged step is not an outcome: %v: %s", err, raw)
	}
	actions := "click type select check uncheck press_key scroll hover wait_for extract navigate ask_user done"
	if o.Action == "" || !strings.Contains(" "+actions+" ", " "+o.Action+" ") {
		// An invalid model output has no action to name.
		if o.Status != "error" || o.Kind != "invalid" {
			p.fatalf("a logged step names no known action: %s", raw)
		}
	}
	switch o.Status {
	case "done":
	case "error", "declined", "skipped":
		if o.Status != "skipped" && (o.Kind == "" || o.Reason == "") {
			p.fatalf("a failed step has no kind or reason: %s", raw)
		}
	default:
		p.fatalf("a logged step has status %q: %s", o.Status, raw)
	}
	if o.Step < 0 {
		p.fatalf("a logged step has step %d: %s", o.Step, raw)
	}
	return o
}
