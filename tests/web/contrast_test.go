//go:build !js

package web

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// contrastJS measures the contrast of every visible piece of text on the
// page against what is behind it (the backgrounds of its ancestors,
// composited), with WCAG 2's formula, and of the edges of the fields
// against their surroundings. It returns what falls short of AA: 4.5:1 for
// text, 3:1 for large text (24 px, or 18.66 px bold) and for a field's
// edge (WCAG 1.4.11). Disabled controls are exempt, as WCAG says.
const contrastJS = `(() => {
  const parse = (c) => {
    const m = /^rgba?\(([^)]*)\)$/.exec(c.trim());
    if (!m) return null;
    const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
  };
  const over = (top, under) => {
    const a = top[3];
    return [0, 1, 2].map((i) => top[i] * a + under[i] * (1 - a)).concat(1);
  };
  const lum = (c) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
  };
  const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
  // The colour behind el: its own background and its ancestors', composited.
  const behind = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const c = parse(getComputedStyle(e).backgroundColor);
      if (c && c[3] > 0) layers.push(c);
      if (c && c[3] === 1) break;
    }
    let bg = [255, 255, 255, 1];
    for (const l of layers.reverse()) bg = over(l, bg);
    return bg;
  };
  const name = (e) => e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.classList.length ? '.' + e.classList[0] : '');
  const visible = (e) => {
    const r = e.getBoundingClientRect();
    const s = getComputedStyle(e);
    return r.width > 2 && r.height > 2 && s.visibility === 'visible' && s.display !== 'none' && Number(s.opacity) > 0.1;
  };
  const fails = [];
  let checked = 0;
  const check = (what, e, fg, need) => {
    const f = parse(fg);
    if (!f) { fails.push({ what, fg, bg: '?', ratio: 0, need }); return; }
    const bg = behind(e);
    const r = ratio(over(f, bg), bg);
    checked++;
    if (r < need) fails.push({ what, fg, bg: 'rgb(' + bg.slice(0, 3).map(Math.round).join(', ') + ')', ratio: Math.round(r * 100) / 100, need });
  };
  for (const e of document.querySelectorAll('body *')) {
    if (!visible(e) || e.closest('[disabled], [aria-disabled="true"]') || e.closest('svg')) continue;
    const s = getComputedStyle(e);
    const size = parseFloat(s.fontSize), bold = Number(s.fontWeight) >= 700;
    const need = size >= 24 || (size >= 18.66 && bold) ? 3 : 4.5;
    const text = [...e.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim() !== '');
    if (text) check(name(e) + ' "' + e.textContent.trim().slice(0, 30) + '"', e, s.color, need);
    if (e.matches('input:not([type=checkbox]):not([type=radio]):not([type=range]), textarea, select')) {
      if (e.value) check(name(e) + ' text', e, s.color, need);
      else if (e.placeholder) check(name(e) + ' placeholder', e, getComputedStyle(e, '::placeholder').color, need);
      check(name(e) + ' edge', e.parentElement, s.borderTopColor, 3);
    }
  }
  return { checked, fails };
})()`

// contrastReport is contrastJS's answer.
type contrastReport struct {
	Checked int `json:"checked"`
	Fails   []struct {
		What  string  `json:"what"`
		FG    string  `json:"fg"`
		BG    string  `json:"bg"`
		Ratio float64 `json:"ratio"`
		Need  float64 `json:"need"`
	} `json:"fails"`
}

// checkContrast runs contrastJS in both themes and fails the test on any
// shortfall.
func checkContrast(p *page, state string) {
	p.t.Helper()
	for _, theme := range []string{"light", "dark"} {
		eval[string](p, `hearthTheme.set('`+theme+`')`)
		p.sleep(100 * time.Millisecond) // the toggle's redraw
		r := eval[contrastReport](p, contrastJS)
		if r.Checked < 10 {
			p.fatalf("%s, %s theme: only %d things checked; is the page there?", state, theme, r.Checked)
		}
		var lines []string
		for _, f := range r.Fails {
			lines = append(lines, fmt.Sprintf("%s: %s on %s = %.2f:1, want %.1f:1", f.What, f.FG, f.BG, f.Ratio, f.Need))
		}
		if len(lines) > 0 {
			p.fatalf("%s, %s theme: contrast below WCAG AA:\n  %s", state, theme, strings.Join(lines, "\n  "))
		}
		p.t.Logf("%s, %s theme: %d texts and edges meet WCAG AA", state, theme, r.Checked)
	}
}

// Text and field edges meet WCAG AA contrast in both themes: on the page
// with a failed load (its error shown), and with a model loaded and a
// conversation (the user's message, an answer, its figures).
func TestContrastMeetsWCAGAA(t *testing.T) {
	s := newSite(t, testModels(t))
	p := newPage(t, 3*time.Minute)
	p.do("opening the page with a missing model", chromedp.Navigate(s.URL+"/?test=1&model=/models/missing.gguf"))
	if st := waitLoadEnd(p); st.Error == "" {
		p.fatalf("loading a missing model: %+v; want an error", st)
	}
	checkContrast(p, "a failed load")

	p.do("loading the model", chromedp.Navigate(s.URL+"/?test=1&model=/models/synth.gguf"))
	waitModelReady(p)
	sendMessage(p, "Hello, what can you do?")
	waitAnswerStreaming(p)
	p.do("pressing Stop", chromedp.Click("#chat-stop"))
	waitAnswerEnd(p)
	eval[any](p, "hearthTest.showMessage('assistant', 'Some *emphasis*, a [link](https://example.org) and code:\\n\\n```go\\nfmt.Println(1)\\n```\\n\\n> a quote') ?? null")
	p.sleep(300 * time.Millisecond)
	checkContrast(p, "a conversation")
	p.noExceptions()
}
