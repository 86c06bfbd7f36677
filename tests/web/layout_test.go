//go:build !js

package web

import (
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// layoutState is how the page fits its viewport.
type layoutState struct {
	Width       float64  `json:"width"`       // innerWidth
	ScrollWidth float64  `json:"scrollWidth"` // document.documentElement.scrollWidth
	Overflow    []string `json:"overflow"`    // elements reaching past the right edge
	Small       []string `json:"small"`       // controls smaller than 24×24 px (WCAG 2.5.8)
	Columns     int      `json:"columns"`     // the panes' grid columns
}

const layoutStateJS = `(() => {
  const w = innerWidth;
  const name = (e) => e.id ? '#' + e.id : e.tagName.toLowerCase() + (e.classList.length ? '.' + e.classList[0] : '');
  const overflow = [], small = [];
  for (const e of document.querySelectorAll('body *')) {
    const r = e.getBoundingClientRect();
    if (r.width === 0 || r.height === 0 || getComputedStyle(e).position === 'fixed') continue;
    if (r.right > w + 0.5 && !e.closest('.skip-link')) overflow.push(name(e) + ' right=' + Math.round(r.right));
    // Exempt: links inside text (WCAG's inline exception), the skip
    // link, and controls hidden from sight (a file input behind its button).
    const exempt = e.matches('.skip-link, .visually-hidden') || (e.matches('a') && getComputedStyle(e).display === 'inline');
    if (e.matches('button, input, textarea, select, a[href]') && !exempt && (r.width < 24 || r.height < 24)) {
      small.push(name(e) + ' ' + Math.round(r.width) + 'x' + Math.round(r.height));
    }
  }
  const panes = document.querySelector('.hearth-panes');
  return {
    width: w, scrollWidth: document.documentElement.scrollWidth, overflow: overflow.slice(0, 20), small,
    columns: panes ? getComputedStyle(panes).gridTemplateColumns.split(' ').length : 0,
  };
})()`

// The layout works from a phone (360×740, dark theme) to a desktop
// (1280×800, light theme): with a model loaded and an answer on the page,
// nothing reaches past the right edge (no horizontal scroll), controls are
// at least 24 px square, the panes stack on the phone and sit side by side
// on the desktop. Screenshots of both go to /tmp/hearth-shots.
func TestLayoutFromPhoneToDesktop(t *testing.T) {
	s := newSite(t, testModels(t))
	p := newPage(t, 3*time.Minute)
	for _, v := range []struct {
		name          string
		width, height int64
		scale         float64
		scheme        string
		columns       int
	}{
		{"phone-dark", 360, 740, 2, "dark", 1},
		{"desktop-light", 1280, 800, 1, "light", 2},
	} {
		p.do("emulating a "+v.name+" screen",
			chromedp.EmulateViewport(v.width, v.height, chromedp.EmulateScale(v.scale)),
			emulateColorScheme(v.scheme),
			chromedp.Navigate(s.URL+"/?model=/models/synth.gguf"),
		)
		waitModelReady(p)
		sendMessage(p, "Hello! Can you tell me a story about a fire that kept a village warm?")
		waitAnswerStreaming(p)
		p.sleep(500 * time.Millisecond) // a few lines of answer
		p.do("pressing Stop", chromedp.Click("#chat-stop"))
		waitAnswerEnd(p)
		if theme := eval[string](p, `document.documentElement.dataset.theme`); theme != v.scheme {
			p.fatalf("%s: the page shows the %s theme; want the system's, %s", v.name, theme, v.scheme)
		}
		l := eval[layoutState](p, layoutStateJS)
		t.Logf("%s: %+v", v.name, l)
		switch {
		case l.Width != float64(v.width):
			p.fatalf("%s: the viewport is %v px wide; want %d", v.name, l.Width, v.width)
		case l.ScrollWidth > l.Width || len(l.Overflow) > 0:
			p.fatalf("%s: the page scrolls sideways: scrollWidth %v > %v; past the edge: %s", v.name, l.ScrollWidth, l.Width, strings.Join(l.Overflow, ", "))
		case len(l.Small) > 0:
			p.fatalf("%s: controls smaller than 24×24 px: %s", v.name, strings.Join(l.Small, ", "))
		case l.Columns != v.columns:
			p.fatalf("%s: the panes are in %d columns; want %d", v.name, l.Columns, v.columns)
		}
		saveShot(p, v.name)
	}
	p.noExceptions()
}

// The app's error state on a phone: a failed load shows its error without
// pushing the page sideways, and the page stays usable.
func TestLayoutErrorOnPhone(t *testing.T) {
	s := newSite(t, nil)
	p := newPage(t, 2*time.Minute)
	long := "/models/" + strings.Repeat("a-very-long-model-file-name-", 6) + "q8_0.gguf"
	p.do("opening the page on a phone with a missing model",
		chromedp.EmulateViewport(360, 740),
		chromedp.Navigate(s.URL+"/?model="+long),
	)
	if st := waitLoadEnd(p); st.Error == "" || !strings.Contains(st.Error, "404") {
		p.fatalf("loading a missing model: %+v; want a 404 error", st)
	}
	l := eval[layoutState](p, layoutStateJS)
	if l.ScrollWidth > l.Width || len(l.Overflow) > 0 {
		p.fatalf("with a long error the page scrolls sideways: scrollWidth %v > %v; past the edge: %s", l.ScrollWidth, l.Width, strings.Join(l.Overflow, ", "))
	}
	if n := eval[int](p, `document.querySelectorAll('#model-url:not(:disabled)').length`); n != 1 {
		p.fatalf("after the error the address field is not usable")
	}
	p.noExceptions()
}
