package executor

import "testing"

func TestCollapse(t *testing.T) {
	for in, want := range map[string]string{
		"":                        "",
		"  Place\n\t order  ":     "Place order",
		"a  b\u00a0c":             "a b c",
		"\n\nHello,\n  world!\n ": "Hello, world!",
	} {
		if got := collapse(in); got != want {
			t.Errorf("collapse(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestClip(t *testing.T) {
	if s, cut := clip("héllo", 2); s != "h" || !cut {
		t.Errorf("clip inside a rune = %q, %v; want \"h\", true", s, cut)
	}
	if s, cut := clip("abc", 3); s != "abc" || cut {
		t.Errorf("clip at the length = %q, %v", s, cut)
	}
	if s, cut := clip("abc", -1); s != "" || !cut {
		t.Errorf("clip below zero = %q, %v", s, cut)
	}
}

func TestMatchOption(t *testing.T) {
	texts := []string{"Standard (3-5 days)", "Express", "Pick up"}
	values := []string{"std", "exp", "Express"}
	cases := []struct {
		want string
		i    int
	}{
		{"express", 1},             // text, any case
		{"  Pick   up ", 2},        // white space
		{"std", 0},                 // value
		{"Standard (3-5 days)", 0}, // full text
		{"overnight", -1},          // none
		{"Express", 1},             // text beats another option's value
	}
	for _, c := range cases {
		if got := matchOption(texts, values, c.want); got != c.i {
			t.Errorf("matchOption(%q) = %d, want %d", c.want, got, c.i)
		}
	}
}

func TestDestructiveName(t *testing.T) {
	for name, want := range map[string]bool{
		"Delete account": true, "Remove item": true, "Erase all data": true, "DISCARD draft": true,
		"Save profile": false, "Place order": false, "Undeleted items": false,
	} {
		if got := destructiveName(name); got != want {
			t.Errorf("destructiveName(%q) = %v, want %v", name, got, want)
		}
	}
}

func TestIsPaymentField(t *testing.T) {
	cases := []struct {
		ac, name, id string
		want         bool
	}{
		{"cc-number", "", "", true},
		{"billing cc-csc", "", "", true},
		{"", "card_number", "", true},
		{"", "", "cvv", true},
		{"", "cardholder", "", false},
		{"name", "name", "name", false},
		{"street-address", "street", "street", false},
	}
	for _, c := range cases {
		if got := isPaymentField(c.ac, c.name, c.id); got != c.want {
			t.Errorf("isPaymentField(%q, %q, %q) = %v, want %v", c.ac, c.name, c.id, got, c.want)
		}
	}
}
