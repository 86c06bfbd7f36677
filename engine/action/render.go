package action

import (
	"fmt"
	"sort"
	"strings"
)

// DefaultBudgetTokens is the observation budget when none is given.
const DefaultBudgetTokens = 1500

// maxOptionsShown bounds the options listed for one select.
const maxOptionsShown = 8

// elementShare is the part of the budget elements may take when the
// page's text would otherwise get nothing.
const elementShare = 0.8

// Render writes the observation as the compact text the model reads:
// a header (title, URL, open dialog), one line per element, e.g.
//
//	[7] checkbox "Express delivery" checked required
//	[3] textbox "Card number" (value hidden)
//
// and then the page's visible text. It stays within budgetTokens as
// measured by count (nil: about four bytes a token): elements come first,
// those in view before those scrolled away, up to most of the budget; the
// text gets the rest and is cut at a word. truncated reports whether
// anything was left out (or obs was already truncated). The value of a
// Redacted element is never written, whatever Value holds.
func Render(obs Observation, budgetTokens int, count func(string) int) (text string, truncated bool) {
	if count == nil {
		count = estimateTokens
	}
	if budgetTokens <= 0 {
		budgetTokens = DefaultBudgetTokens
	}
	header := renderHeader(obs)
	used := count(header)

	lines := make([]string, len(obs.Elements))
	order := make([]int, len(obs.Elements))
	for i, el := range obs.Elements {
		lines[i] = ElementLine(el) + "\n"
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool {
		return obs.Elements[order[a]].Visible && !obs.Elements[order[b]].Visible
	})
	const omittedNote = "(more elements not shown)\n"
	elementBudget := int(float64(budgetTokens)*elementShare) - used - count(omittedNote)
	keep := make([]bool, len(lines))
	spent, dropped := 0, 0
	for _, i := range order {
		c := count(lines[i])
		if spent+c > elementBudget {
			dropped++
			continue
		}
		keep[i] = true
		spent += c
	}
	var b strings.Builder
	b.WriteString(header)
	b.WriteString("Elements:\n")
	for i, line := range lines {
		if keep[i] {
			b.WriteString(line)
		}
	}
	if len(lines) == 0 {
		b.WriteString("(none)\n")
	}
	if dropped > 0 {
		b.WriteString(omittedNote)
	}
	b.WriteString("Text:\n")
	head := b.String()
	body, cut := fitText(obs.Text, budgetTokens-count(head), count)
	return head + body, obs.Truncated || dropped > 0 || cut
}

// renderHeader writes the page's title, URL and open dialog.
func renderHeader(obs Observation) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Page: %s\nURL: %s\n", oneLine(obs.Title, 120), oneLine(obs.URL, MaxURLLen))
	if obs.Dialog != "" {
		fmt.Fprintf(&b, "Dialog open: %s (only its elements are listed)\n", show(oneLine(obs.Dialog, 80)))
	}
	return b.String()
}

// ElementLine is one element as the model sees it:
// [index] role "name" then its value and states.
func ElementLine(el Element) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%d] %s %s", el.Index, oneLine(el.Role, 20), show(oneLine(el.Name, MaxLabelLen)))
	if t := oneLine(el.Text, MaxLabelLen); t != "" && normalize(t) != normalize(el.Name) {
		fmt.Fprintf(&b, " text=%s", show(t))
	}
	switch {
	case el.Redacted:
		b.WriteString(" (value hidden)")
	case el.Value != "":
		fmt.Fprintf(&b, " value=%s", show(oneLine(el.Value, 100)))
	case el.Placeholder != "":
		fmt.Fprintf(&b, " placeholder=%s", show(oneLine(el.Placeholder, 60)))
	}
	flag := func(on bool, word string) {
		if on {
			b.WriteString(" " + word)
		}
	}
	state := func(p *bool, yes, no string) {
		if p != nil {
			flag(*p, yes)
			flag(!*p, no)
		}
	}
	state(el.Checked, "checked", "unchecked")
	state(el.Selected, "selected", "")
	state(el.Expanded, "expanded", "collapsed")
	flag(el.Required, "required")
	flag(el.Invalid, "invalid")
	flag(el.Disabled, "disabled")
	flag(el.Denied, "denied")
	flag(el.Destructive, "destructive")
	flag(el.Submits && !isTextField(el), "submits")
	flag(el.Covered, "covered")
	flag(!el.Visible && !el.Covered, "offscreen")
	if el.Href != "" {
		fmt.Fprintf(&b, " -> %s", oneLine(el.Href, 100))
	}
	if len(el.Options) > 0 {
		shown := el.Options
		if len(shown) > maxOptionsShown {
			shown = shown[:maxOptionsShown]
		}
		qs := make([]string, len(shown))
		for i, o := range shown {
			qs[i] = show(oneLine(o, 40))
		}
		fmt.Fprintf(&b, " options: %s", strings.Join(qs, " | "))
		if more := len(el.Options) - len(shown); more > 0 {
			fmt.Fprintf(&b, " (+%d more)", more)
		}
	}
	return strings.TrimSuffix(b.String(), " ")
}

// fitText cuts text (at a word) to at most budget tokens.
func fitText(text string, budget int, count func(string) int) (string, bool) {
	text = strings.Join(strings.Fields(text), " ")
	if text == "" {
		return "", false
	}
	if count(text) <= budget {
		return text, false
	}
	const more = " …"
	words := strings.Fields(text)
	lo, hi := 0, len(words) // the longest prefix of lo words that fits
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if count(strings.Join(words[:mid], " ")+more) <= budget {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	if lo == 0 {
		return "", true
	}
	return strings.Join(words[:lo], " ") + more, true
}

// oneLine collapses whitespace (so page text cannot start a fake line)
// and cuts s to n characters.
func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > n {
		s = string(r[:n-1]) + "…"
	}
	return s
}

// estimateTokens guesses a token count: about four bytes a token.
func estimateTokens(s string) int {
	return (len(s) + 3) / 4
}
