package main

import (
	"fmt"

	"github.com/vugu/vugu"
)

// ModelPanel is the model manager: load a model from an address, a file
// of this computer (picker or drop), the catalog, the files `make run`
// offers or the browser's storage; see how the load goes, cancel it, and
// what was loaded; manage the stored models.
type ModelPanel struct {
	App *App

	unfolded bool        // on a phone, the panel shows more than its head
	watch    statusWatch // the model's status at the last render
}

// Init starts filling the manager's lists and listens for files dropped
// on the page.
func (c *ModelPanel) Init(vugu.InitCtx) {
	installDropZone(c.App)
	installModelTestHook(c.App)
	// Not here: Init runs during a build, which holds the lock.
	go c.App.StartModels()
}

func (c *ModelPanel) setURL(e vugu.DOMEvent) { c.App.Model.URL = e.PropString("target", "value") }

func (c *ModelPanel) submit(e vugu.DOMEvent) {
	e.PreventDefault()
	c.App.LoadModel()
}

// openFile opens the browser's file chooser.
func (c *ModelPanel) openFile() { openFilePicker() }

// pickFile loads the file chosen in the chooser.
func (c *ModelPanel) pickFile(e vugu.DOMEvent) {
	if src, ok := pickedFile(e); ok {
		c.App.LoadFile(src)
	}
}

// ShowProgress tells whether the progress bar is shown: during a load,
// and full once it is done.
func (c *ModelPanel) ShowProgress() bool {
	s := c.App.Model.Status
	return s == ModelLoading || s == ModelReady
}

// CancelLabel names what Cancel cancels, for screen readers.
func (c *ModelPanel) CancelLabel() string { return "Cancel loading " + c.App.Model.Name() }

// Context is the session's context length, in words.
func (c *ModelPanel) Context() string { return fmt.Sprintf("%d tokens", c.App.Model.Info.Context) }

// Threads is the engine's thread count, in words.
func (c *ModelPanel) Threads() string {
	if c.App.Model.Info.Threads == 1 {
		return "1 thread"
	}
	return fmt.Sprintf("%d threads", c.App.Model.Info.Threads)
}

// Compute folds the panel (on a phone) when a model becomes ready, so
// that the chat follows the header, and unfolds it for anything else: a
// load under way, a failed one, none yet; and for the offer to run a
// refused mixture of experts with its experts paged (app_experts.go).
func (c *ModelPanel) Compute(vugu.ComputeCtx) {
	if status := c.App.Model.Status; c.watch.changed(status) {
		c.unfolded = status != ModelReady || c.App.Experts.Offer != nil
	}
}

// Foldable tells whether the panel can fold to its head: once a model is
// ready. (Only a phone's screen folds it; see the style.)
func (c *ModelPanel) Foldable() bool { return c.App.Model.Status == ModelReady }

// PanelClass is the panel's class: folded or not.
func (c *ModelPanel) PanelClass() string {
	if c.Foldable() && !c.unfolded {
		return "model-panel model-panel-folded"
	}
	return "model-panel"
}

// Expanded is Change model's aria-expanded.
func (c *ModelPanel) Expanded() string {
	if c.unfolded {
		return "true"
	}
	return "false"
}

// toggleBody folds or unfolds the panel.
func (c *ModelPanel) toggleBody() { c.unfolded = !c.unfolded }
