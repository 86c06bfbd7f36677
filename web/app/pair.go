package main

import "strings"

// Vision models load as a pair: the text model and its image encoder (an
// mmproj file), downloaded, cached and checked together by the engine,
// with one progress bar for both (pairProgress). The catalog's vision
// entries load so (CatalogList.Load), and so does a catalog model's
// address typed in.

// PairFile is the image encoder of a pair: its address, the digest it
// must have and its size (0: unknown), as the catalog gives them.
type PairFile struct {
	URL    string
	SHA256 string
	Size   int64
}

// catalogMMProj is the image encoder the catalog pairs with the model at
// u, or nil.
func catalogMMProj(u string) *PairFile {
	entries, _ := catalogEntries()
	for _, e := range entries {
		if e.URL == u && e.MMProj != nil {
			return &PairFile{URL: e.MMProj.URL, SHA256: e.MMProj.SHA256, Size: int64(e.MMProj.Size)}
		}
	}
	return nil
}

// LoadPair loads the model at modelURL with its image encoder mm (a
// catalog's vision entry, or any such pair), in place of the loaded model
// once both files are checked. Call it with the lock held.
func (a *App) LoadPair(modelURL string, mm PairFile) {
	if a.Busy() {
		a.Models.Notice = "A load is under way: wait for it to end, or cancel it."
		return
	}
	src := strings.TrimSpace(modelURL)
	a.Model.URL = src
	if !a.startLoad(ModelSource{URL: src, SHA256: catalogDigest(src), MMProj: &mm}) {
		a.Model.Status, a.Model.Error = ModelFailed, "This page's engine cannot load a vision model's image encoder."
	}
}

// pairProgress folds a pair's progress events (Progress.File "model" and
// "mmproj") into one bar: the bytes of both files in the current stage
// (getting the files — downloading, or finding them stored — then loading
// them into memory) against both files' sizes. A single file's events
// pass unchanged.
type pairProgress struct {
	hint        map[string]int64 // sizes known before the events (the catalog's)
	total       map[string]int64 // sizes the events gave
	fetched     map[string]int64 // bytes downloaded or found, per file
	uploaded    map[string]int64 // bytes loaded into memory, per file
	downloading bool             // a file is being downloaded (not all were stored)
}

// newPairProgress combines the events of a pair whose model and mmproj
// are, as far as is known, modelSize and mmprojSize bytes (0: unknown).
func newPairProgress(modelSize, mmprojSize int64) *pairProgress {
	return &pairProgress{
		hint:  map[string]int64{"model": modelSize, "mmproj": mmprojSize},
		total: map[string]int64{}, fetched: map[string]int64{}, uploaded: map[string]int64{},
	}
}

// add takes one event and returns what the bar shows.
func (pp *pairProgress) add(p Progress) Progress {
	if pp == nil || p.File == "" {
		return p
	}
	if p.Total > 0 {
		pp.total[p.File] = p.Total
	}
	stage, phase := pp.fetched, p.Phase
	switch p.Phase {
	case "upload":
		stage = pp.uploaded
	case "download":
		pp.downloading = true
	}
	if stage[p.File] = p.Loaded; p.Phase != "upload" {
		phase = "cached"
		if pp.downloading {
			phase = "download"
		}
	}
	var loaded, total int64
	for _, f := range []string{"model", "mmproj"} {
		loaded += stage[f]
		size := pp.total[f]
		if size == 0 {
			size = pp.hint[f]
		}
		if size == 0 {
			total = -1 // unknown: the bar shows activity
		} else if total >= 0 {
			total += size
		}
	}
	return Progress{Phase: phase, Loaded: loaded, Total: max(total, 0)}
}

// pairProgressOf is the progress combiner of a load of src: nil (events
// pass unchanged) unless src is a pair.
func pairProgressOf(src ModelSource) *pairProgress {
	if src.MMProj == nil {
		return nil
	}
	return newPairProgress(catalogSize(src.URL), src.MMProj.Size)
}

// catalogSize is the catalog's size of the file at u, or 0.
func catalogSize(u string) int64 {
	entries, _ := catalogEntries()
	for _, e := range entries {
		if e.URL == u {
			return int64(e.Size)
		}
	}
	return 0
}
