//go:build !(js && wasm)

package main

import (
	"errors"
	"strings"
	"testing"
)

// The live region says one sentence per state, never progress figures: a
// load under way, a failed load, a ready model, an answer being written,
// and the end of an answer with its figures or its failure.
func TestAnnouncements(t *testing.T) {
	app := NewApp(brokenEngine{errors.New("no engine in this test")}, nil)
	h := &AppHeader{App: app}
	check := func(state, want string) {
		t.Helper()
		if got := h.Announcement(); got != want {
			t.Errorf("%s: the live region says %q; want %q", state, got, want)
		}
		if page := renderPage(t, app); !strings.Contains(page, `aria-live="polite"`) || want != "" && !strings.Contains(page, want) {
			t.Errorf("%s: the page lacks the live region saying %q", state, want)
		}
	}
	check("no model", "")
	app.Model.Status, app.Model.Source = ModelLoading, "https://example.org/m/tiny-q8_0.gguf"
	app.Model.Progress.Update(Progress{Phase: "download", Loaded: 5, Total: 10}, app.Now())
	check("loading", "Loading the model tiny-q8_0.gguf.")
	app.Model.Status = ModelFailed
	check("failed", "The model did not load.")
	app.Model.Status = ModelReady
	check("ready", "tiny-q8_0.gguf is ready.")
	app.ShowMessage("user", "Hi")
	check("a question", "tiny-q8_0.gguf is ready.")
	app.Chat.Generating = true
	answer := app.Chat.add("assistant", "Hel")
	check("answering", "Writing an answer.")
	app.Chat.Generating = false
	answer.Stats = "3 tokens · 30.0 tokens/s"
	check("answered", "The answer is complete: 3 tokens · 30.0 tokens/s.")
	answer.Stats, answer.Error = "", "the engine stopped"
	check("failed answer", "The answer failed.")
}

// The theme toggle is a toggle button: pressed in the dark theme, and
// pressing it switches the theme.
func TestThemeToggle(t *testing.T) {
	defer func(was string) { testTheme = was }(testTheme)
	app := NewApp(brokenEngine{errors.New("no engine in this test")}, nil)
	h := &AppHeader{App: app}
	testTheme = "light"
	if page := renderPage(t, app); !strings.Contains(page, `aria-label="Dark theme"`) || !strings.Contains(page, `aria-pressed="false"`) {
		t.Fatalf("light theme: the toggle is not an unpressed \"Dark theme\" button:\n%s", page)
	}
	h.ToggleTheme()
	if testTheme != "dark" || !h.Dark() || h.DarkPressed() != "true" || h.ThemeTitle() != "Switch to the light theme" {
		t.Fatalf("after the toggle: theme %q, pressed %s, title %q", testTheme, h.DarkPressed(), h.ThemeTitle())
	}
	if page := renderPage(t, app); !strings.Contains(page, `aria-pressed="true"`) {
		t.Fatal("dark theme: the toggle is not pressed")
	}
	h.ToggleTheme()
	if testTheme != "light" {
		t.Fatalf("a second toggle leaves the theme %q", testTheme)
	}
}
