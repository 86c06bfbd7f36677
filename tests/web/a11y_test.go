//go:build !js

package web

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/accessibility"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// axNode is a node of the page's accessibility tree, as a screen reader
// gets it.
type axNode struct {
	Role  string
	Name  string
	Value string
	Props map[string]string // aria states and properties: pressed, live, valuenow …
}

func (n axNode) String() string {
	return fmt.Sprintf("%s %q value=%q %v", n.Role, n.Name, n.Value, n.Props)
}

// axText is an AX value as text.
func axText(v *accessibility.Value) string {
	if v == nil || len(v.Value) == 0 {
		return ""
	}
	var x any
	if err := json.Unmarshal(v.Value, &x); err != nil {
		return string(v.Value)
	}
	return fmt.Sprint(x)
}

// axTree returns the page's accessibility tree, ignored nodes left out.
func axTree(p *page) []axNode {
	p.t.Helper()
	res, err := chromedp.Run(p.ctx, func(ctx context.Context, t *chromedp.Target) (*accessibility.GetFullAXTreeResult, error) {
		r, err := cdp.Call(ctx, t, accessibility.GetFullAXTree, accessibility.GetFullAXTreeParams{})
		return &r, err
	})
	if err != nil {
		p.fatalf("reading the accessibility tree: %v", err)
	}
	var out []axNode
	for _, n := range res.Nodes {
		if n.Ignored {
			continue
		}
		a := axNode{Role: axText(n.Role), Name: axText(n.Name), Value: axText(n.Value), Props: map[string]string{}}
		for _, prop := range n.Properties {
			a.Props[string(prop.Name)] = axText(prop.Value)
		}
		out = append(out, a)
	}
	return out
}

// axFind returns the nodes of role whose name contains name.
func axFind(tree []axNode, role, name string) []axNode {
	var out []axNode
	for _, n := range tree {
		if n.Role == role && strings.Contains(n.Name, name) {
			out = append(out, n)
		}
	}
	return out
}

// ariaState is what the page's aria attributes say.
type ariaState struct {
	Lang          string `json:"lang"`
	LogRole       string `json:"logRole"`
	LogLive       string `json:"logLive"`
	LogBusy       string `json:"logBusy"`
	Announcer     string `json:"announcer"`
	AnnouncerRole string `json:"announcerRole"`
	AnnouncerLive string `json:"announcerLive"`
	BarRole       string `json:"barRole"`
	BarNow        string `json:"barNow"`
	ToggleLabel   string `json:"toggleLabel"`
	TogglePressed string `json:"togglePressed"`
}

const ariaStateJS = `(() => {
  const q = (s) => document.querySelector(s);
  const a = (s, name) => q(s)?.getAttribute(name) ?? '';
  return {
    lang: document.documentElement.lang,
    logRole: a('#messages', 'role'), logLive: a('#messages', 'aria-live'), logBusy: a('#messages', 'aria-busy'),
    announcer: q('#announcer')?.textContent ?? '',
    announcerRole: a('#announcer', 'role'), announcerLive: a('#announcer', 'aria-live'),
    barRole: a('#load-progress', 'role'), barNow: a('#load-progress', 'aria-valuenow'),
    toggleLabel: a('#theme-toggle', 'aria-label'), togglePressed: a('#theme-toggle', 'aria-pressed'),
  };
})()`

// The page as a screen reader meets it: every button, field and link has
// a name; the message list is a log; a polite live region announces the
// model's status and the end of each answer (and the list is busy while
// an answer streams, so that it is read once whole); the load's progress
// bar is a progressbar with its value; the theme toggle is a toggle
// button that says whether it is pressed.
func TestAccessibilityAttributes(t *testing.T) {
	s := newSite(t, testModels(t))
	p := newPage(t, 3*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?model=/models/synth.gguf"))

	// While the model downloads: the bar is a progressbar with a value.
	var bar []axNode
	deadline := time.Now().Add(time.Minute)
	for {
		st := eval[ariaState](p, ariaStateJS)
		if st.BarNow != "" {
			if st.BarRole != "progressbar" {
				p.fatalf("the progress bar has role %q", st.BarRole)
			}
			if !strings.HasPrefix(st.Announcer, "Loading the model synth.gguf") {
				p.fatalf("during the load the live region says %q", st.Announcer)
			}
			bar = axFind(axTree(p), "progressbar", "")
			// Chromium gives the current value as the node's value.
			if len(bar) == 1 && bar[0].Value != "" {
				break
			}
		}
		if eval[loadState](p, loadStateJS).Ready || time.Now().After(deadline) {
			p.fatalf("no progress bar with a value seen during the load: %+v", st)
		}
		p.sleep(10 * time.Millisecond)
	}
	t.Logf("the progress bar as a screen reader gets it: %v", bar[0])
	waitModelReady(p)

	st := eval[ariaState](p, ariaStateJS)
	t.Logf("ready: %+v", st)
	switch {
	case st.Lang != "en":
		p.fatalf("the page's language is %q", st.Lang)
	case st.LogRole != "log" || st.LogLive != "polite" || st.LogBusy != "false":
		p.fatalf("the message list is role=%q aria-live=%q aria-busy=%q; want log, polite, false", st.LogRole, st.LogLive, st.LogBusy)
	case st.AnnouncerRole != "status" || st.AnnouncerLive != "polite":
		p.fatalf("the live region is role=%q aria-live=%q", st.AnnouncerRole, st.AnnouncerLive)
	case st.Announcer != "synth.gguf is ready.":
		p.fatalf("with the model loaded the live region says %q", st.Announcer)
	case st.ToggleLabel != "Dark theme" || (st.TogglePressed != "true" && st.TogglePressed != "false"):
		p.fatalf("the theme toggle is aria-label=%q aria-pressed=%q", st.ToggleLabel, st.TogglePressed)
	}

	// Names for everything a screen reader can act on.
	tree := axTree(p)
	for _, n := range tree {
		switch n.Role {
		case "button", "link", "textbox", "checkbox", "combobox", "slider", "spinbutton", "searchbox":
			if strings.TrimSpace(n.Name) == "" {
				p.fatalf("a %s without a name: %v", n.Role, n)
			}
		}
	}
	for _, want := range []struct{ role, name string }{
		{"textbox", "Message"}, {"textbox", "GGUF file address"}, {"button", "Dark theme"},
		{"button", "Send"}, {"button", "Stop"}, {"log", ""}, {"status", ""}, {"banner", ""}, {"main", ""},
	} {
		if len(axFind(tree, want.role, want.name)) == 0 {
			p.fatalf("the accessibility tree has no %s named %q", want.role, want.name)
		}
	}
	if toggle := axFind(tree, "button", "Dark theme"); toggle[0].Props["pressed"] == "" {
		p.fatalf("the theme toggle is not exposed as a toggle: %v", toggle[0])
	}

	// An answer: busy and "writing" while it streams, then announced.
	sendMessage(p, "Hello")
	waitAnswerStreaming(p)
	if st := eval[ariaState](p, ariaStateJS); st.LogBusy != "true" || st.Announcer != "Writing an answer." {
		p.fatalf("while the answer streams: aria-busy=%q, the live region says %q", st.LogBusy, st.Announcer)
	}
	pressKey(p, kb.Escape)
	a := waitAnswerEnd(p)
	st = eval[ariaState](p, ariaStateJS)
	if st.LogBusy != "false" || st.Announcer != "The answer is complete: "+a.Stats+"." {
		p.fatalf("after the answer: aria-busy=%q, the live region says %q; want it to announce %q", st.LogBusy, st.Announcer, a.Stats)
	}
	p.noExceptions()
}
