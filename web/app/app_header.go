package main

import "fmt"

// AppHeader is the page's title bar, with a one-line model status.
type AppHeader struct {
	App *App
}

// Status says which model is loaded, or what is happening to it.
func (c *AppHeader) Status() string {
	m := &c.App.Model
	switch m.Status {
	case ModelLoading:
		if p := m.Progress.Percent(); p >= 0 && m.Progress.Phase != "" {
			return fmt.Sprintf("%s %s: %.0f%%", m.Progress.PhaseLabel(), m.Name(), p)
		}
		return "Loading " + m.Name()
	case ModelReady:
		return fmt.Sprintf("%s (%s, %s) is ready", m.Name(), m.Info.Arch, m.Info.WeightType)
	case ModelFailed:
		return "No model loaded: the last load failed"
	}
	return "No model loaded"
}

// Dark tells whether the page shows its dark theme.
func (c *AppHeader) Dark() bool { return pageTheme() == "dark" }

// DarkPressed is the toggle's aria-pressed: "true" while the dark theme
// is on.
func (c *AppHeader) DarkPressed() string {
	if c.Dark() {
		return "true"
	}
	return "false"
}

// ThemeTitle is the toggle's tooltip: what pressing it does.
func (c *AppHeader) ThemeTitle() string {
	if c.Dark() {
		return "Switch to the light theme"
	}
	return "Switch to the dark theme"
}

// ToggleTheme switches between the light and dark themes; the page keeps
// the choice for later visits (index.html's hearthTheme).
func (c *AppHeader) ToggleTheme() {
	if c.Dark() {
		setPageTheme("light")
	} else {
		setPageTheme("dark")
	}
}

// Announcement is what the page's live region says: one short sentence
// per change of state (a load starting, a model ready, an answer being
// written and its end), never progress figures, which would make a screen
// reader chatter.
func (c *AppHeader) Announcement() string {
	a := c.App
	m := &a.Model
	switch {
	case m.Status == ModelLoading:
		return "Loading the model " + m.Name() + "."
	case m.Status == ModelFailed:
		return "The model did not load."
	case a.Chat.Generating:
		return "Writing an answer."
	}
	if n := len(a.Chat.Messages); n > 0 {
		last := a.Chat.Messages[n-1]
		switch {
		case last.Role != "assistant":
		case last.Error != "":
			return "The answer failed."
		case last.Stats != "":
			return "The answer is complete: " + last.Stats + "."
		}
	}
	if m.Status == ModelReady {
		return m.Name() + " is ready."
	}
	return ""
}
