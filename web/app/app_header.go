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
