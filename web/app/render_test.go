package main

import (
	"bytes"
	"errors"
	"regexp"
	"strings"
	"testing"

	"github.com/vugu/vugu"
	"github.com/vugu/vugu/staticrender"
)

// renderPage renders the whole page for app as HTML, with vugu's static
// renderer: the generated Build methods run as they do in the browser.
func renderPage(t *testing.T, app *App) string {
	t.Helper()
	var buf bytes.Buffer
	r := staticrender.New(&buf)
	env, err := vugu.NewBuildEnv(r.EventEnv())
	if err != nil {
		t.Fatal(err)
	}
	if err := r.Render(env.RunBuild(&Root{App: app})); err != nil {
		t.Fatal(err)
	}
	return buf.String()
}

// Markup in a message, the model's or the user's, reaches the page as
// text: escaped in the HTML, never as an element.
func TestMessagesRenderAsText(t *testing.T) {
	app := NewApp(brokenEngine{errors.New("no engine in this test")}, nil)
	app.Model.Status, app.Model.Source = ModelReady, "https://example.org/models/tiny-q8_0.gguf"
	app.Model.Info = ModelInfo{Arch: "llama", WeightType: "Q8_0", Context: 2048, Threads: 1}
	app.Model.Progress.Done = true
	app.ShowMessage("user", `Say <b>hi</b>`)
	app.ShowMessage("assistant", `<script>alert(1)</script><img src=x onerror="alert(2)"> & done`)
	page := renderPage(t, app)
	for _, bad := range []string{"<script", "<img", "<b>"} {
		if strings.Contains(page, bad) {
			t.Errorf("the page has the element %s…", bad)
		}
	}
	for _, want := range []string{
		`Say &lt;b&gt;hi&lt;/b&gt;`,
		`&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=&#34;alert(2)&#34;&gt; &amp; done`,
		`tiny-q8_0.gguf (llama, Q8_0) is ready`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	if !regexp.MustCompile(`<progress id="load-progress"[^>]* value="100.0"`).MatchString(page) {
		t.Error("the progress bar of a finished load is not full")
	}
	if t.Failed() {
		t.Logf("page:\n%s", page)
	}
}

// Before a model is loaded, Send and Stop are disabled and the list says
// how to start; a failed load shows its error.
func TestPageStates(t *testing.T) {
	app := NewApp(brokenEngine{errors.New("no engine in this test")}, nil)
	page := renderPage(t, app)
	for _, want := range []string{
		`id="chat-send" type="submit" disabled="disabled"`,
		`id="chat-stop" type="button" disabled="disabled"`,
		`id="model-load" type="submit" disabled="disabled"`,
		`Load a model to start chatting.`,
		`No model loaded`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("with no model, the page lacks %s", want)
		}
	}
	if strings.Contains(page, `id="load-progress"`) {
		t.Error("a progress bar with no load")
	}

	app.Model.Status, app.Model.Error = ModelFailed, `fetching https://example.org/x.gguf: HTTP 404 <oops>`
	page = renderPage(t, app)
	if !strings.Contains(page, `role="alert"`) || !strings.Contains(page, `HTTP 404 &lt;oops&gt;`) {
		t.Errorf("a failed load does not show its error:\n%s", page)
	}
}
