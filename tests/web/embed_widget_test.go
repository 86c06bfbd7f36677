//go:build !js

package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// hostileCSS is a host page's CSS that would wreck a widget living in the
// page's own DOM.
const hostileCSS = `button { color: rgb(255, 0, 0) !important; background: rgb(0, 0, 255) !important; }
* { font-size: 40px; font-family: serif; }
.launcher, .panel { position: static; border: 9px solid rgb(0, 255, 0); }`

// hostBody has elements named as the widget's own are, so that a widget
// style escaping its shadow root would show on them.
const hostBody = `<h1>A shop</h1><button id="page-button" class="launcher">Buy</button>
<div id="page-panel" class="panel">Panel of the page</div>
<p id="page-text" class="status">Some text</p>`

// The widget lives in a shadow root on a page of another origin: the
// page's CSS does not reach its buttons, and its CSS does not reach the
// page; it opens and closes from the keyboard, is labelled, and fits a
// phone's width.
func TestEmbedWidgetIsolatedInShadowRoot(t *testing.T) {
	hearth := newHearthServer(t, nil)
	host := newHostPage(t, hostHTML(hostileCSS, hostBody, scriptTag(hearth.URL, map[string]string{"title": "Shop helper", "theme": "light"})))
	if hearth.URL == host.URL || !strings.HasPrefix(host.URL, "http://127.0.0.1:") || !strings.HasPrefix(hearth.URL, "http://127.0.0.1:") {
		t.Fatalf("want two origins on 127.0.0.1, have %s and %s", hearth.URL, host.URL)
	}
	p := openEmbed(t, host.URL+"/")

	// In a shadow root, styled (the stylesheet came from the other origin).
	waitFor(p, "the widget's stylesheet", shadowJS+`?.querySelector('.root')?.dataset.styled === 'true'`, 20*time.Second)
	type styles struct {
		Color, Background, FontSize, FontFamily, Position, Border string
	}
	get := func(expr string) styles {
		return eval[styles](p, `(() => { const s = getComputedStyle(`+expr+`);
		  return { Color: s.color, Background: s.backgroundColor, FontSize: s.fontSize, FontFamily: s.fontFamily, Position: s.position, Border: s.borderTopWidth }; })()`)
	}
	launcher := get(shadowJS + `.querySelector('.launcher')`)
	if launcher.Color == "rgb(255, 0, 0)" || launcher.Background == "rgb(0, 0, 255)" || launcher.FontSize != "14px" ||
		launcher.FontFamily == "serif" || launcher.Position != "fixed" || launcher.Border == "9px" {
		p.fatalf("the page's CSS reached the widget's launcher: %+v", launcher)
	}
	// The widget's light theme: white text on the accent colour.
	if launcher.Color != "rgb(255, 255, 255)" || launcher.Background != "rgb(179, 65, 26)" {
		p.fatalf("the launcher does not wear the widget's light theme: %+v", launcher)
	}
	// The host element itself takes no inherited page style inwards.
	if fs := eval[string](p, `getComputedStyle(document.querySelector('hearth-widget')).fontSize`); fs == "40px" {
		p.fatalf("the page's * { font-size } applies to the widget's host element")
	}
	// And the page keeps its own look: nothing of widget.css applies.
	pageButton := get(`document.getElementById('page-button')`)
	if pageButton.Color != "rgb(255, 0, 0)" || pageButton.FontSize != "40px" || pageButton.Position != "static" || pageButton.Border != "9px" {
		p.fatalf("the widget's CSS (or something) changed the page's button: %+v", pageButton)
	}
	pagePanel := get(`document.getElementById('page-panel')`)
	if pagePanel.Position != "static" || pagePanel.FontSize != "40px" {
		p.fatalf("the widget's .panel style reached the page: %+v", pagePanel)
	}
	if n := eval[int](p, `document.querySelectorAll('link[rel=stylesheet], style').length`); n != 1 {
		p.fatalf("the page's head has %d style elements, want its own one: the widget must not add any", n)
	}

	// Labelled for screen readers.
	labels := inWidget[map[string]string](p, `return {
	  launcher: q('.launcher').getAttribute('aria-label'), expanded: q('.launcher').getAttribute('aria-expanded'),
	  controls: q('.launcher').getAttribute('aria-controls'), panel: q('.panel').id,
	  role: q('.panel').getAttribute('role'), title: sr.getElementById(q('.panel').getAttribute('aria-labelledby'))?.textContent ?? '',
	  tabs: [...sr.querySelectorAll('[role=tab]')].filter((t) => !t.hidden).map((t) => t.textContent).join('|'),
	  input: sr.querySelector('label[for="' + q('.chat-input').id + '"]')?.textContent ?? '',
	  goal: sr.querySelector('label[for="' + q('.goal').id + '"]')?.textContent ?? '',
	};`)
	want := map[string]string{
		"launcher": "Open Shop helper", "expanded": "false", "controls": labels["panel"], "role": "dialog",
		"title": "Shop helper", "tabs": "Chat|Act on this page", "input": "Message", "goal": "What should Hearth do on this page?",
	}
	for k, v := range want {
		if labels[k] != v {
			p.fatalf("widget label %s = %q, want %q (all: %v)", k, labels[k], v, labels)
		}
	}

	// Keyboard: focus the launcher, Enter opens the panel and focuses the
	// message field; arrow keys move between tabs; Escape closes and
	// gives the focus back to the launcher.
	p.do("focusing the launcher", chromedp.Focus(widgetPath(".launcher")))
	p.do("pressing Enter", chromedp.KeyEvent(kb.Enter))
	st := waitWidget(p, "the panel to open", 5*time.Second, func(st widgetState) bool { return st.Open })
	if st.Status != "No model is loaded." {
		p.fatalf("without data-model the widget says %q", st.Status)
	}
	focused := func() string {
		return eval[string](p, `(() => { const a = `+shadowJS+`.activeElement; return a ? (a.className || a.tagName) : ''; })()`)
	}
	if f := focused(); f != "chat-input" {
		p.fatalf("after opening, the focus is on %q, want the message field", f)
	}
	if got := inWidget[string](p, `return q('.launcher').getAttribute('aria-expanded')`); got != "true" {
		p.fatalf("the open launcher has aria-expanded=%q", got)
	}
	if !inWidget[bool](p, `return !q('.picker').hidden`) {
		p.fatalf("without data-model the widget offers no file to load")
	}
	p.do("focusing the Chat tab", chromedp.Focus(widgetPath("[role=tab]")))
	p.do("pressing the right arrow", chromedp.KeyEvent(kb.ArrowRight))
	if !inWidget[bool](p, `return q('.pane-act').hidden === false && q('.pane-chat').hidden && sr.activeElement?.textContent === 'Act on this page'`) {
		p.fatalf("ArrowRight on the tabs did not select and focus the act tab")
	}
	p.do("pressing Escape", chromedp.KeyEvent(kb.Escape))
	waitWidget(p, "the panel to close", 5*time.Second, func(st widgetState) bool { return !st.Open })
	if f := focused(); f != "launcher" {
		p.fatalf("after Escape, the focus is on %q, want the launcher", f)
	}

	// Phone width: the open panel fits the screen.
	p.do("narrowing the window", chromedp.EmulateViewport(360, 640))
	clickInWidget(p, "opening the panel", ".launcher")
	waitWidget(p, "the panel to open", 5*time.Second, func(st widgetState) bool { return st.Open })
	clickInWidget(p, "choosing the Chat tab", "[role=tab]")
	fit := eval[string](p, `(() => {
	  const sr = `+shadowJS+`;
	  const out = [];
	  for (const s of ['.panel', '.launcher', '.chat-input', '.send', '.chat-stop', '.clear']) {
	    const r = sr.querySelector(s).getBoundingClientRect();
	    if (r.left < 0 || r.top < 0 || r.right > innerWidth || r.bottom > innerHeight || r.width === 0) out.push(s + ' ' + JSON.stringify(r));
	  }
	  return out.join('; ');
	})()`)
	if fit != "" {
		p.fatalf("at 360×640 parts of the widget leave the screen: %s", fit)
	}
	shootPage(p, "embed-phone")
	p.noExceptions()
}

// data-theme="dark" darkens the panel; data-position="bottom-left" puts
// the launcher on the left; data-widget="off" leaves only the API.
func TestEmbedOptionsThemePositionNoWidget(t *testing.T) {
	hearth := newHearthServer(t, nil)
	host := newHostPage(t, hostHTML("", "<p>page</p>", scriptTag(hearth.URL, map[string]string{"theme": "dark", "position": "bottom-left", "open": "true"})))
	p := openEmbed(t, host.URL+"/")
	waitFor(p, "the widget's stylesheet", shadowJS+`?.querySelector('.root')?.dataset.styled === 'true'`, 20*time.Second)
	waitWidget(p, "data-open to open the panel", 5*time.Second, func(st widgetState) bool { return st.Open })
	got := inWidget[map[string]any](p, `const panel = getComputedStyle(q('.panel')); const l = q('.launcher').getBoundingClientRect();
	  return { bg: panel.backgroundColor, left: l.left, right: innerWidth - l.right };`)
	if got["bg"] != "rgb(29, 29, 34)" {
		p.fatalf("data-theme=dark: the panel's background is %v", got["bg"])
	}
	if got["left"].(float64) > 40 || got["right"].(float64) < 200 {
		p.fatalf("data-position=bottom-left: the launcher is at %v", got)
	}
	shootPage(p, "embed-dark")
	if active := eval[string](p, `document.activeElement.tagName`); active != "BODY" {
		p.fatalf("data-open moved the page's focus to %s", active)
	}

	// data-theme="auto" (the default) follows the system's scheme.
	auto := newHostPage(t, hostHTML("", "<p>page</p>", scriptTag(hearth.URL, map[string]string{"open": ""})))
	p3 := openEmbed(t, auto.URL+"/")
	waitFor(p3, "the widget's stylesheet", shadowJS+`?.querySelector('.root')?.dataset.styled === 'true'`, 20*time.Second)
	for scheme, want := range map[string]string{"dark": "rgb(29, 29, 34)", "light": "rgb(255, 255, 255)"} {
		p3.do("emulating a "+scheme+" system", emulateColorScheme(scheme))
		if bg := eval[string](p3, `getComputedStyle(`+shadowJS+`.querySelector('.panel')).backgroundColor`); bg != want {
			p3.fatalf("data-theme=auto in a %s system: the panel's background is %s, want %s", scheme, bg, want)
		}
	}
	p3.noExceptions()

	noUI := newHostPage(t, hostHTML("", "<p>page</p>", scriptTag(hearth.URL, map[string]string{"widget": "off"})))
	p2 := openEmbed(t, noUI.URL+"/")
	if eval[bool](p2, `!!document.querySelector('hearth-widget')`) {
		p2.fatalf("data-widget=off still shows the widget")
	}
	for _, fn := range []string{"load", "chat", "act", "observe", "execute", "stop", "on"} {
		if !eval[bool](p2, `typeof Hearth.`+fn+` === 'function'`) {
			p2.fatalf("data-widget=off: Hearth.%s is not a function", fn)
		}
	}
	// Without a model, chat fails with an error that says what to do.
	msg := eval[string](p2, `Hearth.chat('hi').then(() => 'answered', (e) => e.message)`)
	if !strings.Contains(msg, "no model is loaded") || !strings.Contains(msg, "data-model") {
		p2.fatalf("Hearth.chat without a model: %q", msg)
	}
	if errs := eval[[]string](p2, `hearthSeen.error`); len(errs) != 1 || errs[0] != msg {
		p2.fatalf("the error event carried %q, want the rejection's %q", errs, msg)
	}
	p.noExceptions()
	p2.noExceptions()
}
