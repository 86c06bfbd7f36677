//go:build !js

package web

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/hearth-ai/hearth/engine/action"
)

// TestActionMisc covers hover, contenteditable, covered and off-screen
// elements, waits, a custom combobox, scrolling, extract and the budget.
func TestActionMisc(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "misc.html")

	obs := p.observe()
	for _, e := range obs.Elements {
		if e.Name == "Profile" {
			t.Fatalf("the hidden Profile link is listed: %+v", e)
		}
	}
	if c := byName(t, obs, "Covered button"); !c.Covered || c.Visible {
		t.Errorf("covered button: %+v", c)
	}
	if b := byName(t, obs, "Bottom button"); b.Visible || b.Covered {
		t.Errorf("off-screen button: %+v", b)
	}
	if n := byName(t, obs, "Notes"); n.Role != "textbox" || n.Value != "Old note" {
		t.Errorf("contenteditable notes: %+v", n)
	}
	if c := byName(t, obs, "Color"); c.Role != "combobox" || c.Expanded == nil || *c.Expanded {
		t.Errorf("custom combobox: %+v", c)
	}

	if r := byName(t, obs, "Row 10"); r.Covered || r.Visible {
		t.Errorf("a button scrolled out of its box: %+v", r)
	}
	allDone(t, p.execute(`[{"action":"click","target":{"label":"Row 10"}}]`, noHooks), 1)
	if st := jsonOf[map[string]any](p, "#state"); st["row"] != float64(10) {
		t.Errorf("after clicking Row 10: %v", st)
	}

	outs := p.execute(`[{"action":"click","target":{"label":"Covered button"}}]`, noHooks)
	if len(outs) != 1 || outs[0].Kind != action.ErrNotActable {
		t.Fatalf("click on a covered button: %+v", outs)
	}

	allDone(t, p.execute(`[
		{"action":"hover","target":{"label":"Account menu"}},
		{"action":"type","target":{"label":"Notes"},"text":"New note"},
		{"action":"click","target":{"label":"Load more"}},
		{"action":"wait_for","text":"Loaded 3 more","timeout_ms":3000},
		{"action":"wait_for","target":{"label":"Show details"},"timeout_ms":3000},
		{"action":"select","target":{"label":"Color"},"option":"green"},
		{"action":"click","target":{"label":"Bottom button"}},
		{"action":"extract","target":{"label":"Notes"}},
		{"action":"extract"}
	]`, noHooks), 9)
	// (outcomes re-read below through the page's own state)
	st := jsonOf[map[string]any](p, "#state")
	if st["hovered"] != true || st["color"] != "g" || st["bottom"] != float64(1) {
		t.Errorf("page state %v", st)
	}
	if got := p.text("#notes"); got != "New note" {
		t.Errorf("notes %q", got)
	}
	if byName(t, p.observe(), "Profile").Role != "link" {
		t.Error("the hovered menu's link is not listed")
	}

	outs = p.execute(`[{"action":"extract","target":{"label":"Notes"}},{"action":"extract"}]`, noHooks)
	allDone(t, outs, 2)
	if outs[0].Result != "New note" || !containsStr(outs[1].Result, "Odds and ends") || !containsStr(outs[1].Result, "Loaded 3 more") {
		t.Errorf("extracts: %q / %q", outs[0].Result, outs[1].Result)
	}

	for _, plan := range []string{
		`[{"action":"wait_for","text":"never shown","timeout_ms":300}]`,
		`[{"action":"wait_for","target":{"label":"Never there"},"timeout_ms":300}]`,
	} {
		outs = p.execute(plan, noHooks)
		if len(outs) != 1 || outs[0].Kind != action.ErrTimeout {
			t.Fatalf("%s: %+v", plan, outs)
		}
	}

	eval[bool](p, `(window.scrollTo(0, 0), true)`)
	outs = p.execute(`[{"action":"scroll","direction":"up"}]`, noHooks)
	if len(outs) != 1 || outs[0].Kind != action.ErrNoEffect {
		t.Fatalf("scrolling up at the top: %+v", outs)
	}
	allDone(t, p.execute(`[{"action":"scroll","direction":"down"}]`, noHooks), 1)
	if y := eval[float64](p, `window.scrollY`); y < 300 {
		t.Errorf("scrolled down to %v", y)
	}

	small := eval[string](p, `__hearthRuntime.observe('{"budget_tokens":40}')`)
	var cut action.Observation
	if err := json.Unmarshal([]byte(small), &cut); err != nil {
		t.Fatal(err)
	}
	if !cut.Truncated || len(small) > 40*4+400 {
		t.Errorf("observation within 40 tokens: truncated %v, %d bytes: %s", cut.Truncated, len(small), small)
	}
	msg := eval[string](p, `__hearthRuntime.observe('{"budget":1}').then(() => 'accepted', (e) => e.message)`)
	if !containsStr(msg, "budget") {
		t.Errorf("bad observe options: %q", msg)
	}
	p.noExceptions()
}

// TestActionCrossOriginFrame: a frame from another origin is skipped and
// the observation says so.
func TestActionCrossOriginFrame(t *testing.T) {
	s := newActionSite(t)
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		w.Write([]byte(`<!doctype html><title>x</title><button>Other site button</button>`))
	}))
	t.Cleanup(other.Close)
	p := openAction(t, s, "login.html")
	eval[bool](p, `new Promise((ok) => { const f = document.createElement('iframe'); f.src = `+jsString(other.URL+"/frame")+`;
		f.onload = () => ok(true); document.body.append(f); })`)
	obs := p.observe()
	for _, e := range obs.Elements {
		if e.Name == "Other site button" {
			t.Fatalf("an element of a cross-origin frame is listed: %+v", e)
		}
	}
	if !containsStr(obs.Text, "not shown") || !containsStr(obs.Text, other.URL) {
		t.Errorf("the observation does not note the skipped frame: %q", obs.Text)
	}
	p.noExceptions()
}

// TestActionAct runs the plan loop (act) with a scripted model behind the
// generate hook: it sees the schema and the page, and its two answers
// click the button and finish.
func TestActionAct(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "misc.html")

	res := eval[string](p, `(async () => {
		const answers = ['{"action":"click","target":{"label":"Bottom button"}}', '{"action":"done","answer":"Clicked it."}'];
		window.__requests = [];
		const steps = [];
		const r = await __hearthRuntime.act('click the bottom button', {
			generate: async (req) => { window.__requests.push(JSON.parse(req)); return answers.shift(); },
			onStep: (o) => steps.push(JSON.parse(o)),
		});
		return JSON.stringify({result: JSON.parse(r), steps});
	})()`)
	var got struct {
		Result action.Result
		Steps  []action.Outcome
	}
	if err := json.Unmarshal([]byte(res), &got); err != nil {
		t.Fatalf("act: %q: %v", res, err)
	}
	if got.Result.Answer != "Clicked it." || got.Result.Steps != 2 || got.Result.Stopped != action.StopDone ||
		len(got.Steps) != 2 || got.Steps[0].Status != action.StatusDone {
		t.Fatalf("act result %+v, steps %+v", got.Result, got.Steps)
	}
	if st := jsonOf[map[string]any](p, "#state"); st["bottom"] != float64(1) {
		t.Errorf("page state %v", st)
	}
	var reqs []struct {
		Messages  []struct{ Role, Content string }
		Schema    string
		MaxTokens int
	}
	if err := json.Unmarshal([]byte(eval[string](p, `JSON.stringify(window.__requests)`)), &reqs); err != nil {
		t.Fatal(err)
	}
	if len(reqs) != 2 || reqs[0].MaxTokens != 0 || len(reqs[0].Messages) == 0 || !json.Valid([]byte(reqs[0].Schema)) ||
		!containsStr(reqs[0].Messages[len(reqs[0].Messages)-1].Content, "Bottom button") {
		t.Fatalf("generate requests %+v", reqs)
	}
	msg := eval[string](p, `__hearthRuntime.act('x', {}).then(() => 'accepted', (e) => e.message)`)
	if !containsStr(msg, "generate") {
		t.Errorf("act without a model: %q", msg)
	}
	p.noExceptions()
}
