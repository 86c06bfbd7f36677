package action

import (
	"strings"
	"testing"
)

func TestParsePolicy(t *testing.T) {
	p, err := ParsePolicy([]byte(`{"allow_actions":["click","type"],"deny_actions":["navigate"],"allow_selector":"form *","deny_selector":".danger","max_steps":12}`))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.AllowActions) != 2 || p.DenyActions[0] != Navigate || p.AllowSelector != "form *" || p.DenySelector != ".danger" || p.StepLimit() != 12 {
		t.Fatalf("got %+v", p)
	}
	if p, err := ParsePolicy(nil); err != nil || p.StepLimit() != DefaultMaxSteps {
		t.Fatalf("empty policy: %+v %v", p, err)
	}
	for _, bad := range []struct{ json, want string }{
		{`{"allow_actions":["fly"]}`, `"fly"`},
		{`{"deny_actions":["Click"]}`, `"Click"`},
		{`{"max_steps":-1}`, "max_steps"},
		{`{"max_steps":100000}`, "max_steps"},
		{`{"confirm":false}`, "confirm"},
		{`{"max_steps":3} {}`, "trailing"},
		{`[1]`, "policy"},
	} {
		_, err := ParsePolicy([]byte(bad.json))
		if err == nil || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("ParsePolicy(%s) = %v, want an error mentioning %s", bad.json, err, bad.want)
		}
	}
}

func TestPolicyAllows(t *testing.T) {
	p := Policy{AllowActions: []Kind{Click, Navigate}, DenyActions: []Kind{Navigate}}
	for k, want := range map[Kind]bool{Click: true, Navigate: false, Type: false, Done: true} {
		if got := p.Allows(k); got != want {
			t.Errorf("Allows(%s) = %v, want %v", k, got, want)
		}
	}
	if !(Policy{}).Allows(Type) {
		t.Errorf("the empty policy should allow type")
	}
	if (Policy{DenyActions: []Kind{Done}}).Allows(Done) != true {
		t.Errorf("done must always be allowed")
	}
}

var page = Observation{URL: "http://127.0.0.1:8080/shop/checkout?x=1"}

func act(k Kind) Action { return Action{Action: k, Target: &Target{Index: idx(0)}} }

func link(href string) *Element {
	return &Element{Index: 0, Role: "link", Name: "More", Tag: "a", Href: href, Visible: true}
}

func TestDecide(t *testing.T) {
	yes := true
	button := Element{Index: 0, Role: "button", Name: "Apply", Tag: "button", Visible: true}
	submit := button
	submit.Name, submit.Submits = "Place order", true
	field := Element{Index: 0, Role: "textbox", Name: "Coupon", Tag: "input", InputType: "text", Submits: true}
	destructive := button
	destructive.Name, destructive.Destructive = "Delete account", true
	denied := button
	denied.Denied = true
	disabled := button
	disabled.Disabled = true
	covered := button
	covered.Covered = true
	box := Element{Index: 0, Role: "checkbox", Name: "Express", Checked: &yes}
	radio := Element{Index: 0, Role: "radio", Name: "Card", Checked: &yes}
	sel := Element{Index: 0, Role: "combobox", Name: "Country", Tag: "select", Options: []string{"France"}}

	cases := []struct {
		name string
		pol  Policy
		a    Action
		el   *Element
		want Verdict
		kind ErrorKind
		why  string
	}{
		{"plain click", Policy{}, act(Click), &button, Allow, "", ""},
		{"submit click", Policy{}, act(Click), &submit, Confirm, "", "submits a form"},
		{"enter in form field", Policy{}, Action{Action: PressKey, Target: &Target{Index: idx(0)}, Key: "Enter"}, &field, Confirm, "", "submits a form"},
		{"tab in form field", Policy{}, Action{Action: PressKey, Target: &Target{Index: idx(0)}, Key: "Tab"}, &field, Allow, "", ""},
		{"typing in form field", Policy{}, Action{Action: Type, Target: &Target{Index: idx(0)}, Text: "X"}, &field, Allow, "", ""},
		{"enter on focus", Policy{}, Action{Action: PressKey, Key: "Enter"}, nil, Confirm, "", "focused"},
		{"space on submit", Policy{}, Action{Action: PressKey, Target: &Target{Index: idx(0)}, Key: " "}, &submit, Confirm, "", "submits"},
		{"destructive click", Policy{}, act(Click), &destructive, Confirm, "", "destructive"},
		{"destructive hover", Policy{}, act(Hover), &destructive, Allow, "", ""},
		{"navigate same origin", Policy{}, Action{Action: Navigate, URL: "/account"}, nil, Confirm, "", "navigates"},
		{"navigate absolute same origin", Policy{}, Action{Action: Navigate, URL: "http://127.0.0.1:8080/a"}, nil, Confirm, "", "navigates"},
		{"navigate other port", Policy{}, Action{Action: Navigate, URL: "http://127.0.0.1:9090/"}, nil, Deny, ErrCrossOrigin, "origin"},
		{"navigate other host", Policy{}, Action{Action: Navigate, URL: "//evil.example/x"}, nil, Deny, ErrCrossOrigin, "origin"},
		{"navigate javascript", Policy{}, Action{Action: Navigate, URL: "javascript:alert(1)"}, nil, Deny, ErrCrossOrigin, "http"},
		{"kind not allowed", Policy{AllowActions: []Kind{Type}}, act(Click), &button, Deny, ErrDenied, "does not allow click"},
		{"kind denied", Policy{DenyActions: []Kind{Click}}, act(Click), &button, Deny, ErrDenied, "does not allow click"},
		{"denied element", Policy{}, act(Click), &denied, Deny, ErrDenied, `[0] button "Apply"`},
		{"denied element read", Policy{}, act(Extract), &denied, Deny, ErrDenied, "does not allow"},
		{"disabled", Policy{}, act(Click), &disabled, Deny, ErrNotActable, "disabled"},
		{"covered", Policy{}, act(Click), &covered, Deny, ErrNotActable, "covered"},
		{"type into button", Policy{}, Action{Action: Type, Target: &Target{Index: idx(0)}, Text: "x"}, &button, Deny, ErrNotActable, "not a text field"},
		{"select on button", Policy{}, Action{Action: Select, Target: &Target{Index: idx(0)}, Option: "x"}, &button, Deny, ErrNotActable, "options"},
		{"select", Policy{}, Action{Action: Select, Target: &Target{Index: idx(0)}, Option: "France"}, &sel, Allow, "", ""},
		{"check box", Policy{}, act(Check), &box, Allow, "", ""},
		{"uncheck radio", Policy{}, act(Uncheck), &radio, Deny, ErrNotActable, "cannot be unchecked"},
		{"check button", Policy{}, act(Check), &button, Deny, ErrNotActable, "checkbox"},
		{"page scroll", Policy{}, Action{Action: Scroll, Direction: "down"}, nil, Allow, "", ""},
		{"link same page", Policy{}, act(Click), link("#details"), Allow, "", ""},
		{"link same page absolute", Policy{}, act(Click), link("http://127.0.0.1:8080/shop/checkout?x=1#a"), Allow, "", ""},
		{"link script", Policy{}, act(Click), link("javascript:void(0)"), Allow, "", ""},
		{"link other page", Policy{}, act(Click), link("/shop/account"), Confirm, "", "navigates away"},
		{"link other query", Policy{}, act(Click), link("?x=2"), Confirm, "", "navigates away"},
		{"link enter", Policy{}, Action{Action: PressKey, Target: &Target{Index: idx(0)}, Key: "Enter"}, link("/shop/account"), Confirm, "", "navigates away"},
		{"link tab", Policy{}, Action{Action: PressKey, Target: &Target{Index: idx(0)}, Key: "Tab"}, link("/shop/account"), Allow, "", ""},
		{"link other origin", Policy{}, act(Click), link("https://evil.example/"), Deny, ErrCrossOrigin, "leads away"},
		{"link hover other origin", Policy{}, act(Hover), link("https://evil.example/"), Allow, "", ""},
	}
	for _, c := range cases {
		d := c.pol.Decide(c.a, c.el, page)
		if d.Verdict != c.want || d.Kind != c.kind || !strings.Contains(d.Reason, c.why) {
			t.Errorf("%s: got %+v, want %s %s with reason containing %q", c.name, d, c.want, c.kind, c.why)
		}
	}
}

// TestNoPolicyTurnsConfirmationOff tries every policy shape on the gated
// steps: none of them is ever allowed without confirmation.
func TestNoPolicyTurnsConfirmationOff(t *testing.T) {
	submit := Element{Index: 0, Role: "button", Name: "Pay", Submits: true}
	destructive := Element{Index: 0, Role: "button", Name: "Delete", Destructive: true}
	policies := []Policy{
		{},
		{AllowActions: []Kind{Click, Navigate, PressKey}},
		{AllowSelector: "*", MaxSteps: 500},
	}
	gated := []struct {
		a  Action
		el *Element
	}{
		{act(Click), &submit},
		{act(Click), &destructive},
		{Action{Action: Navigate, URL: "/next"}, nil},
		{Action{Action: PressKey, Key: "Enter"}, nil},
		{act(Click), link("/elsewhere")},
	}
	for _, p := range policies {
		for _, g := range gated {
			if d := p.Decide(g.a, g.el, page); d.Verdict == Allow {
				t.Errorf("policy %+v allowed %+v on %+v without confirmation", p, g.a, g.el)
			}
		}
	}
}

func TestDecideNavigateWithoutPageURL(t *testing.T) {
	d := (Policy{}).Decide(Action{Action: Navigate, URL: "/x"}, nil, Observation{})
	if d.Verdict != Deny || d.Kind != ErrCrossOrigin {
		t.Fatalf("navigation from an unknown origin must be refused, got %+v", d)
	}
}
