//go:build !js

package web

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/action"
)

// TestActionCheckout fills the checkout form by label, chooses Express
// delivery, accepts the terms and places the order after the person
// allows it: the page's own submit handler shows the data.
func TestActionCheckout(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "checkout.html")

	obs := p.observe()
	if obs.Title != "Checkout" || len(obs.Elements) != 8 {
		t.Fatalf("observation: title %q, elements %v", obs.Title, names(obs))
	}
	delivery := byName(t, obs, "Delivery")
	if delivery.Role != "combobox" || delivery.Value != "Standard (3-5 days)" ||
		len(delivery.Options) != 2 || delivery.Options[1] != "Express" {
		t.Errorf("delivery select: %+v", delivery)
	}
	if name := byName(t, obs, "Full name"); name.Role != "textbox" || !name.Required || name.Submits != true {
		t.Errorf("full name field: %+v", name)
	}
	terms := byName(t, obs, "I accept the terms")
	if terms.Role != "checkbox" || terms.Checked == nil || *terms.Checked || !terms.Required {
		t.Errorf("terms checkbox: %+v", terms)
	}
	if order := byName(t, obs, "Place order"); order.Role != "button" || !order.Submits || !order.Visible {
		t.Errorf("submit button: %+v", order)
	}

	outs := p.execute(`[
		{"action":"type","target":{"label":"Full name"},"text":"Ada Lovelace"},
		{"action":"type","target":{"label":"Street address"},"text":"12 Analytical Row"},
		{"action":"type","target":{"label":"City"},"text":"London"},
		{"action":"type","target":{"label":"Postal code"},"text":"NW1 2AB"},
		{"action":"select","target":{"label":"Delivery"},"option":"express"},
		{"action":"type","target":{"label":"Card number"},"text":"4111111111111111"},
		{"action":"check","target":{"label":"I accept the terms"}},
		{"action":"click","target":{"label":"Place order"}}
	]`, allowAll)
	allDone(t, outs, 8)
	got := jsonOf[map[string]any](p, "#result")
	want := map[string]any{"name": "Ada Lovelace", "street": "12 Analytical Row", "city": "London", "zip": "NW1 2AB",
		"delivery": "exp", "terms": true, "card_last4": "1111"}
	for k, v := range want {
		if got[k] != v {
			t.Errorf("submitted %s = %v, want %v (all: %v)", k, got[k], v, got)
		}
	}
	cs := p.confirms()
	if len(cs) != 1 || cs[0].Action.Action != action.Click || cs[0].Element == nil || cs[0].Element.Name != "Place order" {
		t.Errorf("confirmations: %+v, want one for the click on Place order", cs)
	}

	// Elements keep their indices while they stay in the page.
	after := p.observe()
	for _, name := range []string{"Full name", "Delivery", "Place order"} {
		if a, b := byName(t, obs, name).Index, byName(t, after, name).Index; a != b {
			t.Errorf("%s was [%d], is [%d] after the plan", name, a, b)
		}
	}
	// The card number was typed, and is still not shown to the model.
	card := byName(t, after, "Card number")
	if !card.Redacted || card.Value != "" {
		t.Errorf("card field after typing: %+v", card)
	}
	for _, o := range outs {
		if o.Action == action.Type && containsStr(o.Reason, "4111") {
			t.Errorf("a step's reason shows the card number: %q", o.Reason)
		}
	}
	p.noExceptions()
}

// TestActionCheckoutDeclined leaves the order unplaced when the person
// declines the submit, or when there is no one to confirm it; a select
// of an option the list does not have names the options.
func TestActionCheckoutDeclined(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "checkout.html")

	outs := p.execute(`[
		{"action":"type","target":{"label":"Full name"},"text":"Ada"},
		{"action":"click","target":{"label":"Place order"}},
		{"action":"type","target":{"label":"City"},"text":"Paris"}
	]`, declineAll)
	if len(outs) != 3 || outs[0].Status != action.StatusDone || outs[1].Status != action.StatusDeclined ||
		outs[1].Kind != action.ErrDeclined || outs[2].Status != action.StatusSkipped {
		t.Fatalf("declined plan: %+v", outs)
	}
	if r := p.text("#result"); r != "" {
		t.Errorf("the form was submitted although the person declined: %s", r)
	}
	if len(p.confirms()) != 1 {
		t.Errorf("confirmations asked: %+v, want 1", p.confirms())
	}

	outs = p.execute(`[{"action":"click","target":{"label":"Place order"}}]`, noHooks)
	if len(outs) != 1 || outs[0].Status != action.StatusDeclined || outs[0].Kind != action.ErrDeclined {
		t.Fatalf("submit without a confirm hook: %+v", outs)
	}
	if r := p.text("#result"); r != "" {
		t.Errorf("the form was submitted with no one to confirm: %s", r)
	}

	// Enter in a field that submits the form is gated the same way.
	outs = p.execute(`[{"action":"press_key","target":{"label":"City"},"key":"Enter"}]`, declineAll)
	if len(outs) != 1 || outs[0].Status != action.StatusDeclined {
		t.Fatalf("Enter in a form field, declined: %+v", outs)
	}
	if r := p.text("#result"); r != "" {
		t.Errorf("Enter submitted the form although the person declined: %s", r)
	}

	outs = p.execute(`[{"action":"select","target":{"label":"Delivery"},"option":"Overnight"}]`, noHooks)
	if len(outs) != 1 || outs[0].Kind != action.ErrNotFound || len(outs[0].Candidates) != 2 ||
		!containsStr(outs[0].Reason, "Express") {
		t.Fatalf("select of a missing option: %+v", outs)
	}
	p.noExceptions()
}

// TestActionLogin types the email, keeps the password from the model,
// and signs in with Enter in the password field once allowed.
func TestActionLogin(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "login.html")

	obs := p.observe()
	pw := byName(t, obs, "Password")
	if !pw.Redacted || pw.Value != "" || pw.InputType != "password" {
		t.Fatalf("password field: %+v", pw)
	}
	if containsStr(mustJSON(t, obs), "hunter2") {
		t.Fatalf("the observation holds the password: %s", mustJSON(t, obs))
	}
	email := byName(t, obs, "Email")
	if email.Role != "textbox" || email.InputType != "email" || !email.Submits {
		t.Errorf("email field: %+v", email)
	}
	if link := byName(t, obs, "Go to checkout"); link.Role != "link" || !containsStr(link.Href, "/checkout.html") {
		t.Errorf("link: %+v", link)
	}

	// A field Hearth filled shows the browser's verdict on it.
	allDone(t, p.execute(`[{"action":"type","target":{"label":"Email"},"text":"not an email"}]`, noHooks), 1)
	if e := byName(t, p.observe(), "Email"); !e.Invalid || e.Value != "not an email" {
		t.Errorf("email field after a bad address: %+v", e)
	}
	// A link to another site is not followed, even with a yes.
	outs := p.execute(`[{"action":"click","target":{"label":"Partner offer"}}]`, allowAll)
	if len(outs) != 1 || outs[0].Kind != action.ErrCrossOrigin {
		t.Fatalf("click on a link to another site: %+v", outs)
	}
	if !strings.HasSuffix(eval[string](p, `location.href`), "/login.html") {
		t.Fatal("the page left for another site")
	}

	outs = p.execute(`[
		{"action":"type","target":{"label":"email"},"text":"ada@example.com"},
		{"action":"type","target":{"label":"Password"},"text":"correct horse"},
		{"action":"press_key","target":{"label":"Password"},"key":"Enter"}
	]`, allowAll)
	allDone(t, outs, 3)
	got := jsonOf[map[string]any](p, "#result")
	if got["email"] != "ada@example.com" || got["password_length"] != float64(len("correct horse")) {
		t.Errorf("signed in with %v", got)
	}
	if e := byName(t, p.observe(), "Email"); e.Invalid {
		t.Errorf("email field after a good address: %+v", e)
	}
	if cs := p.confirms(); len(cs) == 0 || cs[len(cs)-1].Action.Action != action.PressKey {
		t.Errorf("confirmations: %+v, want one for Enter", cs)
	}
	for _, o := range outs {
		if containsStr(o.Reason, "correct horse") {
			t.Errorf("a step's reason shows the password: %q", o.Reason)
		}
	}
	p.noExceptions()
}

// TestActionControlledInput types into an input whose component state
// changes only through input events and re-renders from that state: the
// native value setter makes the component take the text.
func TestActionControlledInput(t *testing.T) {
	s := newActionSite(t)
	p := openAction(t, s, "controlled.html")

	if v := byName(t, p.observe(), "Your name").Value; v != "Ada" {
		t.Fatalf("observed value %q, want Ada", v)
	}
	// The page's own check that a bare assignment is reverted: the test
	// of the test page.
	eval[bool](p, `(() => { const i = document.querySelector('input'); i.value = 'Bare';
		i.dispatchEvent(new Event('input', {bubbles: true})); return true; })()`)
	p.sleep(500 * time.Millisecond)
	if got := eval[string](p, `componentState.name + '|' + document.querySelector('input').value`); got != "Ada|Ada" {
		t.Fatalf("the test page does not revert a bare assignment: %s", got)
	}

	allDone(t, p.execute(`[{"action":"type","target":{"label":"Your name"},"text":"Grace"}]`, noHooks), 1)
	p.sleep(500 * time.Millisecond) // several re-renders from the state
	if got := eval[string](p, `componentState.name`); got != "Grace" {
		t.Errorf("component state %q, want Grace", got)
	}
	if got := p.text("#greeting"); got != "Hello, Grace!" {
		t.Errorf("greeting %q", got)
	}
	allDone(t, p.execute(`[{"action":"type","target":{"label":"Your name"},"text":" Hopper","append":true}]`, noHooks), 1)
	p.sleep(300 * time.Millisecond)
	if got := jsonOf[map[string]string](p, "#state")["name"]; got != "Grace Hopper" {
		t.Errorf("after appending, state %q", got)
	}
	p.noExceptions()
}
