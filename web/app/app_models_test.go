package main

import (
	"errors"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/vugu/vugu"
)

// fakeManager is an engine whose loads end as the test says, and whose
// cached list is what the test sets.
type fakeManager struct {
	brokenEngine
	mu       sync.Mutex
	load     func(src ModelSource) (ModelInfo, error)
	cached   []CachedModel
	asked    int // PersistStorage(true) calls
	cancels  int
	deleted  []string
	listings chan struct{} // a CachedModels call ended
}

func newFakeManager() *fakeManager {
	return &fakeManager{brokenEngine: brokenEngine{errors.New("not in this test")}, listings: make(chan struct{}, 16)}
}

func (f *fakeManager) LoadSource(src ModelSource, _ LoadOptions, onProgress func(Progress)) (ModelInfo, error) {
	onProgress(Progress{Phase: "upload", Loaded: 5, Total: 10})
	return f.load(src)
}
func (f *fakeManager) CancelLoad() { f.mu.Lock(); f.cancels++; f.mu.Unlock() }
func (f *fakeManager) CachedModels() ([]CachedModel, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	defer func() { f.listings <- struct{}{} }()
	return append([]CachedModel(nil), f.cached...), nil
}
func (f *fakeManager) DeleteCachedModel(url string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.deleted = append(f.deleted, url)
	for i, m := range f.cached {
		if m.URL == url {
			f.cached = append(f.cached[:i], f.cached[i+1:]...)
			return nil
		}
	}
	return errors.New("it was not stored")
}
func (f *fakeManager) StorageEstimate() (StorageEstimate, error) {
	return StorageEstimate{Usage: 30e6, Quota: 10e9}, nil
}
func (f *fakeManager) PersistStorage(ask bool) (bool, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if ask {
		f.asked++
	}
	return f.asked > 0, nil
}
func (f *fakeManager) LocalModels() ([]LocalModel, error) { return nil, nil }

// managedApp is an App over f with a real event environment (a lock and a
// render channel nobody reads).
func managedApp(f *fakeManager) *App {
	env := vugu.NewEventEnvImpl(&sync.RWMutex{}, make(chan bool, 1))
	return NewApp(f, env)
}

// settle waits for the load under way to end and the cached list read
// after it.
func settle(t *testing.T, a *App, f *fakeManager) {
	t.Helper()
	select {
	case <-f.listings:
	case <-time.After(5 * time.Second):
		t.Fatal("the load did not end")
	}
	a.Env.RLock()
	defer a.Env.RUnlock()
	if a.Model.Status == ModelLoading {
		t.Fatal("the cached list was read before the load ended")
	}
}

// eventually waits (up to 5 s) until cond, read with the app's lock held,
// is true: for state that a background update sets.
func eventually(t *testing.T, a *App, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(5 * time.Millisecond) {
		a.Env.RLock()
		ok := cond()
		a.Env.RUnlock()
		if ok || time.Now().After(deadline) {
			return
		}
	}
}

// do runs f with the app's lock held, as an event handler does.
func do(a *App, f func()) {
	a.Env.Lock()
	defer a.Env.UnlockOnly()
	f()
}

// A model loads; a second file refused by the engine's check (the first
// still loaded) leaves the page showing the first, ready, with an error
// naming the refused file and saying the first is still loaded. A load
// that fails after the first was unloaded says that too, and no model is
// ready.
func TestRefusedLoadKeepsThePreviousModel(t *testing.T) {
	f := newFakeManager()
	a := managedApp(f)
	first := ModelInfo{Arch: "llama", WeightType: "Q8_0", Context: 2048, Threads: 2, Storage: "opfs"}
	f.load = func(src ModelSource) (ModelInfo, error) { return first, nil }
	do(a, func() { a.LoadURL("https://example.org/m/first-q8_0.gguf") })
	settle(t, a, f)
	if a.Model.Status != ModelReady || a.Model.Name() != "first-q8_0.gguf" || !a.Model.Progress.Done {
		t.Fatalf("after the first load: %+v", a.Model)
	}
	// The storage figures arrive in an update after the listing: wait for it.
	eventually(t, a, func() bool { return a.Models.StorageKnown })
	if f.asked != 1 || !a.Models.Persisted || !a.Models.StorageKnown || a.Models.Storage.Quota != 10e9 {
		t.Fatalf("a model stored in OPFS should ask for persistence once and read the storage: asked %d, %+v", f.asked, a.Models)
	}

	f.load = func(src ModelSource) (ModelInfo, error) {
		return ModelInfo{}, &LoadError{Msg: "it is not a GGUF model file: it starts with \"hello\"", Reason: "not-gguf", ModelLoaded: true}
	}
	do(a, func() { a.LoadFile(ModelSource{File: "a file", Name: "notes #1.gguf", Size: 5}) })
	do(a, func() {
		if a.Model.Status != ModelLoading || a.Model.Name() != "notes #1.gguf" || a.Model.Progress.Done {
			t.Fatalf("while the file loads: %+v", a.Model)
		}
	})
	settle(t, a, f)
	want := `Could not load notes #1.gguf: it is not a GGUF model file: it starts with "hello". first-q8_0.gguf is still loaded.`
	if a.Model.Status != ModelReady || a.Model.Name() != "first-q8_0.gguf" || a.Model.Info != first || !a.Model.Progress.Done || a.Model.Error != want {
		t.Fatalf("after a refused file: %+v\nwant the first model ready and the error %q", a.Model, want)
	}
	if a.Chat.Draft = "hi"; !a.CanSend() {
		t.Fatal("the chat is not usable after a refused file")
	}

	f.load = func(src ModelSource) (ModelInfo, error) {
		return ModelInfo{}, &LoadError{Msg: "arena: cannot reserve 900 MB", ModelLoaded: false}
	}
	do(a, func() { a.LoadURL("https://example.org/m/big.gguf") })
	settle(t, a, f)
	if a.Model.Status != ModelFailed || !strings.HasSuffix(a.Model.Error, "first-q8_0.gguf, loaded before, had already been unloaded to make room.") {
		t.Fatalf("after a load that failed past its checks: %+v", a.Model)
	}
}

// Cancel: the engine is asked once however often Cancel is pressed; a
// cancelled load is a notice, not an error, and leaves the previous model
// (or no model) as it was.
func TestCancelledLoad(t *testing.T) {
	f := newFakeManager()
	a := managedApp(f)
	release := make(chan struct{})
	f.load = func(src ModelSource) (ModelInfo, error) {
		<-release
		return ModelInfo{}, &LoadError{Msg: "the load was cancelled", Cancelled: true, ModelLoaded: false}
	}
	do(a, func() { a.LoadURL("/models/slow.gguf") })
	do(a, func() { a.CancelLoad(); a.CancelLoad() })
	close(release)
	settle(t, a, f)
	if f.cancels != 1 || a.Model.Status != ModelNone || a.Model.Error != "" || a.Models.Notice != "Loading slow.gguf was cancelled." || a.Models.Cancelling {
		t.Fatalf("after Cancel: %d cancels, %+v, notice %q", f.cancels, a.Model, a.Models.Notice)
	}
	// A drop while an answer is written waits, with a notice.
	do(a, func() {
		a.Chat.Generating = true
		a.LoadFile(ModelSource{File: "x", Name: "x.gguf"})
		a.Chat.Generating = false
	})
	if a.Model.Status != ModelNone || !strings.Contains(a.Models.Notice, "wait for it to end") {
		t.Fatalf("a file dropped while busy: %+v, notice %q", a.Model, a.Models.Notice)
	}
}

// Delete removes a stored model and the list is read again.
func TestDeleteCachedModel(t *testing.T) {
	f := newFakeManager()
	f.cached = []CachedModel{{URL: "http://h/models/a.gguf", Size: 10}, {URL: "http://h/models/b.gguf", Size: 20}}
	a := managedApp(f)
	go a.StartModels()
	<-f.listings
	waitFor := func(cond func() bool) {
		t.Helper()
		for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
			a.Env.RLock()
			ok := cond()
			a.Env.RUnlock()
			if ok {
				return
			}
		}
		t.Fatal("timed out")
	}
	waitFor(func() bool { return len(a.Models.Cached) == 2 })
	do(a, func() { a.DeleteCached("http://h/models/a.gguf") })
	<-f.listings
	waitFor(func() bool { return len(a.Models.Cached) == 1 && a.Models.Deleting == "" })
	if a.Models.Cached[0].Name() != "b.gguf" || len(f.deleted) != 1 || a.Models.Notice != "" {
		t.Fatalf("after Delete: %+v, deleted %v", a.Models, f.deleted)
	}
	if !a.IsCached("/models/b.gguf") || a.IsCached("/models/a.gguf") || !a.IsCached("http://h/models/b.gguf") {
		t.Fatal("IsCached does not match page-relative addresses to stored ones")
	}
}

// The model pane as HTML: the catalog's eight models with their sizes
// and licences, the vision ones loadable as pairs (their size both
// files'); the stored models
// with Load and Delete; no "On this computer" section without files, and
// no drop zone unless files are dragged.
func TestModelManagerRenders(t *testing.T) {
	f := newFakeManager()
	a := NewApp(f, nil)
	a.Models.Cached = []CachedModel{{URL: "https://example.org/m/tiny-q8_0.gguf", Size: 22_600_000, Date: time.Date(2025, 3, 4, 14, 5, 0, 0, time.Local)}}
	a.Models.StorageKnown, a.Models.Storage = true, StorageEstimate{Usage: 36_300_000, Quota: 10_770_000_000}
	a.Models.PersistKnown = true
	page := renderPage(t, a)
	for _, want := range []string{
		"SmolLM2 135M Instruct", "Text · 135M parameters · Q8_0 · 144.8 MB", `href="https://www.apache.org/licenses/LICENSE-2.0"`,
		"Mixture of experts · 1B parameters (400M active) · Q4_K_M",
		"Vision · 256M parameters · Q8_0 · 278.8 MB",
		"tiny-q8_0.gguf", "22.6 MB · saved 2025-03-04 14:05",
		"Storage: 36.3 MB used of 10.77 GB.", "Persistent storage not granted", `id="storage-keep"`,
		`aria-label="Delete the saved copy of tiny-q8_0.gguf"`,
		"or drop one anywhere on the page", `id="model-file"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	if n := strings.Count(page, `class="model-item catalog-entry"`); n != 8 {
		t.Errorf("%d catalog entries, want 8", n)
	}
	if n := len(regexp.MustCompile(`<button type="button" class="catalog-load"[^>]* disabled`).FindAllString(page, -1)); n != 0 {
		t.Errorf("%d disabled catalog buttons, want none (the vision models load as pairs)", n)
	}
	for _, absent := range []string{`id="local-models"`, `id="drop-zone"`, `id="model-cancel"`, "Vision arrives"} {
		if strings.Contains(page, absent) {
			t.Errorf("the page has %s", absent)
		}
	}
	a.Models.Dragging = true
	a.Models.Local = []LocalModel{{Name: "mine.gguf", Size: 1e6, URL: "/models/local/mine.gguf"}}
	page = renderPage(t, a)
	for _, want := range []string{`id="drop-zone"`, "Drop a .gguf file to load it", `id="local-models"`, "mine.gguf"} {
		if !strings.Contains(page, want) {
			t.Errorf("dragging, with a local file: the page lacks %q", want)
		}
	}
}
