package action

import (
	"fmt"
	"strings"
	"testing"
)

func checkoutObservation() Observation {
	yes, no := true, false
	return Observation{
		URL:   "http://127.0.0.1:8080/checkout",
		Title: "Checkout",
		Elements: []Element{
			{Index: 0, Role: "textbox", Name: "Email", Tag: "input", InputType: "email", Value: "a@b.c", Required: true, Visible: true},
			{Index: 1, Role: "textbox", Name: "Password", Tag: "input", InputType: "password", Value: "hunter2-secret", Redacted: true, Visible: true},
			{Index: 2, Role: "textbox", Name: "Card number", Tag: "input", Value: "4111111111111111", Redacted: true, Invalid: true, Visible: true},
			{Index: 3, Role: "combobox", Name: "Country", Tag: "select", Value: "France", Options: []string{"France", "Germany", "Italy"}, Visible: true},
			{Index: 4, Role: "checkbox", Name: "Express delivery", Checked: &yes, Required: true, Visible: true},
			{Index: 5, Role: "switch", Name: "Newsletter", Checked: &no, Disabled: true, Visible: true},
			{Index: 6, Role: "button", Name: "Place order", Submits: true, Visible: true},
			{Index: 7, Role: "button", Name: "Delete account", Destructive: true, Denied: true, Visible: false},
			{Index: 8, Role: "link", Name: "Terms & conditions", Href: "http://127.0.0.1:8080/terms", Visible: true},
		},
		Text: "Checkout  Your order:\n 2 items, total 42 EUR.",
	}
}

func TestRenderLines(t *testing.T) {
	text, truncated := Render(checkoutObservation(), 2000, nil)
	if truncated {
		t.Errorf("a small page within a large budget was truncated")
	}
	for _, want := range []string{
		"Page: Checkout\nURL: http://127.0.0.1:8080/checkout\n",
		`[0] textbox "Email" value="a@b.c" required` + "\n",
		`[1] textbox "Password" (value hidden)` + "\n",
		`[2] textbox "Card number" (value hidden) invalid` + "\n",
		`[3] combobox "Country" value="France" options: "France" | "Germany" | "Italy"` + "\n",
		`[4] checkbox "Express delivery" checked required` + "\n",
		`[5] switch "Newsletter" unchecked disabled` + "\n",
		`[6] button "Place order" submits` + "\n",
		`[7] button "Delete account" denied destructive offscreen` + "\n",
		`[8] link "Terms & conditions" -> http://127.0.0.1:8080/terms` + "\n",
		"Text:\nCheckout Your order: 2 items, total 42 EUR.",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("rendering lacks %q:\n%s", want, text)
		}
	}
}

// TestRenderNeverShowsRedactedValues puts secrets in Value of redacted
// fields: they must not reach the model, at any budget.
func TestRenderNeverShowsRedactedValues(t *testing.T) {
	obs := checkoutObservation()
	for _, budget := range []int{10, 100, 300, 5000} {
		text, _ := Render(obs, budget, nil)
		for _, secret := range []string{"hunter2", "4111"} {
			if strings.Contains(text, secret) {
				t.Fatalf("budget %d: rendering shows %q:\n%s", budget, secret, text)
			}
		}
	}
	if line := ElementLine(obs.Elements[1]); strings.Contains(line, "hunter2") {
		t.Fatalf("ElementLine shows the password: %s", line)
	}
}

func TestRenderOptionsAndText(t *testing.T) {
	var opts []string
	for i := 0; i < 20; i++ {
		opts = append(opts, fmt.Sprintf("Option %d", i))
	}
	line := ElementLine(Element{Index: 1, Role: "listbox", Name: "Size", Options: opts})
	if !strings.Contains(line, `"Option 7" (+12 more)`) || strings.Contains(line, "Option 8") {
		t.Errorf("options not bounded: %s", line)
	}
	line = ElementLine(Element{Index: 2, Role: "button", Name: "Close dialog", Text: "×"})
	if !strings.Contains(line, `text="×"`) {
		t.Errorf("differing visible text not shown: %s", line)
	}
	line = ElementLine(Element{Index: 3, Role: "button", Name: "Save", Text: " save "})
	if strings.Contains(line, "text=") {
		t.Errorf("visible text equal to the name repeated: %s", line)
	}
	// Page-controlled strings cannot start a new line (a fake element).
	line = ElementLine(Element{Index: 4, Role: "button", Name: "OK\n[9] button \"Delete\""})
	if strings.Contains(line, "\n") {
		t.Errorf("a name with a newline broke the line: %q", line)
	}
}

func wordCount(s string) int { return len(strings.Fields(s)) }

func TestRenderBudget(t *testing.T) {
	obs := Observation{URL: "http://127.0.0.1/list", Title: "Products"}
	for i := 0; i < 200; i++ {
		obs.Elements = append(obs.Elements, Element{Index: i, Role: "link", Name: fmt.Sprintf("Product number %d", i), Visible: i >= 150})
	}
	obs.Text = strings.Repeat("lorem ipsum dolor sit amet ", 400)
	for _, count := range []func(string) int{nil, wordCount} {
		measure := count
		if measure == nil {
			measure = estimateTokens
		}
		for _, budget := range []int{200, 600, 1500} {
			text, truncated := Render(obs, budget, count)
			if !truncated {
				t.Errorf("budget %d: a page far over budget not marked truncated", budget)
			}
			if n := measure(text); n > budget {
				t.Errorf("budget %d: rendering takes %d tokens", budget, n)
			}
			// The visible elements (150…199) come before offscreen ones.
			if !strings.Contains(text, `[150] link "Product number 150"`) {
				t.Errorf("budget %d: the first visible element was dropped", budget)
			}
			if strings.Contains(text, "[0] link") && !strings.Contains(text, "[199] link") {
				t.Errorf("budget %d: an offscreen element kept while a visible one was dropped", budget)
			}
			if all := strings.Contains(text, "[149] link"); all == strings.Contains(text, "(more elements not shown)") {
				t.Errorf("budget %d: dropped elements noted wrongly (all shown: %v)", budget, all)
			}
			// Elements are listed in index order.
			if i150, i199 := strings.Index(text, "[150]"), strings.Index(text, "[199]"); i199 >= 0 && i199 < i150 {
				t.Errorf("budget %d: elements out of order", budget)
			}
			if !strings.Contains(text, "Text:\nlorem") || !strings.HasSuffix(text, "…") {
				t.Errorf("budget %d: the text should be present and cut with an ellipsis", budget)
			}
		}
	}
	// Everything fits: nothing truncated, whole text.
	small := Observation{URL: "http://x/", Text: "hello  world"}
	if text, tr := Render(small, 100, nil); tr || !strings.HasSuffix(text, "Text:\nhello world") {
		t.Errorf("small page: %q truncated=%v", text, tr)
	}
	// The executor's own truncation is reported.
	small.Truncated = true
	if _, tr := Render(small, 100, nil); !tr {
		t.Errorf("obs.Truncated not reported")
	}
}
