package main

import (
	"fmt"

	"github.com/vugu/vugu"
)

// ModelPanel loads a model from an address and shows how the load goes
// and what was loaded.
type ModelPanel struct {
	App *App
}

func (c *ModelPanel) setURL(e vugu.DOMEvent) { c.App.Model.URL = e.PropString("target", "value") }

func (c *ModelPanel) submit(e vugu.DOMEvent) {
	e.PreventDefault()
	c.App.LoadModel()
}

// ShowProgress tells whether the progress bar is shown: during a load,
// and full once it is done.
func (c *ModelPanel) ShowProgress() bool {
	s := c.App.Model.Status
	return s == ModelLoading || s == ModelReady
}

// Context is the session's context length, in words.
func (c *ModelPanel) Context() string { return fmt.Sprintf("%d tokens", c.App.Model.Info.Context) }

// Threads is the engine's thread count, in words.
func (c *ModelPanel) Threads() string {
	if c.App.Model.Info.Threads == 1 {
		return "1 thread"
	}
	return fmt.Sprintf("%d threads", c.App.Model.Info.Threads)
}
