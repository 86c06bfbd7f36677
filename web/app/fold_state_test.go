package main

import (
	"bytes"
	"errors"
	"regexp"
	"testing"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/staticrender"
)

// pageRenderer renders the page again and again with one build
// environment, as the browser does: the components, and what they
// remember between renders, persist.
type pageRenderer struct {
	t   *testing.T
	app *App
	env *vugu.BuildEnv
	buf bytes.Buffer
	r   *staticrender.StaticRenderer
}

func newPageRenderer(t *testing.T, app *App) *pageRenderer {
	t.Helper()
	p := &pageRenderer{t: t, app: app}
	p.r = staticrender.New(&p.buf)
	env, err := vugu.NewBuildEnv(p.r.EventEnv())
	if err != nil {
		t.Fatal(err)
	}
	p.env = env
	return p
}

// render renders the page with the model in status and returns it.
func (p *pageRenderer) render(status ModelStatus) string {
	p.t.Helper()
	p.app.Model.Status = status
	p.buf.Reset()
	if err := p.r.Render(p.env.RunBuild(&Root{App: p.app})); err != nil {
		p.t.Fatal(err)
	}
	return p.buf.String()
}

// foldState is what a render shows of the folding parts of the model
// panel.
type foldState struct {
	catalogOpen, savedOpen, panelFolded bool
	toggle                              string // Change model's aria-expanded, "" without the button
}

var (
	catalogDetails = regexp.MustCompile(`id="catalog"[^>]*>\s*<details class="model-disclosure"( open="open")?>`)
	savedDetails   = regexp.MustCompile(`id="cached-models"[^>]*>\s*<details class="model-disclosure"( open="open")?>`)
	panelFolded    = regexp.MustCompile(`<section [^>]*class="model-panel model-panel-folded"`)
	panelToggle    = regexp.MustCompile(`<button id="model-panel-toggle"[^>]* aria-expanded="(true|false)"`)
)

func foldStateOf(t *testing.T, page string) foldState {
	t.Helper()
	catalog, saved := catalogDetails.FindStringSubmatch(page), savedDetails.FindStringSubmatch(page)
	if catalog == nil || saved == nil {
		t.Fatalf("no catalog or saved models section as <details>:\n%s", page)
	}
	var st foldState
	st.catalogOpen, st.savedOpen = catalog[1] != "", saved[1] != ""
	st.panelFolded = panelFolded.MatchString(page)
	if m := panelToggle.FindStringSubmatch(page); m != nil {
		st.toggle = m[1]
	}
	return st
}

// The model panel's sections fold with the model's life: before a model
// is loaded (and while one loads) the catalog is open; once one is ready
// it folds away, and on a phone the whole panel folds to its head, with
// Change model collapsed. A failed load unfolds the panel. The saved
// models stay open throughout. A page opened with a model already ready
// starts folded.
func TestModelPanelFolds(t *testing.T) {
	app := NewApp(brokenEngine{errors.New("no engine in this test")}, nil)
	app.Model.Source = "https://example.org/models/tiny-q8_0.gguf"
	p := newPageRenderer(t, app)
	for _, step := range []struct {
		status ModelStatus
		want   foldState
	}{
		{ModelNone, foldState{catalogOpen: true, savedOpen: true}},
		{ModelLoading, foldState{catalogOpen: true, savedOpen: true}},
		{ModelReady, foldState{savedOpen: true, panelFolded: true, toggle: "false"}},
		{ModelReady, foldState{savedOpen: true, panelFolded: true, toggle: "false"}},
		// Another load: the panel unfolds to show it; the catalog stays
		// as it was (the reader may have picked from it, or not).
		{ModelLoading, foldState{savedOpen: true}},
		{ModelFailed, foldState{savedOpen: true}},
		{ModelReady, foldState{savedOpen: true, panelFolded: true, toggle: "false"}},
	} {
		if got := foldStateOf(t, p.render(step.status)); got != step.want {
			t.Errorf("model status %d: %+v, want %+v", step.status, got, step.want)
		}
	}

	fresh := newPageRenderer(t, NewApp(brokenEngine{errors.New("no engine in this test")}, nil))
	fresh.app.Model.Source = app.Model.Source
	if got, want := foldStateOf(t, fresh.render(ModelReady)), (foldState{savedOpen: true, panelFolded: true, toggle: "false"}); got != want {
		t.Errorf("first render with a model ready: %+v, want %+v", got, want)
	}
}

// The summaries say how many models each section holds.
func TestCountModels(t *testing.T) {
	for n, want := range map[int]string{0: "no models", 1: "1 model", 2: "2 models", 8: "8 models"} {
		if got := countModels(n); got != want {
			t.Errorf("countModels(%d) = %q, want %q", n, got, want)
		}
	}
}
