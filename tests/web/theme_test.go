//go:build !js

package web

import (
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// themeState is the theme the page shows.
type themeState struct {
	Theme      string `json:"theme"`      // <html data-theme>
	Background string `json:"background"` // the body's computed background
	Scheme     string `json:"scheme"`     // the computed color-scheme (form controls, scroll bars)
	Pressed    string `json:"pressed"`    // the toggle's aria-pressed
	Stored     string `json:"stored"`     // localStorage hearth-theme
}

const themeStateJS = `(() => ({
  theme: document.documentElement.dataset.theme ?? '',
  background: getComputedStyle(document.body).backgroundColor,
  scheme: getComputedStyle(document.documentElement).colorScheme,
  pressed: document.querySelector('#theme-toggle')?.getAttribute('aria-pressed') ?? '',
  stored: localStorage.getItem('hearth-theme') ?? '',
}))()`

// The palettes' page backgrounds (index.html's --hearth-bg).
const (
	lightBackground = "rgb(247, 245, 242)"
	darkBackground  = "rgb(23, 21, 19)"
)

// The theme follows the system's light or dark setting until the header's
// toggle picks one; the pick outlasts a reload and a change of the
// system's setting.
func TestThemeTogglePersists(t *testing.T) {
	s := newSite(t, nil)
	p := newPage(t, 2*time.Minute)
	check := func(when string, want themeState) {
		t.Helper()
		got := eval[themeState](p, themeStateJS)
		if got != want {
			p.fatalf("%s: the page shows %+v; want %+v", when, got, want)
		}
	}
	open := func(what string) {
		t.Helper()
		p.do(what, chromedp.Navigate(s.URL+"/"), chromedp.WaitVisible("#theme-toggle"))
	}

	p.do("setting the system to dark", emulateColorScheme("dark"))
	open("opening the page")
	check("with a dark system", themeState{"dark", darkBackground, "dark", "true", ""})
	p.do("setting the system to light", emulateColorScheme("light"))
	waitFor(p, "the page and its toggle follow the system to light", `document.documentElement.dataset.theme === 'light' &&
	  document.querySelector('#theme-toggle').getAttribute('aria-pressed') === 'false'`, 5*time.Second)
	p.do("setting the system back to dark", emulateColorScheme("dark"))
	waitFor(p, "the page and its toggle follow the system to dark", `document.documentElement.dataset.theme === 'dark' &&
	  document.querySelector('#theme-toggle').getAttribute('aria-pressed') === 'true'`, 5*time.Second)

	p.do("pressing the toggle", chromedp.Click("#theme-toggle"))
	waitFor(p, "the toggle's state follows", `document.querySelector('#theme-toggle').getAttribute('aria-pressed') === 'false'`, 5*time.Second)
	check("after the toggle", themeState{"light", lightBackground, "light", "false", "light"})

	open("reloading")
	check("after a reload, the system still dark", themeState{"light", lightBackground, "light", "false", "light"})

	p.do("setting the system to light", emulateColorScheme("light"))
	p.do("pressing the toggle", chromedp.Click("#theme-toggle"))
	waitFor(p, "the toggle's state follows", `document.querySelector('#theme-toggle').getAttribute('aria-pressed') === 'true'`, 5*time.Second)
	open("reloading")
	check("dark chosen, the system light, after a reload", themeState{"dark", darkBackground, "dark", "true", "dark"})
	p.noExceptions()
}
