//go:build !js

package web

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// focusState describes the element that has the focus.
type focusState struct {
	Name    string  `json:"name"`    // #id, or tag.class
	Outline string  `json:"outline"` // its computed outline style
	Width   float64 `json:"width"`   // and width, in px
}

const focusStateJS = `(() => {
  const e = document.activeElement;
  if (!e || e === document.body) return { name: 'body', outline: 'none', width: 0 };
  const s = getComputedStyle(e);
  const name = e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.className ? '.' + String(e.className).split(' ')[0] : '');
  return { name, outline: s.outlineStyle, width: parseFloat(s.outlineWidth) || 0 };
})()`

// The app by keyboard alone: Tab walks from the top of the page through
// the header's theme toggle and the model's address and Load button to the
// message box, each stop with a visible focus ring; typed text and Enter
// send a message; Escape stops the answer being written. The skip link,
// the first stop, jumps straight to the message box.
func TestKeyboardOnly(t *testing.T) {
	s := newSite(t, testModels(t))
	p := newPage(t, 3*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?model=/models/synth.gguf"))
	waitModelReady(p)

	// Tab from the top to the message box.
	var stops []string
	for len(stops) < 40 {
		pressKey(p, kb.Tab)
		f := eval[focusState](p, focusStateJS)
		if f.Name == "body" {
			p.fatalf("Tab left the page after %v", stops)
		}
		if f.Outline == "none" || f.Width < 2 {
			p.fatalf("the focus on %s shows no ring (outline %s, %vpx); stops so far %v", f.Name, f.Outline, f.Width, stops)
		}
		stops = append(stops, f.Name)
		if f.Name == "#chat-input" {
			break
		}
	}
	t.Logf("Tab stops: %v", stops)
	if stops[len(stops)-1] != "#chat-input" {
		p.fatalf("40 Tabs did not reach the message box: %v", stops)
	}
	order := []string{"a.skip-link", "#theme-toggle", "#model-url", "#model-load", "#chat-input"}
	at := -1
	for _, want := range order {
		i := slices.Index(stops, want)
		if i <= at {
			p.fatalf("Tab stops %v: want %v in this order", stops, order)
		}
		at = i
	}

	// Type, Enter sends; Escape stops.
	const message = "Hello from the keyboard"
	p.do("typing", chromedp.KeyEvent(message))
	if v := eval[string](p, `document.querySelector('#chat-input').value`); v != message {
		p.fatalf("the message box holds %q after typing %q", v, message)
	}
	pressKey(p, kb.Enter)
	waitAnswerStreaming(p)
	if got := eval[[]string](p, `[...document.querySelectorAll('#messages .message-user .message-text')].map((e) => e.textContent)`); !slices.Equal(got, []string{message}) {
		p.fatalf("after Enter the user's messages are %q", got)
	}
	pressKey(p, kb.Escape)
	a := waitAnswerEnd(p)
	if a.Error != "" || !strings.HasSuffix(a.Stats, " · stopped") || a.StopActive {
		p.fatalf("after Escape the answer is %+v; want it stopped", a)
	}
	if f := eval[focusState](p, focusStateJS); f.Name != "#chat-input" {
		p.fatalf("after sending and stopping the focus is on %s; want it to stay in the message box", f.Name)
	}

	// The skip link: the first stop, and Enter on it lands in the message box.
	p.do("reloading", chromedp.Reload())
	waitModelReady(p)
	pressKey(p, kb.Tab)
	if f := eval[focusState](p, focusStateJS); f.Name != "a.skip-link" {
		p.fatalf("the first Tab stop is %s; want the skip link", f.Name)
	}
	if visible := eval[bool](p, `document.activeElement.getBoundingClientRect().top >= 0`); !visible {
		p.fatalf("the focused skip link is off screen")
	}
	pressKey(p, kb.Enter)
	waitFor(p, "Enter on the skip link focuses the message box", `document.activeElement?.id === 'chat-input'`, 5*time.Second)
	p.noExceptions()
}
