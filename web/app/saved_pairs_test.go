package main

import (
	"strings"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/models/catalog"
)

// catalogVision is the catalog's first vision entry (the tests use its
// two URLs as a pair the store recorded nothing of).
func catalogVision(t *testing.T) catalog.Entry {
	t.Helper()
	entries, err := catalogEntries()
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if e.Kind == catalog.KindVision && e.MMProj != nil {
			return e
		}
	}
	t.Fatal("the catalog has no vision entry")
	return catalog.Entry{}
}

// savedFiles is a store holding a text model, a pair the worker recorded
// (model and encoder), an encoder whose model was deleted, and a catalog
// pair stored before pairs were recorded.
func savedFiles(t *testing.T) []CachedModel {
	cv := catalogVision(t)
	day := time.Date(2026, 11, 27, 10, 0, 0, 0, time.Local)
	return []CachedModel{
		{URL: "http://h/models/text.gguf", Size: 10_000_000, Date: day, Kind: "model"},
		{URL: "http://h/models/vision-text.gguf", Size: 2_000_000, Date: day, Kind: "model", MMProj: "http://h/models/mmproj.gguf"},
		{URL: "http://h/models/mmproj.gguf", Size: 1_500_000, Date: day, Kind: "mmproj", SHA256: "ab12"},
		{URL: "http://h/models/old-mmproj.gguf", Size: 700_000, Date: day, Kind: "mmproj"},
		{URL: cv.MMProj.URL, Size: int64(cv.MMProj.Size), Date: day}, // before the model: order is the store's
		{URL: cv.URL, Size: int64(cv.Size), Date: day},
	}
}

// The saved list shows a pair as one entry with both files' size, a lone
// encoder as such, text models as before; the catalog pairs files the
// store recorded nothing of.
func TestSavedModelsGroupsPairs(t *testing.T) {
	cv := catalogVision(t)
	got := savedModels(savedFiles(t))
	if len(got) != 4 {
		t.Fatalf("%d entries, want 4 (text, pair, lone encoder, catalog pair): %+v", len(got), got)
	}
	text, pair, lone, cat := got[0], got[1], got[2], got[3]
	if text.Name() != "text.gguf" || text.Encoder != nil || text.PairURL != "" || text.What() != "" || text.LoneEncoder {
		t.Errorf("the text model: %+v", text)
	}
	if pair.Name() != "vision-text.gguf" || pair.EncoderURL() != "http://h/models/mmproj.gguf" || pair.TotalSize() != 3_500_000 ||
		pair.What() != "with its image encoder" || pair.LoneEncoder {
		t.Errorf("the recorded pair: %+v (what %q)", pair, pair.What())
	}
	if lone.Name() != "old-mmproj.gguf" || !lone.LoneEncoder || !strings.Contains(lone.What(), "its model is no longer saved") {
		t.Errorf("the lone encoder: %+v (what %q)", lone, lone.What())
	}
	if cat.URL != cv.URL || cat.EncoderURL() != cv.MMProj.URL || cat.TotalSize() != int64(cv.Size+cv.MMProj.Size) {
		t.Errorf("the catalog pair: %+v", cat)
	}
	c := &CachedModels{App: NewApp(newFakeManager(), nil)}
	if m := c.EntryMeta(pair); m != "3.5 MB (model 2.0 MB + image encoder 1.5 MB) · saved 2026-11-27 10:00" {
		t.Errorf("the pair's meta: %q", m)
	}
	if m := c.EntryMeta(text); m != "10.0 MB · saved 2026-11-27 10:00" {
		t.Errorf("the text model's meta: %q", m)
	}
	// A catalog model whose encoder is not stored: Load fetches it.
	only := savedModels([]CachedModel{{URL: cv.URL, Size: 5}})
	if len(only) != 1 || only[0].Encoder != nil || only[0].PairURL != cv.MMProj.URL || !strings.Contains(only[0].What(), "not saved") {
		t.Errorf("a catalog model without its encoder: %+v", only)
	}
}

// Load on a pair loads the model with its stored encoder (the digest the
// store verified); on a text model, the model alone; a lone encoder does
// not load. Delete on a pair deletes both files, on a lone encoder the
// encoder.
func TestLoadAndDeleteSavedPair(t *testing.T) {
	f := newFakeManager()
	f.cached = savedFiles(t)
	loaded := make(chan ModelSource, 4)
	f.load = func(src ModelSource) (ModelInfo, error) {
		loaded <- src
		return ModelInfo{Arch: "llama", Storage: "opfs"}, nil
	}
	a := managedApp(f)
	go a.StartModels()
	<-f.listings
	eventually(t, a, func() bool { return len(a.Models.Cached) == 6 })
	var entries []SavedModel
	do(a, func() { entries = (&CachedModels{App: a}).Entries() })

	do(a, func() { a.LoadSaved(entries[1]) })
	src := <-loaded
	settle(t, a, f)
	if src.URL != "http://h/models/vision-text.gguf" || src.MMProj == nil || src.MMProj.URL != "http://h/models/mmproj.gguf" ||
		src.MMProj.SHA256 != "ab12" || src.MMProj.Size != 1_500_000 {
		t.Fatalf("Load on the pair loaded %+v (encoder %+v)", src, src.MMProj)
	}
	do(a, func() { a.LoadSaved(entries[0]) })
	if src = <-loaded; src.URL != "http://h/models/text.gguf" || src.MMProj != nil {
		t.Fatalf("Load on the text model loaded %+v", src)
	}
	settle(t, a, f)
	do(a, func() { a.LoadSaved(entries[2]) })
	select {
	case src := <-loaded:
		t.Fatalf("Load on a lone encoder loaded %+v", src)
	case <-time.After(50 * time.Millisecond):
	}

	do(a, func() { a.DeleteSaved(entries[1]) })
	<-f.listings
	eventually(t, a, func() bool { return len(a.Models.Cached) == 4 && a.Models.Deleting == "" })
	if strings.Join(f.deleted, " ") != "http://h/models/vision-text.gguf http://h/models/mmproj.gguf" || a.Models.Notice != "" {
		t.Fatalf("Delete on the pair deleted %v (notice %q)", f.deleted, a.Models.Notice)
	}
	do(a, func() { a.DeleteSaved(entries[2]) })
	<-f.listings
	eventually(t, a, func() bool { return len(a.Models.Cached) == 3 && a.Models.Deleting == "" })
	if f.deleted[len(f.deleted)-1] != "http://h/models/old-mmproj.gguf" {
		t.Fatalf("Delete on the lone encoder deleted %v", f.deleted)
	}
}

// The saved list as HTML: one entry per pair, saying so, with both
// files' size; a lone encoder without Load; the count counts entries.
func TestSavedPairsRender(t *testing.T) {
	a := NewApp(newFakeManager(), nil)
	a.Models.Cached = savedFiles(t)
	page := renderPage(t, a)
	for _, want := range []string{
		`data-encoder="http://h/models/mmproj.gguf"`, "with its image encoder",
		"3.5 MB (model 2.0 MB + image encoder 1.5 MB)",
		`aria-label="Load vision-text.gguf with its image encoder"`,
		`aria-label="Delete the saved copy of vision-text.gguf and its image encoder"`,
		`aria-label="Delete the saved image encoder old-mmproj.gguf"`, "its model is no longer saved",
		"4 models",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, absent := range []string{`data-url="http://h/models/mmproj.gguf"`, `aria-label="Load old-mmproj.gguf"`, `aria-label="Load mmproj.gguf"`} {
		if strings.Contains(page, absent) {
			t.Errorf("the page has %s", absent)
		}
	}
}
