package action

import (
	"reflect"
	"strings"
	"testing"
)

func idx(i int) *int { return &i }

func label(s string) Target { return Target{Label: s} }

func resolveIndex(t *testing.T, elems []Element, target Target) int {
	t.Helper()
	el, f := Resolve(elems, target)
	if f != nil {
		t.Fatalf("Resolve(%+v): %v", target, f)
	}
	return el.Index
}

func TestResolveByIndex(t *testing.T) {
	elems := []Element{{Index: 2, Role: "button", Name: "A"}, {Index: 7, Role: "link", Name: "B"}}
	if got := resolveIndex(t, elems, Target{Index: idx(7)}); got != 7 {
		t.Fatalf("got [%d]", got)
	}
	_, f := Resolve(elems, Target{Index: idx(3)})
	if f == nil || f.Kind != ErrNotFound || !strings.Contains(f.Reason, "[3]") || !strings.Contains(f.Reason, "2…7") {
		t.Fatalf("want not_found naming [3] and the range, got %v", f)
	}
}

func TestResolveTiers(t *testing.T) {
	elems := []Element{
		{Index: 0, Role: "link", Name: "Go to checkout", Text: "Checkout"},
		{Index: 1, Role: "button", Name: "Checkout"},
		{Index: 2, Role: "textbox", Name: "Shipping address"},
		{Index: 3, Role: "textbox", Name: "Card number (required)"},
		{Index: 4, Role: "textbox", Name: "", Placeholder: "Search products"},
		{Index: 5, Role: "button", Name: "Search"},
	}
	cases := []struct {
		label string
		want  int
	}{
		{"Checkout", 1},         // exact name beats exact visible text
		{"  CHECKOUT ", 1},      // case and surrounding space do not matter
		{"go   to checkout", 0}, // inner whitespace collapses
		{"Shiping address", 2},  // one typo: fuzzy
		{"card number", 3},      // whole-word containment
		{"search products", 4},  // placeholder counts as visible text
		{"Search", 5},           // exact name, though [4]'s placeholder contains it
	}
	for _, c := range cases {
		if got := resolveIndex(t, elems, label(c.label)); got != c.want {
			t.Errorf("label %q resolved to [%d], want [%d]", c.label, got, c.want)
		}
	}
}

func TestResolveVisibleTextBeatsFuzzy(t *testing.T) {
	elems := []Element{
		{Index: 0, Role: "button", Name: "Save changes"},                  // contains "save": fuzzy
		{Index: 1, Role: "button", Name: "Store the draft", Text: "Save"}, // exact visible text
	}
	if got := resolveIndex(t, elems, label("save")); got != 1 {
		t.Fatalf("resolved to [%d], want the exact visible text [1]", got)
	}
}

func TestResolveAmbiguous(t *testing.T) {
	elems := []Element{
		{Index: 4, Role: "button", Name: "Save"},
		{Index: 6, Role: "textbox", Name: "Email"},
		{Index: 9, Role: "button", Name: "save"},
	}
	_, f := Resolve(elems, label("Save"))
	if f == nil || f.Kind != ErrAmbiguous {
		t.Fatalf("want ambiguous, got %v", f)
	}
	want := []string{`[4] button "Save"`, `[9] button "save"`}
	if !reflect.DeepEqual(f.Candidates, want) {
		t.Fatalf("candidates %q, want %q", f.Candidates, want)
	}
	if !strings.Contains(f.Error(), `[4] button "Save"`) {
		t.Fatalf("error %q does not list the candidates", f.Error())
	}

	// Two fuzzy matches about equally good are ambiguous too: no guessing.
	elems = []Element{
		{Index: 1, Role: "textbox", Name: "Email address"},
		{Index: 2, Role: "checkbox", Name: "Email me offers"},
	}
	_, f = Resolve(elems, label("email"))
	if f == nil || f.Kind != ErrAmbiguous || len(f.Candidates) != 2 {
		t.Fatalf("want ambiguous between both, got %v", f)
	}
}

func TestResolveNotFoundListsClosest(t *testing.T) {
	elems := []Element{
		{Index: 0, Role: "button", Name: "Log in"},
		{Index: 1, Role: "link", Name: "Help"},
		{Index: 2, Role: "link", Name: "Privacy policy"},
		{Index: 3, Role: "button", Name: "Sign up"},
	}
	_, f := Resolve(elems, label("Logout"))
	if f == nil || f.Kind != ErrNotFound {
		t.Fatalf("want not_found, got %v", f)
	}
	if len(f.Candidates) == 0 || len(f.Candidates) > 3 || f.Candidates[0] != `[0] button "Log in"` {
		t.Fatalf("closest candidates %q, want [0] first and at most 3", f.Candidates)
	}
	if !strings.Contains(f.Reason, `"Logout"`) {
		t.Fatalf("reason %q does not name the label", f.Reason)
	}
	// A short word does not fuzzily match a different short word.
	if _, f := Resolve([]Element{{Index: 0, Role: "textbox", Name: "Name"}}, label("Game")); f == nil || f.Kind != ErrNotFound {
		t.Fatalf("Game matched Name: %v", f)
	}
}

func TestResolveCoveredAndDenied(t *testing.T) {
	elems := []Element{
		{Index: 0, Role: "button", Name: "Delete", Covered: true},
		{Index: 1, Role: "button", Name: "Delete", Visible: true},
		{Index: 2, Role: "button", Name: "Close", Covered: true},
		{Index: 3, Role: "button", Name: "Reset", Denied: true, Visible: true},
		{Index: 4, Role: "button", Name: "Below the fold", Visible: false},
	}
	if got := resolveIndex(t, elems, label("Delete")); got != 1 {
		t.Fatalf("resolved to [%d]; the covered twin must not compete", got)
	}
	_, f := Resolve(elems, label("Close"))
	if f == nil || f.Kind != ErrNotActable || len(f.Candidates) != 1 || !strings.Contains(f.Reason, "covered") {
		t.Fatalf("a covered-only match should be not_actable naming it, got %v", f)
	}
	if got := resolveIndex(t, elems, label("Reset")); got != 3 {
		t.Fatalf("denied element should resolve (Decide refuses it), got [%d]", got)
	}
	if got := resolveIndex(t, elems, label("below the fold")); got != 4 {
		t.Fatalf("out-of-viewport element should resolve, got [%d]", got)
	}
}

// A covered exact match is reported, not traded for a lesser match in
// view; and labels that differ in a number are never typos of each other.
func TestResolveCoveredExactBeatsVisibleFuzzy(t *testing.T) {
	elems := []Element{
		{Index: 0, Role: "button", Name: "Row 1", Visible: true},
		{Index: 1, Role: "button", Name: "Row 10", Covered: true},
		{Index: 2, Role: "button", Name: "Savee", Visible: true},
		{Index: 3, Role: "button", Name: "Save", Covered: true},
	}
	for _, l := range []string{"Row 10", "Save"} {
		_, f := Resolve(elems, label(l))
		if f == nil || f.Kind != ErrNotActable || len(f.Candidates) != 1 {
			t.Errorf("%q: want not_actable naming the covered exact match, got %v", l, f)
		}
	}
	_, f := Resolve([]Element{{Index: 0, Role: "button", Name: "Page 12", Visible: true}}, label("Page 13"))
	if f == nil || f.Kind != ErrNotFound {
		t.Errorf("\"Page 13\" matched \"Page 12\": %v", f)
	}
	if got := resolveIndex(t, []Element{{Index: 5, Role: "button", Name: "Submitt order 2", Visible: true}}, label("Submit order 2")); got != 5 {
		t.Errorf("a typo with the same number should still match, got [%d]", got)
	}
}

func TestResolveBadTarget(t *testing.T) {
	if _, f := Resolve(nil, label("  ")); f == nil || f.Kind != ErrInvalid {
		t.Fatalf("blank label: %v", f)
	}
	if _, f := Resolve(nil, label("x")); f == nil || f.Kind != ErrNotFound || len(f.Candidates) != 0 {
		t.Fatalf("empty page: %v", f)
	}
}

// FuzzResolve checks Resolve never panics and that a resolved label
// names an uncovered element of the list.
func FuzzResolve(f *testing.F) {
	for _, s := range []string{"Save", "email", "  ", "Ünïcödé 東京", "a", "place   ORDER"} {
		f.Add(s)
	}
	elems := checkoutPage().obs.Elements
	elems = append(elems, Element{Index: 20, Role: "button", Name: "Ünïcödé", Covered: true}, Element{Index: 21, Role: "link", Name: ""})
	f.Fuzz(func(t *testing.T, label string) {
		el, fail := Resolve(elems, Target{Label: label})
		if fail != nil {
			if fail.Kind == "" || fail.Reason == "" {
				t.Fatalf("failure without kind or reason: %+v", fail)
			}
			return
		}
		if el.Covered {
			t.Fatalf("%q resolved to a covered element", label)
		}
	})
}
