//go:build !js

package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/engine/action"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/wasm"
)

// embedBuilt holds the embed runtime's build products, made once per test
// binary (in a temporary folder, removed at once) and kept in memory:
// embed.wasm and Go's wasm_exec.js.
var embedBuilt struct {
	once              sync.Once
	embedWasm, wasmJS []byte
	err               error
}

// buildEmbed builds the embed runtime (once).
func buildEmbed(t *testing.T) (embedWasm, wasmExecJS []byte) {
	t.Helper()
	embedBuilt.once.Do(func() {
		embedBuilt.embedWasm, embedBuilt.wasmJS, embedBuilt.err = buildEmbedFiles()
	})
	if embedBuilt.err != nil {
		t.Fatal("building the embed runtime: ", embedBuilt.err)
	}
	return embedBuilt.embedWasm, embedBuilt.wasmJS
}

func buildEmbedFiles() (embedWasm, wasmExecJS []byte, err error) {
	goCmd, err := exec.LookPath("go")
	if err != nil {
		return nil, nil, err
	}
	root, err := testdata.RepoRoot()
	if err != nil {
		return nil, nil, err
	}
	dir, err := os.MkdirTemp("", "hearth-embed-")
	if err != nil {
		return nil, nil, err
	}
	defer os.RemoveAll(dir)
	if err := wasm.BuildEmbed(goCmd, root, dir); err != nil {
		return nil, nil, err
	}
	if embedWasm, err = os.ReadFile(filepath.Join(dir, wasm.EmbedFile)); err != nil {
		return nil, nil, err
	}
	goroot, err := exec.Command(goCmd, "env", "GOROOT").Output()
	if err != nil {
		return nil, nil, err
	}
	wasmExecJS, err = os.ReadFile(filepath.Join(strings.TrimSpace(string(goroot)), "lib", "wasm", wasm.WasmExecFile))
	return embedWasm, wasmExecJS, err
}

// newActionSite serves the action test pages at its root, web/embed/
// (runtime.js) under /embed/, and the fresh embed.wasm and wasm_exec.js
// under /dist/ and /engine/.
func newActionSite(t *testing.T) *httptest.Server {
	t.Helper()
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	embedWasm, wasmExecJS := buildEmbed(t)
	pages := http.FileServer(http.Dir(filepath.Join(root, "tests", "web", "testdata", "actionpages")))
	web := http.FileServer(http.Dir(filepath.Join(root, "web")))
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cache-Control", "no-store")
		switch p := path.Clean(r.URL.Path); {
		case p == "/dist/"+wasm.EmbedFile:
			w.Header().Set("Content-Type", "application/wasm")
			w.Write(embedWasm)
		case p == "/engine/"+wasm.WasmExecFile:
			w.Header().Set("Content-Type", "text/javascript")
			w.Write(wasmExecJS)
		case strings.HasPrefix(p, "/embed/"):
			web.ServeHTTP(w, r)
		default:
			pages.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// openAction opens one of the action pages in a fresh Chromium and
// starts the embed runtime on it, as web/embed/api.js does.
func openAction(t *testing.T, s *httptest.Server, name string) *page {
	t.Helper()
	p := newPage(t, 90*time.Second)
	p.do("opening "+name, chromedp.Navigate(s.URL+"/"+name))
	p.startRuntime()
	return p
}

// startRuntime loads embed.wasm into the current page.
func (p *page) startRuntime() {
	p.t.Helper()
	ok := eval[bool](p, `import('/embed/runtime.js')
		.then((m) => m.loadHearthRuntime(location.origin + '/'))
		.then((rt) => rt === globalThis.__hearthRuntime && typeof rt.execute === 'function')`)
	if !ok {
		p.fatalf("the runtime did not register globalThis.__hearthRuntime")
	}
}

// observe returns the page's observation (Hearth.observe()).
func (p *page) observe() action.Observation {
	p.t.Helper()
	s := eval[string](p, `__hearthRuntime.observe()`)
	var obs action.Observation
	if err := json.Unmarshal([]byte(s), &obs); err != nil {
		p.fatalf("observe returned %q: %v", s, err)
	}
	return obs
}

// execute runs a plan (JSON) with hooks (a JS expression, "undefined" for
// none) and returns its outcomes.
func (p *page) execute(plan, hooks string) []action.Outcome {
	p.t.Helper()
	s := eval[string](p, `__hearthRuntime.execute(`+jsString(plan)+`, `+hooks+`)`)
	var out []action.Outcome
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		p.fatalf("execute returned %q: %v", s, err)
	}
	return out
}

// Hooks for execute: confirmations recorded in window.__confirms.
const (
	allowAll   = `{confirm: async (info) => { (window.__confirms ??= []).push(JSON.parse(info)); return true; }}`
	declineAll = `{confirm: async (info) => { (window.__confirms ??= []).push(JSON.parse(info)); return false; }}`
	noHooks    = `undefined`
)

// confirms returns the confirmation requests the page's hooks saw.
func (p *page) confirms() []action.ConfirmRequest {
	p.t.Helper()
	var out []action.ConfirmRequest
	s := eval[string](p, `JSON.stringify(window.__confirms ?? [])`)
	if err := json.Unmarshal([]byte(s), &out); err != nil {
		p.fatalf("confirmations %q: %v", s, err)
	}
	return out
}

// text is the text content of the element sel finds ("" when none).
func (p *page) text(sel string) string {
	p.t.Helper()
	return eval[string](p, `document.querySelector(`+jsString(sel)+`)?.textContent ?? ''`)
}

// jsonOf decodes the JSON text of the element sel finds.
func jsonOf[T any](p *page, sel string) T {
	p.t.Helper()
	var v T
	s := p.text(sel)
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		p.fatalf("%s holds %q, not the JSON expected: %v", sel, s, err)
	}
	return v
}

// allDone fails the test unless every outcome is done.
func allDone(t *testing.T, outs []action.Outcome, want int) {
	t.Helper()
	if len(outs) != want {
		t.Fatalf("%d outcomes, want %d: %+v", len(outs), want, outs)
	}
	for _, o := range outs {
		if o.Status != action.StatusDone {
			t.Fatalf("step %d (%s) ended %s/%s: %s\nall: %+v", o.Step, o.Action, o.Status, o.Kind, o.Reason, outs)
		}
	}
}

// byName finds the observed element named name (exactly), failing when
// there is not exactly one.
func byName(t *testing.T, obs action.Observation, name string) action.Element {
	t.Helper()
	var found []action.Element
	for _, e := range obs.Elements {
		if e.Name == name {
			found = append(found, e)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%d elements named %q, want 1; elements: %+v", len(found), name, names(obs))
	}
	return found[0]
}

// names lists the observation's elements as "index role name".
func names(obs action.Observation) []string {
	var out []string
	for _, e := range obs.Elements {
		out = append(out, itoaT(e.Index)+" "+e.Role+" "+e.Name)
	}
	return out
}

func itoaT(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func containsStr(s, sub string) bool { return strings.Contains(s, sub) }

// mustJSON is v as JSON text.
func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
