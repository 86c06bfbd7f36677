package main

import (
	"strings"

	"github.com/hearth-ai/hearth/models/catalog"
)

// CatalogList is the catalog of real Hugging Face models
// (models/catalog), each with its size, quantization and licence, and a
// Load button.
type CatalogList struct {
	App *App

	disclosure             // folded away or not (model_sections.go)
	watch      statusWatch // the model's status at the last render
}

// Entries are the catalog's models.
func (c *CatalogList) Entries() []catalog.Entry {
	entries, _ := catalogEntries()
	return entries
}

// Err is why the catalog could not be read, or "".
func (c *CatalogList) Err() string {
	if _, err := catalogEntries(); err != nil {
		return "The catalog could not be read: " + err.Error()
	}
	return ""
}

// Meta is an entry's facts in one line: "Text · 135M parameters · Q8_0 ·
// 145 MB", with "saved in this browser" or "loaded" when it is.
func (c *CatalogList) Meta(e catalog.Entry) string {
	kind := map[catalog.Kind]string{catalog.KindText: "Text", catalog.KindVision: "Vision", catalog.KindMoE: "Mixture of experts"}[e.Kind]
	parts := []string{kind, e.Parameters + " parameters"}
	if e.ActiveParams != "" {
		parts[1] += " (" + e.ActiveParams + " active)"
	}
	parts = append(parts, e.Quantization)
	if n := e.TotalSize(); n > 0 {
		parts = append(parts, formatBytes(int64(n)))
	}
	switch {
	case c.App.Model.Status == ModelReady && c.App.Model.Source == e.URL:
		parts = append(parts, "loaded")
	case c.App.IsCached(e.URL):
		parts = append(parts, "saved in this browser")
	}
	return strings.Join(parts, " · ")
}

// Note is what stands in the way of loading an entry, if anything.
func (c *CatalogList) Note(e catalog.Entry) string {
	if e.Kind == catalog.KindVision && e.MMProj == nil {
		return "This vision model's image encoder (mmproj) is missing from the catalog."
	}
	return ""
}

// CanLoad tells whether an entry's Load button works now.
func (c *CatalogList) CanLoad(e catalog.Entry) bool {
	return c.Note(e) == "" && !c.App.Busy()
}

// Load loads an entry's model file; a vision entry's with its image
// encoder, as a pair (pair.go).
func (c *CatalogList) Load(e catalog.Entry) {
	if !c.CanLoad(e) {
		return
	}
	if e.MMProj != nil {
		c.App.LoadPair(e.URL, PairFile{URL: e.MMProj.URL, SHA256: e.MMProj.SHA256, Size: int64(e.MMProj.Size)})
		return
	}
	c.App.LoadURL(e.URL)
}

// catalogDigest is the SHA-256 the catalog gives for the file at u, or ""
// when u is no catalog file or its publisher gives none: a catalog model
// is checked against it however it is loaded (its entry, its address
// typed in, its saved copy).
func catalogDigest(u string) string {
	entries, _ := catalogEntries()
	for _, e := range entries {
		if e.URL == u {
			return e.SHA256
		}
	}
	return ""
}
