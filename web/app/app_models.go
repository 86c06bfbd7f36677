package main

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strings"
	"sync"
	"time"

	"github.com/hearth-ai/hearth/models/catalog"
)

// The model manager's state and actions: loads from a URL, a catalog
// entry, the browser's cache or a file of this computer, each replacing
// the loaded model only once the new file has been checked (so a file that
// cannot load leaves the page as it was), with Cancel; the models cached in
// the browser, with their storage, and Delete.

// ModelSource is a model file to load: at a URL, or a file of this
// computer that the person picked or dropped on the page.
type ModelSource struct {
	URL  string
	File any    // the browser's File (a js.Value) of a local file; nil for a URL
	Name string // a local file's name
	Size int64  // a local file's size in bytes
	// SHA256 is the digest (hex) the file must have: a catalog entry's,
	// checked by the engine as it downloads.
	SHA256 string
	// MMProj is a vision model's image encoder, loaded with it as a pair
	// (pair.go); nil for a text model.
	MMProj *PairFile
}

// IsFile tells whether the source is a local file.
func (s ModelSource) IsFile() bool { return s.File != nil }

// source is what ModelState.Source holds for s: the URL, or a local file's
// name escaped as a URL path, so that ModelState.Name gives it back whole.
func (s ModelSource) source() string {
	if s.IsFile() {
		return url.PathEscape(s.Name)
	}
	return s.URL
}

// ModelManager is what the model manager needs of an engine beyond
// Engine. Its methods block until the engine (or the browser) answers.
type ModelManager interface {
	// LoadSource loads src in place of the loaded model. The file is
	// checked first (a GGUF file, complete, a model the engine runs, small
	// enough for the device); a file that fails is refused with a
	// *LoadError and the loaded model stays loaded.
	LoadSource(src ModelSource, opt LoadOptions, onProgress func(Progress)) (ModelInfo, error)
	// CancelLoad asks the load under way to end; it does not wait.
	CancelLoad()
	// CachedModels lists the models stored in the browser (OPFS).
	CachedModels() ([]CachedModel, error)
	// DeleteCachedModel removes url's stored copy.
	DeleteCachedModel(url string) error
	// StorageEstimate is the origin's storage use and quota.
	StorageEstimate() (StorageEstimate, error)
	// PersistStorage says whether the browser keeps the origin's storage
	// until the user clears it; with ask, it first asks for that.
	PersistStorage(ask bool) (bool, error)
	// LocalModels lists the files `make run MODEL=…` offers the page.
	LocalModels() ([]LocalModel, error)
}

// LoadOptions adjust a load.
type LoadOptions struct {
	// MemoryLimit, when set, is a ceiling (bytes) on the model's memory
	// besides the engine's own; MemoryLimitWhy says what sets it.
	MemoryLimit    int64
	MemoryLimitWhy string
	// ExpertBudget, when > 0, runs a mixture of experts with its experts
	// paged from the file into an expert cache of at most this many bytes
	// (app_experts.go); other models ignore it.
	ExpertBudget int64
}

// LoadError is a failed load, as the engine describes it.
type LoadError struct {
	Msg string
	// Reason is why the file was refused: "not-gguf", "truncated",
	// "invalid", "unsupported", "too-large", "checksum" (not the file its
	// publisher describes), or "" for other failures
	// (network, storage).
	Reason      string
	Cancelled   bool // the load was cancelled
	ModelLoaded bool // a model is still loaded: the one loaded before
	// ExpertBudget, for a mixture of experts refused as "too-large", is the
	// largest expert cache (bytes) with which it would fit, its experts
	// paged from the file (LoadOptions.ExpertBudget); 0: none would.
	ExpertBudget int64
}

func (e *LoadError) Error() string { return e.Msg }

// CachedModel is a model stored in the browser.
type CachedModel struct {
	URL  string
	Size int64
	Date time.Time // when it was downloaded
	// Kind is "mmproj" for a vision model's image encoder (which loads
	// only with its model), else "model" or "" (saved_pairs.go).
	Kind string
	// MMProj is the URL of the image encoder the model loaded with as a
	// pair, as the store recorded it ("" for none).
	MMProj string
	SHA256 string // the digest verified for the file, or ""
}

// Name is the model's file name.
func (m CachedModel) Name() string { return fileName(m.URL) }

// StorageEstimate is what navigator.storage.estimate says (bytes).
type StorageEstimate struct {
	Usage, Quota int64
}

// LocalModel is a file on this computer that the server offers
// (/models/local.json).
type LocalModel struct {
	Name string
	Size int64
	URL  string
}

// ModelsState is the model manager's part of the page.
type ModelsState struct {
	Local     []LocalModel
	Cached    []CachedModel
	CachedErr string
	Storage   StorageEstimate
	// StorageKnown: Storage holds an estimate.
	StorageKnown bool
	Persisted    bool // the browser keeps the storage until the user clears it
	PersistKnown bool // Persisted holds an answer
	Deleting     string
	Dragging     bool   // files are being dragged over the page
	Notice       string // a note that is not an error: a cancelled load, a busy engine
	Cancelling   bool   // Cancel was pressed; the load has not ended yet
	// Limit is passed to every load (the test hook lowers it).
	Limit LoadOptions

	previous *loadedModel // the model loaded when the load under way began
	started  bool
}

// loadedModel is what the model pane shows of a loaded model, kept while
// another loads so that a refused file can leave it shown as it was.
type loadedModel struct {
	Source   string
	Info     ModelInfo
	Progress LoadProgress
}

// manager is the engine's ModelManager, or nil.
func (a *App) manager() ModelManager {
	mm, _ := a.Engine.(ModelManager)
	return mm
}

// catalogEntries is the catalog built into the app (models/catalog),
// read once.
var catalogEntries = sync.OnceValues(catalog.Load)

// StartModels fills the manager's lists: the files this computer offers,
// the browser's cached models and storage. It runs once; call it from a
// goroutine (it takes the lock).
func (a *App) StartModels() {
	mm := a.manager()
	if mm == nil || a.Env == nil {
		return // no engine to ask, or no page to show the answers
	}
	a.Env.Lock()
	started := a.Models.started
	a.Models.started = true
	a.Env.UnlockOnly()
	if started {
		return
	}
	if local, err := mm.LocalModels(); err == nil {
		a.update(func() { a.Models.Local = local })
	}
	a.refreshCached(false)
}

// refreshCached reads the cached models and the storage again; with ask
// it also asks the browser to keep the storage, unless it already does.
func (a *App) refreshCached(ask bool) {
	mm := a.manager()
	if mm == nil {
		return
	}
	cached, cerr := mm.CachedModels()
	est, serr := mm.StorageEstimate()
	persisted, perr := mm.PersistStorage(false)
	if ask && perr == nil && !persisted {
		persisted, perr = mm.PersistStorage(true)
	}
	a.update(func() {
		a.Models.CachedErr = ""
		if cerr != nil {
			a.Models.CachedErr = "The models stored in this browser could not be listed: " + cerr.Error()
		} else {
			a.Models.Cached = cached
		}
		a.Models.Storage, a.Models.StorageKnown = est, serr == nil
		a.Models.Persisted, a.Models.PersistKnown = persisted, perr == nil
	})
}

// LoadURL loads the model at u (a catalog entry's, a cached model's, one
// this computer offers). Call it with the lock held.
func (a *App) LoadURL(u string) {
	if a.Busy() {
		a.Models.Notice = "A load is under way: wait for it to end, or cancel it."
		return
	}
	a.Model.URL = u
	a.LoadModel()
}

// LoadFile loads a file of this computer. Call it with the lock held.
func (a *App) LoadFile(src ModelSource) {
	if a.Busy() {
		a.Models.Notice = "A load or an answer is under way: wait for it to end, or stop it, then load " + src.Name + "."
		return
	}
	if !a.startLoad(src) {
		a.Model.Status, a.Model.Error = ModelFailed, "This page's engine cannot load files from this computer."
	}
}

// startLoad starts loading src through the engine's ModelManager,
// keeping what the pane shows of the loaded model until the new one is
// in. It reports false when the engine has no ModelManager. Call it with
// the lock held.
func (a *App) startLoad(src ModelSource) bool {
	mm := a.manager()
	if mm == nil {
		return false
	}
	a.Models.previous = nil
	if a.Model.Status == ModelReady {
		a.Models.previous = &loadedModel{Source: a.Model.Source, Info: a.Model.Info, Progress: a.Model.Progress}
	}
	a.Model.Status, a.Model.Source, a.Model.Error = ModelLoading, src.source(), ""
	a.Model.Progress = LoadProgress{Started: a.Now(), Updated: a.Now()}
	a.Model.Info = ModelInfo{}
	a.Models.Notice, a.Models.Cancelling = "", false
	go a.runManagedLoad(mm, src, a.expertLoadOptions(a.Models.Limit)) // app_experts.go: paged experts
	return true
}

func (a *App) runManagedLoad(mm ModelManager, src ModelSource, opt LoadOptions) {
	pair := pairProgressOf(src) // pair.go: one bar for a pair's two files
	info, err := mm.LoadSource(src, opt, func(p Progress) {
		a.update(func() { a.Model.Progress.Update(pair.add(p), a.Now()) })
	})
	a.update(func() {
		a.finishLoad(info, err)
		a.noteExpertLoad(src, opt, info, err) // app_experts.go: the offer to page experts, the cache
	})
	// A download adds to the cache, a refused file may leave it; ask the
	// browser to keep what is stored once there is something to keep.
	a.refreshCached(err == nil && info.Storage == "opfs")
}

// finishLoad records how a load ended. Call it with the lock held.
func (a *App) finishLoad(info ModelInfo, err error) {
	prev := a.Models.previous
	a.Models.previous, a.Models.Cancelling = nil, false
	if err == nil {
		a.Model.Status, a.Model.Info, a.Model.Error = ModelReady, info, ""
		a.Model.Progress.Done = true
		return
	}
	name := a.Model.Name()
	var le *LoadError
	if !errors.As(err, &le) {
		le = &LoadError{Msg: err.Error()}
	}
	kept := le.ModelLoaded && prev != nil
	if kept {
		a.Model.Status, a.Model.Source, a.Model.Info, a.Model.Progress = ModelReady, prev.Source, prev.Info, prev.Progress
	} else {
		a.Model.Status = ModelFailed
	}
	var after string
	switch {
	case kept:
		after = " " + a.Model.Name() + " is still loaded."
	case prev != nil:
		after = " " + fileName(prev.Source) + ", loaded before, had already been unloaded to make room."
	}
	if le.Cancelled {
		a.Model.Error = ""
		if !kept {
			a.Model.Status = ModelNone
		}
		a.Models.Notice = "Loading " + name + " was cancelled." + after
		return
	}
	a.Model.Error = fmt.Sprintf("Could not load %s: %s.%s", name, strings.TrimSuffix(le.Msg, "."), after)
}

// CancelLoad asks the load under way to end. Call it with the lock held.
func (a *App) CancelLoad() {
	mm := a.manager()
	if a.Model.Status != ModelLoading || a.Models.Cancelling || mm == nil {
		return
	}
	a.Models.Cancelling = true
	mm.CancelLoad()
}

// DeleteCached removes url's copy from the browser's storage. Call it
// with the lock held.
func (a *App) DeleteCached(u string) {
	mm := a.manager()
	if mm == nil || a.Models.Deleting != "" || a.Model.Status == ModelLoading {
		return
	}
	a.Models.Deleting = u
	go func() {
		err := mm.DeleteCachedModel(u)
		a.update(func() {
			a.Models.Deleting = ""
			a.Models.Notice = ""
			if err != nil {
				a.Models.Notice = "Could not delete " + fileName(u) + ": " + err.Error()
			}
		})
		a.refreshCached(false)
	}()
}

// RequestPersistence asks the browser to keep the stored models until
// the user clears them. Call it with the lock held.
func (a *App) RequestPersistence() {
	if a.manager() == nil {
		return
	}
	go a.refreshCached(true)
}

// SetDragging records whether files are being dragged over the page.
// Call it with the lock held.
func (a *App) SetDragging(on bool) { a.Models.Dragging = on }

// IsCached tells whether u has a copy in the browser's storage.
func (a *App) IsCached(u string) bool {
	for _, m := range a.Models.Cached {
		if m.URL == u || sameURL(m.URL, u) {
			return true
		}
	}
	return false
}

// sameURL tells whether a stored model's absolute URL is u, which may be
// relative to the page ("/models/x.gguf" and "http://host/models/x.gguf").
func sameURL(abs, u string) bool {
	a, err1 := url.Parse(abs)
	b, err2 := url.Parse(u)
	if err1 != nil || err2 != nil || b.IsAbs() {
		return false
	}
	return a.Path == b.Path && b.RawQuery == a.RawQuery && strings.HasPrefix(u, "/")
}

// fileName is the last segment of a URL's path (or the string itself).
func fileName(s string) string {
	if u, err := url.Parse(s); err == nil && u.Path != "" {
		return path.Base(u.Path)
	}
	return s
}

// hasGGUFName tells whether a file name ends in .gguf (in any case).
func hasGGUFName(name string) bool { return strings.HasSuffix(strings.ToLower(name), ".gguf") }
