package main

import "github.com/vugu/vugu"

// ExpertSettings is the expert cache's setting: what the model manager
// does with a mixture of experts too large to hold whole (offer to page
// its experts, page them at once, never), or to page every mixture's
// experts into a cache of a set size. Folded away until opened.
type ExpertSettings struct {
	App *App

	disclosure
}

// Init folds the section: the setting is rarely changed.
func (c *ExpertSettings) Init(vugu.InitCtx) { c.closed = true }

// Summary is the setting in a few words, shown folded.
func (c *ExpertSettings) Summary() string {
	switch c.App.Experts.mode() {
	case ExpertsAuto:
		return "automatic"
	case ExpertsOff:
		return "off"
	case ExpertsAlways:
		return "always, " + formatBytes(c.App.Experts.cacheMB()*1e6)
	}
	return "offered when needed"
}

func (c *ExpertSettings) setMode(e vugu.DOMEvent) {
	c.App.SetExpertMode(e.PropString("target", "value"))
}

func (c *ExpertSettings) setCache(e vugu.DOMEvent) {
	c.App.SetExpertCacheText(e.PropString("target", "value"))
}
