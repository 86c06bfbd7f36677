package main

import "fmt"

// Vision pairs in "Saved in this browser". A vision model is two stored
// files, the text model and its image encoder (an mmproj file), which the
// engine loads only together. The list shows such a pair as one entry —
// the model, "with its image encoder", the size of both — whose Load loads
// the pair and whose Delete deletes both files. The pairing comes from the
// store (the worker records it when a pair loads: CachedModel.Kind and
// MMProj) or, for files stored before it did, from the catalog. An image
// encoder whose model is no longer stored is listed as such, with Delete
// only (it is not deleted by itself: loading its model again would use
// it).

// SavedModel is one entry of the saved list: a stored model, with its
// image encoder when it is a vision pair's; or an image encoder alone.
type SavedModel struct {
	CachedModel              // the model's file (or the lone encoder's)
	Encoder     *CachedModel // the pair's stored image encoder; nil for a text model
	// PairURL is the URL of the image encoder the model loads with, stored
	// or not ("" for a text model): Load loads the pair, downloading the
	// encoder when it is not stored.
	PairURL string
	// LoneEncoder: an image encoder whose model is not stored. It cannot
	// load by itself; Delete only.
	LoneEncoder bool
}

// savedModels groups the stored files into the saved list's entries, in
// the order of the models (an encoder goes with its model; lone encoders
// in their own place).
func savedModels(cached []CachedModel) []SavedModel {
	byURL := map[string]int{}
	for i, m := range cached {
		byURL[m.URL] = i
	}
	pairURL := make([]string, len(cached)) // each model's encoder URL
	claimed := map[int]bool{}              // encoders that go with a stored model
	encoder := make([]bool, len(cached))
	for i, m := range cached {
		encoder[i] = m.Kind == "mmproj" || isCatalogMMProj(m.URL)
	}
	for i, m := range cached {
		if encoder[i] {
			continue
		}
		u := m.MMProj
		if u == "" {
			if mm := catalogMMProj(m.URL); mm != nil {
				u = mm.URL
			}
		}
		pairURL[i] = u
		if j, ok := byURL[u]; ok && u != "" && j != i {
			claimed[j] = true
			encoder[j] = true
		}
	}
	var out []SavedModel
	for i, m := range cached {
		switch {
		case encoder[i] && claimed[i]:
			continue // listed with its model
		case encoder[i]:
			out = append(out, SavedModel{CachedModel: m, LoneEncoder: true})
			continue
		}
		e := SavedModel{CachedModel: m, PairURL: pairURL[i]}
		if j, ok := byURL[pairURL[i]]; ok && pairURL[i] != "" && j != i {
			enc := cached[j]
			e.Encoder = &enc
		}
		out = append(out, e)
	}
	return out
}

// isCatalogMMProj tells whether u is a catalog entry's image encoder.
func isCatalogMMProj(u string) bool {
	entries, _ := catalogEntries()
	for _, e := range entries {
		if e.MMProj != nil && e.MMProj.URL == u {
			return true
		}
	}
	return false
}

// TotalSize is the bytes the entry takes: both files of a pair.
func (s SavedModel) TotalSize() int64 {
	if s.Encoder != nil {
		return s.Size + s.Encoder.Size
	}
	return s.Size
}

// What says what the entry is, beside its name: "with its image encoder",
// "image encoder not saved (loading downloads it)", "image encoder; its
// model is no longer saved", or "" for a text model.
func (s SavedModel) What() string {
	switch {
	case s.LoneEncoder:
		return "image encoder; its model is no longer saved"
	case s.Encoder != nil:
		return "with its image encoder"
	case s.PairURL != "":
		return "its image encoder is not saved: Load downloads it"
	}
	return ""
}

// EncoderURL is the stored encoder's URL, or "".
func (s SavedModel) EncoderURL() string {
	if s.Encoder == nil {
		return ""
	}
	return s.Encoder.URL
}

// LoadLabel and DeleteLabel are the buttons' names for screen readers.
func (s SavedModel) LoadLabel() string {
	if s.PairURL != "" {
		return "Load " + s.Name() + " with its image encoder"
	}
	return "Load " + s.Name()
}

// DeleteLabel names what Delete deletes.
func (s SavedModel) DeleteLabel() string {
	switch {
	case s.Encoder != nil:
		return "Delete the saved copy of " + s.Name() + " and its image encoder"
	case s.LoneEncoder:
		return "Delete the saved image encoder " + s.Name()
	}
	return "Delete the saved copy of " + s.Name()
}

// Entries are the saved list's entries (pairs as one).
func (c *CachedModels) Entries() []SavedModel { return savedModels(c.App.Models.Cached) }

// EntryMeta is an entry's size and date: "22.1 MB · saved 2025-03-04
// 14:05", for a pair "3.5 MB (model 2.3 MB + image encoder 1.2 MB) ·
// saved …".
func (c *CachedModels) EntryMeta(s SavedModel) string {
	m := s.CachedModel
	m.Size = s.TotalSize()
	meta := c.Meta(m)
	if s.Encoder == nil {
		return meta
	}
	size := formatBytes(m.Size)
	return size + fmt.Sprintf(" (model %s + image encoder %s)", formatBytes(s.Size), formatBytes(s.Encoder.Size)) + meta[len(size):]
}

// LoadSaved loads a saved entry: a pair's model with its image encoder,
// a text model alone. A lone encoder does not load. Call it with the lock
// held.
func (a *App) LoadSaved(s SavedModel) {
	switch {
	case s.LoneEncoder:
		return
	case s.PairURL == "":
		a.LoadURL(s.URL)
		return
	}
	mm := PairFile{URL: s.PairURL}
	if cat := catalogMMProj(s.URL); cat != nil && cat.URL == s.PairURL {
		mm = *cat
	}
	if s.Encoder != nil {
		mm.Size = s.Encoder.Size
		if mm.SHA256 == "" {
			mm.SHA256 = s.Encoder.SHA256
		}
	}
	a.LoadPair(s.URL, mm)
}

// DeleteSaved deletes a saved entry's files: a pair's model and its
// image encoder, or the one file. Call it with the lock held.
func (a *App) DeleteSaved(s SavedModel) {
	if s.Encoder == nil {
		a.DeleteCached(s.URL)
		return
	}
	mm := a.manager()
	if mm == nil || a.Models.Deleting != "" || a.Model.Status == ModelLoading {
		return
	}
	a.Models.Deleting = s.URL
	go func() {
		err := mm.DeleteCachedModel(s.URL)
		what := s.Name()
		if err == nil {
			err, what = mm.DeleteCachedModel(s.Encoder.URL), "the image encoder of "+s.Name()
		}
		a.update(func() {
			a.Models.Deleting = ""
			a.Models.Notice = ""
			if err != nil {
				a.Models.Notice = "Could not delete " + what + ": " + err.Error()
			}
		})
		a.refreshCached(false)
	}()
}
