//go:build !js

package web

import (
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/action"
)

// TestActionSettings flips checkboxes and role=switch buttons, acting only
// when the state differs, and refuses a disabled switch.
func TestActionSettings(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "settings.html")

	obs := p.observe()
	auto := byName(t, obs, "Auto-save")
	if auto.Role != "switch" || auto.Checked == nil || *auto.Checked {
		t.Errorf("Auto-save switch: %+v", auto)
	}
	if beta := byName(t, obs, "Beta features"); beta.Role != "switch" || beta.Checked == nil || !*beta.Checked {
		t.Errorf("Beta switch: %+v", beta)
	}
	if email := byName(t, obs, "Email notifications"); email.Role != "checkbox" || email.Checked == nil || !*email.Checked {
		t.Errorf("email checkbox: %+v", email)
	}
	if c := byName(t, obs, "Compact view"); c.Role != "checkbox" || c.Checked == nil || *c.Checked || !c.Visible {
		t.Errorf("a checkbox hidden behind its label: %+v", c)
	}
	if sync := byName(t, obs, "Sync (admins only)"); !sync.Disabled {
		t.Errorf("sync switch should be disabled: %+v", sync)
	}

	outs := p.execute(`[
		{"action":"check","target":{"label":"Dark mode"}},
		{"action":"uncheck","target":{"label":"Email notifications"}},
		{"action":"check","target":{"label":"Auto-save"}},
		{"action":"uncheck","target":{"label":"Beta features"}},
		{"action":"check","target":{"label":"Dark mode"}},
		{"action":"check","target":{"label":"Compact view"}}
	]`, `{onLog: (l) => (window.__log ??= []).push(l), onStep: (o) => (window.__steps ??= []).push(JSON.parse(o))}`)
	allDone(t, outs, 6)
	// Every step reached onStep, and the executor's events reached onLog.
	if n := eval[int](p, `window.__steps.length`); n != 6 {
		t.Errorf("onStep saw %d steps, want 6", n)
	}
	if log := eval[string](p, `window.__log.join('\n')`); !containsStr(log, "pointer down/up and click") {
		t.Errorf("executor log: %q", log)
	}
	want := map[string]bool{"email": false, "dark": true, "compact": true, "autosave": true, "beta": false, "sync": false}
	got := jsonOf[map[string]bool](p, "#state")
	for k, v := range want {
		if got[k] != v {
			t.Errorf("%s = %v, want %v (state %v)", k, got[k], v, got)
		}
	}
	// The second "check Dark mode" found it checked and did not click
	// (a click would have turned it off again, as the state shows).
	if !containsStr(outs[4].Reason, "already") {
		t.Errorf("second check of Dark mode: %q, want it to say it was already checked", outs[4].Reason)
	}

	outs = p.execute(`[{"action":"check","target":{"label":"Sync (admins only)"}}]`, noHooks)
	if len(outs) != 1 || outs[0].Kind != action.ErrNotActable {
		t.Fatalf("checking a disabled switch: %+v", outs)
	}
	if jsonOf[map[string]bool](p, "#state")["sync"] {
		t.Error("the disabled switch was turned on")
	}
	p.noExceptions()
}

// TestActionList searches, pages through results and adds items; a bare
// "Add" is ambiguous and a missing label is not found, each with
// candidates.
func TestActionList(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "list.html")

	obs := p.observe()
	if search := byName(t, obs, "Search products"); search.Role != "searchbox" {
		t.Errorf("search box: %+v", search)
	}
	if prev := byName(t, obs, "Previous page"); !prev.Disabled {
		t.Errorf("Previous page should be disabled on page 1: %+v", prev)
	}

	outs := p.execute(`[{"action":"click","target":{"label":"Add"}}]`, noHooks)
	if len(outs) != 1 || outs[0].Kind != action.ErrAmbiguous || len(outs[0].Candidates) < 2 {
		t.Fatalf("click on the ambiguous Add: %+v", outs)
	}
	outs = p.execute(`[{"action":"click","target":{"label":"Checkout now"}}]`, noHooks)
	if len(outs) != 1 || outs[0].Kind != action.ErrNotFound {
		t.Fatalf("click on a missing label: %+v", outs)
	}
	outs = p.execute(`[{"action":"click","target":{"index":9999}}]`, noHooks)
	if len(outs) != 1 || outs[0].Kind != action.ErrNotFound {
		t.Fatalf("click on a missing index: %+v", outs)
	}

	allDone(t, p.execute(`[
		{"action":"click","target":{"label":"Next page"}},
		{"action":"wait_for","text":"Page 2 of 4"},
		{"action":"click","target":{"label":"Next page"}}
	]`, noHooks), 3)
	if got := p.text("#page"); got != "Page 3 of 4" {
		t.Fatalf("after two Next clicks: %q", got)
	}
	// Page 3 holds Fig … Lemon; the first Add is Fig's.
	obs = p.observe()
	var firstAdd *action.Element
	for i, e := range obs.Elements {
		if e.Name == "Add" {
			firstAdd = &obs.Elements[i]
			break
		}
	}
	if firstAdd == nil {
		t.Fatalf("no Add buttons on page 3: %v", names(obs))
	}
	allDone(t, p.execute(`[{"action":"click","target":{"index":`+itoaT(firstAdd.Index)+`}}]`, noHooks), 1)

	allDone(t, p.execute(`[
		{"action":"type","target":{"label":"Search products"},"text":"berry"},
		{"action":"wait_for","text":"Page 1 of 1"},
		{"action":"extract","target":{"label":"Search products"}}
	]`, noHooks), 3)
	if got := p.text("#page"); got != "Page 1 of 1" {
		t.Fatalf("after searching: %q", got)
	}
	items := eval[string](p, `[...document.querySelectorAll('#items li')].map((li) => li.firstChild.textContent.trim()).join(',')`)
	if items != "Blackberry,Blueberry,Elderberry" {
		t.Fatalf("search results %q", items)
	}
	obs = p.observe()
	var adds []action.Element
	for _, e := range obs.Elements {
		if e.Name == "Add" {
			adds = append(adds, e)
		}
	}
	if len(adds) != 3 {
		t.Fatalf("%d Add buttons after the search: %v", len(adds), names(obs))
	}
	allDone(t, p.execute(`[{"action":"click","target":{"index":`+itoaT(adds[1].Index)+`}}]`, noHooks), 1)
	if cart := jsonOf[[]string](p, "#cart"); len(cart) != 2 || cart[0] != "Fig" || cart[1] != "Blueberry" {
		t.Fatalf("cart %v, want [Fig Blueberry]", cart)
	}
	// A button that left the page with the old results is "vanished"
	// when named by its old index.
	outs = p.execute(`[{"action":"click","target":{"index":`+itoaT(firstAdd.Index)+`}}]`, noHooks)
	if len(outs) != 1 || outs[0].Status != action.StatusError || (outs[0].Kind != action.ErrNotFound && outs[0].Kind != action.ErrVanished) {
		t.Fatalf("click on a button that left the page: %+v", outs)
	}
	p.noExceptions()
}

// TestActionDialog: while a modal dialog is open only its elements are
// observed and actionable.
func TestActionDialog(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "dialog.html")

	if obs := p.observe(); obs.Dialog != "" || len(obs.Elements) != 3 {
		t.Fatalf("before the dialog: dialog %q, elements %v", obs.Dialog, names(obs))
	}
	allDone(t, p.execute(`[{"action":"click","target":{"label":"Edit nickname"}}]`, noHooks), 1)
	obs := p.observe()
	if obs.Dialog != "Edit nickname" {
		t.Errorf("dialog name %q", obs.Dialog)
	}
	if len(obs.Elements) != 3 || byName(t, obs, "Confirm").Role != "button" || byName(t, obs, "Nickname").Role != "textbox" {
		t.Fatalf("in the dialog: %v", names(obs))
	}
	if !containsStr(obs.Text, "Choose how others see you") || containsStr(obs.Text, "Nickname: none") {
		t.Errorf("dialog text %q should be the dialog's only", obs.Text)
	}
	outs := p.execute(`[{"action":"click","target":{"label":"Background action"}}]`, noHooks)
	if len(outs) != 1 || outs[0].Status != action.StatusError || outs[0].Kind != action.ErrNotFound {
		t.Fatalf("clicking behind the modal dialog: %+v", outs)
	}
	if r := p.text("#result"); r != "" {
		t.Fatalf("the background button was clicked: %q", r)
	}
	allDone(t, p.execute(`[
		{"action":"type","target":{"label":"Nickname"},"text":"Countess"},
		{"action":"click","target":{"label":"Confirm"}}
	]`, noHooks), 2)
	if got := p.text("#nick"); got != "Countess" {
		t.Errorf("nickname %q", got)
	}
	if obs := p.observe(); obs.Dialog != "" {
		t.Errorf("dialog %q still reported after closing", obs.Dialog)
	}

	// A script-made modal ([role=dialog][aria-modal=true]) counts too.
	allDone(t, p.execute(`[{"action":"click","target":{"label":"Open help"}}]`, noHooks), 1)
	obs = p.observe()
	if obs.Dialog != "Help" || len(obs.Elements) != 1 || obs.Elements[0].Name != "Close help" || obs.Text != "Nicknames are public. Close help" {
		t.Fatalf("aria modal: dialog %q, elements %v, text %q", obs.Dialog, names(obs), obs.Text)
	}
	allDone(t, p.execute(`[{"action":"click","target":{"label":"Close help"}}]`, noHooks), 1)
	if obs := p.observe(); obs.Dialog != "" || len(obs.Elements) != 3 {
		t.Errorf("after closing help: dialog %q, elements %v", obs.Dialog, names(obs))
	}
	p.noExceptions()
}

// TestActionIframe observes and fills a form in a same-origin iframe.
func TestActionIframe(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "iframe.html")
	// The frame loads on its own schedule.
	for i := 0; i < 50 && !eval[bool](p, `!!document.querySelector('iframe').contentDocument?.querySelector('form')`); i++ {
		p.sleep(100 * time.Millisecond)
	}
	obs := p.observe()
	email := byName(t, obs, "Your email")
	if email.Frame != "signup" || email.Role != "textbox" {
		t.Fatalf("email field in the frame: %+v", email)
	}
	if sub := byName(t, obs, "Subscribe"); sub.Frame != "signup" || !sub.Submits {
		t.Errorf("subscribe button: %+v", sub)
	}
	outs := p.execute(`[
		{"action":"type","target":{"label":"Your email"},"text":"ada@example.com"},
		{"action":"check","target":{"label":"Weekly digest"}},
		{"action":"click","target":{"label":"Subscribe"}}
	]`, allowAll)
	allDone(t, outs, 3)
	got := eval[string](p, `document.querySelector('iframe').contentDocument.getElementById('result').textContent`)
	if got != `{"email":"ada@example.com","weekly":true}` {
		t.Errorf("frame form result %q", got)
	}
	p.noExceptions()
}

// TestActionShadowDOM observes and acts inside open shadow roots of web
// components; data-hearth-deny around a component covers its insides.
func TestActionShadowDOM(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "shadow.html")

	obs := p.observe()
	if code := byName(t, obs, "Promo code"); code.Role != "textbox" {
		t.Errorf("promo code field: %+v", code)
	}
	if apply := byName(t, obs, "Apply code"); apply.Role != "button" || apply.Text != "→" || apply.Covered || !apply.Visible {
		t.Errorf("apply button (named by aria-labelledby in its shadow root): %+v", apply)
	}
	if closeAcct := byName(t, obs, "Close my account"); !closeAcct.Denied {
		t.Errorf("a button in a denied component: %+v", closeAcct)
	}
	if !containsStr(obs.Text, "Have a code?") || containsStr(obs.Text, ":host") {
		t.Errorf("text %q should hold the component's text and not its style", obs.Text)
	}
	for _, e := range obs.Elements {
		if e.Name == "Hidden in a closed root" {
			t.Errorf("an element of a closed shadow root is listed: %+v", e)
		}
	}
	allDone(t, p.execute(`[
		{"action":"type","target":{"label":"Promo code"},"text":"SPRING"},
		{"action":"click","target":{"label":"Apply code"}}
	]`, noHooks), 2)
	if got := p.text("#result"); got != "applied SPRING" {
		t.Errorf("result %q", got)
	}
	outs := p.execute(`[{"action":"click","target":{"label":"Close my account"}}]`, allowAll)
	if len(outs) != 1 || outs[0].Kind != action.ErrDenied {
		t.Fatalf("click in a denied component: %+v", outs)
	}
	if got := p.text("#result"); got != "applied SPRING" {
		t.Errorf("result %q after a denied click", got)
	}
	p.noExceptions()
}
