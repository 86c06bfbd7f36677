package main

import (
	"fmt"

	"github.com/vugu/vugu"
)

// The model panel's long sections (catalog, saved models, models of this
// computer) fold away as <details>; their summaries say what is inside.

// Compute opens the catalog before any model is loaded (it is where one
// is found) and folds it away whenever a model becomes ready, so that the
// chat is what the page shows; in between it stays as the reader left it.
func (c *CatalogList) Compute(vugu.ComputeCtx) {
	status := c.App.Model.Status
	first := !c.watch.started
	if c.watch.changed(status) && (first || status == ModelReady) {
		c.closed = status == ModelReady
	}
}

// Count is the catalog summary's count: "8 models".
func (c *CatalogList) Count() string { return countModels(len(c.Entries())) }

// Count is the saved models summary's count: "1 model", "no models".
func (c *CachedModels) Count() string { return countModels(len(c.Entries())) } // a pair counts once (saved_pairs.go)

// Count is the local models summary's count.
func (c *LocalModels) Count() string { return countModels(len(c.App.Models.Local)) }

// countModels says how many models there are, in words.
func countModels(n int) string {
	switch n {
	case 0:
		return "no models"
	case 1:
		return "1 model"
	}
	return fmt.Sprintf("%d models", n)
}
