//go:build !js

package wasm_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/internal/chromium"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/models/synth"
)

// The model store in a real browser: headless Chromium loads a synthetic
// model by URL from a local server into a page through web/engine/hearth.js
// (engine worker, OPFS, the glue and the wasm engine as built). The first
// load downloads it into OPFS (on two threads: file → shared arena); a
// second load, a load in a new worker (as after a reload) and one that
// revalidates (304) read it from OPFS without downloading it again; a load
// with cache: false holds it in memory; all four generate the same ids.
// models lists it; deleteModel removes it, and the next load downloads
// again. A response cut short, and one that is not a GGUF file, are errors
// and leave nothing cached and no file behind.
func TestModelStoreInChromium(t *testing.T) {
	if _, err := chromium.Path(); err != nil {
		t.Fatal("this test drives headless Chromium: ", err)
	}
	assets := engineAssets(t)
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		t.Fatal(err)
	}
	modelPath := filepath.Join(dir, "model.gguf")
	spec := synth.Spec{Arch: synth.Llama, VocabPath: vocab, NEmbd: 128, NLayer: 2, NHead: 4, NHeadKV: 2, NFF: 256, Type: dtype.Q8_0, Seed: 9}
	if err := synth.WriteFile(modelPath, spec); err != nil {
		t.Fatal(err)
	}
	model, err := os.ReadFile(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := startStoreServer(t, assets, model)

	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	page := startChromium(t, ctx)
	if err := chromedp.Do(page, chromedp.Navigate(srv.base+"/page.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(page, chromedp.Poll[bool]("window.hearthTestReady === true", chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatal("the test page did not start: ", err)
	}

	good := srv.base + "/model/good.gguf"
	prompt := []int32{1, 260, 301, 7, 42, 99, 5}
	const n = 12
	var gotIDs [][]int32
	generate := func(w int, what string) {
		t.Helper()
		ids := pageCall[[]int32](t, page, "generate", w, prompt, n)
		if len(ids) != n {
			t.Fatalf("%s: %d ids, want %d", what, len(ids), n)
		}
		gotIDs = append(gotIDs, ids)
		if !slices.Equal(ids, gotIDs[0]) {
			t.Fatalf("%s: ids %v, the first load gave %v", what, ids, gotIDs[0])
		}
	}

	// 1. Downloaded into OPFS, then loaded from there on two threads.
	a := pageCall[int](t, page, "open")
	r := pageCall[loadAnswer](t, page, "load", a, good, map[string]any{"threads": 2, "nCtx": 128})
	t.Logf("first load: %+v", r.Info)
	if r.Info.Cached || r.Info.Storage != "opfs" || r.Info.Threads != 2 {
		t.Fatalf("first load: cached %v, storage %q, %d threads; want a download into OPFS on 2 threads", r.Info.Cached, r.Info.Storage, r.Info.Threads)
	}
	r.wantPhases(t, "first load", int64(len(model)), "download", "upload")
	srv.want(t, "after the first load", 1, 0)
	generate(a, "first load")
	models := pageCall[[]storedModel](t, page, "models", a)
	if len(models) != 1 || models[0].URL != good || models[0].Size != int64(len(model)) || models[0].Date == "" || models[0].ETag != `"v1"` {
		t.Fatalf("models: %+v, want %s of %d bytes with a date and ETag \"v1\"", models, good, len(model))
	}
	mem := pageCall[memoryAnswer](t, page, "memory", a)
	if mem.PeakBytes < mem.ArenaBytes+mem.GoBytes || mem.LoadPeakBytes <= 0 || mem.LoadPeakBytes > mem.PeakBytes {
		t.Fatalf("memory: %+v: the peak must cover the arena and Go memory, the load's peak be positive and within it", mem)
	}

	// 2. The same worker again, a new worker, and a revalidating load:
	// all from OPFS.
	pageCall[bool](t, page, "unload", a)
	r = pageCall[loadAnswer](t, page, "load", a, good, map[string]any{"nCtx": 128})
	if !r.Info.Cached || r.Info.Storage != "opfs" {
		t.Fatalf("second load: cached %v, storage %q; want it from OPFS", r.Info.Cached, r.Info.Storage)
	}
	r.wantPhases(t, "second load", int64(len(model)), "cached", "upload")
	srv.want(t, "after the second load", 1, 0)
	generate(a, "second load")
	b := pageCall[int](t, page, "open")
	r = pageCall[loadAnswer](t, page, "load", b, good, map[string]any{"nCtx": 128, "revalidate": true})
	if !r.Info.Cached {
		t.Fatalf("a revalidating load in a new worker: cached %v, want true (the server answers 304)", r.Info.Cached)
	}
	srv.want(t, "after revalidating", 1, 1)
	generate(b, "a new worker")

	// 3. Without the store: in memory, downloaded again.
	c := pageCall[int](t, page, "open")
	r = pageCall[loadAnswer](t, page, "load", c, good, map[string]any{"nCtx": 128, "cache": false})
	if r.Info.Cached || r.Info.Storage != "memory" {
		t.Fatalf("cache: false: cached %v, storage %q; want a download held in memory", r.Info.Cached, r.Info.Storage)
	}
	r.wantPhases(t, "cache: false", int64(len(model)), "download", "upload")
	srv.want(t, "after a load without the store", 2, 1)
	generate(c, "cache: false")

	// 4. Broken downloads: an error each, nothing cached, no file left.
	d := pageCall[int](t, page, "open")
	storeFiles := func(what string) []storedFile {
		files := pageCall[[]storedFile](t, page, "files")
		var models int
		for _, f := range files {
			if f.Name != "index.json" {
				models++
				if f.Size != int64(len(model)) {
					t.Fatalf("%s: a stored file %s of %d bytes, the model has %d", what, f.Name, f.Size, len(model))
				}
			}
		}
		t.Logf("%s: %+v", what, files)
		return files
	}
	cutErr := pageError(t, page, "load", d, srv.base+"/model/cut.gguf", map[string]any{"nCtx": 128})
	if !strings.Contains(cutErr, "cut.gguf") || !strings.Contains(cutErr, "failed after") {
		t.Fatalf("a response cut short: error %q, want one naming the URL and how far it got", cutErr)
	}
	t.Logf("a response cut short: %s", cutErr)
	notErr := pageError(t, page, "load", d, srv.base+"/model/notgguf.gguf", map[string]any{"nCtx": 128})
	if !strings.Contains(notErr, "not a GGUF model file") {
		t.Fatalf("a file that is not GGUF: error %q, want the engine's check saying so", notErr)
	}
	if models := pageCall[[]storedModel](t, page, "models", d); len(models) != 1 || models[0].URL != good {
		t.Fatalf("after two broken downloads the store lists %+v, want only %s", models, good)
	}
	if files := storeFiles("after two broken downloads"); len(files) != 2 {
		t.Fatalf("after two broken downloads OPFS holds %+v, want the index and one model", files)
	}

	// 5. deleteModel, then a load downloads again.
	if !pageCall[bool](t, page, "deleteModel", a, good) {
		t.Fatal("deleteModel of a cached model answered false")
	}
	if models := pageCall[[]storedModel](t, page, "models", a); len(models) != 0 {
		t.Fatalf("after deleteModel the store lists %+v", models)
	}
	if files := storeFiles("after deleteModel"); len(files) != 1 || files[0].Name != "index.json" {
		t.Fatalf("after deleteModel OPFS holds %+v, want the index alone", files)
	}
	if pageCall[bool](t, page, "deleteModel", a, good) {
		t.Fatal("deleteModel of a model no longer cached answered true")
	}
	r = pageCall[loadAnswer](t, page, "load", d, good, map[string]any{"nCtx": 128})
	if r.Info.Cached || r.Info.Storage != "opfs" {
		t.Fatalf("a load after deleteModel: cached %v, storage %q; want a new download into OPFS", r.Info.Cached, r.Info.Storage)
	}
	srv.want(t, "after deleteModel and a load", 3, 1)
	generate(d, "after deleteModel")

	// 6. A publisher's digest: a saved copy is hashed once and kept
	// either way; a download that does not match is an error that
	// caches nothing, in OPFS and in memory.
	sum := sha256.Sum256(model)
	right, wrong := hex.EncodeToString(sum[:]), strings.Repeat("ab", 32)
	e := pageCall[int](t, page, "open")
	wrongErr := pageError(t, page, "load", e, good, map[string]any{"nCtx": 128, "sha256": wrong})
	if !strings.Contains(wrongErr, "saved in this browser") || !strings.Contains(wrongErr, right) || !strings.Contains(wrongErr, wrong) {
		t.Fatalf("a saved copy against a wrong digest: error %q, want one naming both digests", wrongErr)
	}
	if models := pageCall[[]storedModel](t, page, "models", e); len(models) != 1 {
		t.Fatalf("after a digest mismatch the saved copy is gone: %+v", models)
	}
	r = pageCall[loadAnswer](t, page, "load", e, good, map[string]any{"nCtx": 128, "sha256": right})
	if !r.Info.Cached {
		t.Fatalf("the saved copy against its digest: cached %v, want it loaded from OPFS", r.Info.Cached)
	}
	generate(e, "a verified saved copy")
	pageCall[bool](t, page, "deleteModel", e, good)
	f := pageCall[int](t, page, "open")
	for _, cache := range []bool{true, false} {
		got := pageError(t, page, "load", f, good, map[string]any{"nCtx": 128, "sha256": wrong, "cache": cache})
		if !strings.Contains(got, "downloaded file") || !strings.Contains(got, right) {
			t.Fatalf("a download against a wrong digest (cache %v): error %q", cache, got)
		}
	}
	if files := storeFiles("after downloads with a wrong digest"); len(files) != 1 || files[0].Name != "index.json" {
		t.Fatalf("after downloads with a wrong digest OPFS holds %+v, want the index alone", files)
	}
	r = pageCall[loadAnswer](t, page, "load", f, good, map[string]any{"nCtx": 128, "sha256": right})
	if r.Info.Cached || r.Info.Storage != "opfs" {
		t.Fatalf("a download with the right digest: cached %v, storage %q", r.Info.Cached, r.Info.Storage)
	}
	generate(f, "a verified download")
}

// loadAnswer is what the page's load answers.
type loadAnswer struct {
	Info struct {
		Cached  bool   `json:"cached"`
		Storage string `json:"storage"`
		Threads int    `json:"threads"`
		Arch    string `json:"arch"`
	} `json:"info"`
	Events []struct {
		Phase  string `json:"phase"`
		Loaded int64  `json:"loaded"`
		Total  int64  `json:"total"`
		Cached bool   `json:"cached"`
	} `json:"events"`
}

// wantPhases checks that the progress events went through the phases in
// order, the first phase ending with the whole file, and that the upload
// counted the file's bytes.
func (r loadAnswer) wantPhases(t *testing.T, what string, size int64, phases ...string) {
	t.Helper()
	var seen []string
	for _, e := range r.Events {
		if len(seen) == 0 || seen[len(seen)-1] != e.Phase {
			seen = append(seen, e.Phase)
		}
	}
	if !slices.Equal(seen, phases) {
		t.Fatalf("%s: progress phases %v (events %+v), want %v", what, seen, r.Events, phases)
	}
	var last, upload int64
	for _, e := range r.Events {
		if e.Phase == phases[0] {
			last = e.Loaded
			if e.Total != size {
				t.Fatalf("%s: a %s event says the file has %d bytes, it has %d", what, e.Phase, e.Total, size)
			}
		}
		if e.Phase == "upload" {
			upload = max(upload, e.Loaded)
			if e.Total != size || e.Cached != (phases[0] == "cached") {
				t.Fatalf("%s: upload event %+v", what, e)
			}
		}
	}
	if last != size || upload != size {
		t.Fatalf("%s: %s reached %d of %d bytes, the upload %d", what, phases[0], last, size, upload)
	}
}

type storedModel struct {
	URL  string `json:"url"`
	Size int64  `json:"size"`
	Date string `json:"date"`
	ETag string `json:"etag"`
}

type storedFile struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
}

type memoryAnswer struct {
	ArenaBytes    int64 `json:"arenaBytes"`
	GoBytes       int64 `json:"goBytes"`
	PeakBytes     int64 `json:"peakBytes"`
	LoadPeakBytes int64 `json:"loadPeakBytes"`
}

// pageAnswer is what every hearthTest call answers.
type pageAnswer struct {
	OK    json.RawMessage `json:"ok"`
	Error string          `json:"error"`
}

func pageEval(t *testing.T, page context.Context, method string, args ...any) pageAnswer {
	t.Helper()
	if args == nil {
		args = []any{}
	}
	argJSON, err := json.Marshal(args)
	if err != nil {
		t.Fatal(err)
	}
	expr := fmt.Sprintf("hearthTest.%s(...%s)", method, argJSON)
	a, err := chromedp.Run(page, chromedp.Evaluate[pageAnswer](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("%s: %v", expr, err)
	}
	return a
}

// pageCall runs hearthTest[method](args...) in the page and decodes its answer.
func pageCall[T any](t *testing.T, page context.Context, method string, args ...any) T {
	t.Helper()
	var out T
	a := pageEval(t, page, method, args...)
	if a.Error != "" {
		t.Fatalf("%s%v: %s", method, args, a.Error)
	}
	if err := json.Unmarshal(a.OK, &out); err != nil {
		t.Fatalf("%s%v answered %s: %v", method, args, a.OK, err)
	}
	return out
}

// pageError runs a call that must fail and returns its error.
func pageError(t *testing.T, page context.Context, method string, args ...any) string {
	t.Helper()
	a := pageEval(t, page, method, args...)
	if a.Error == "" {
		t.Fatalf("%s%v succeeded (%s); want an error", method, args, a.OK)
	}
	return a.Error
}

// startChromium starts headless Chromium with a fresh profile (as DESIGN.md
// lists its flags) and returns the context of its page; it ends with the
// test.
func startChromium(t *testing.T, ctx context.Context) context.Context {
	t.Helper()
	path, err := chromium.Path()
	if err != nil {
		t.Fatal(err)
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, chromium.Options(path, t.TempDir())...)
	page, cancelPage := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelPage()
		cancelAlloc()
	})
	if err := chromedp.Do(page); err != nil {
		t.Fatalf("starting %s: %v", path, err)
	}
	return page
}

// storeServer serves the test page, the engine (/engine/: the glue and the
// build products) and three models on 127.0.0.1, cross-origin isolated,
// counting the model's GETs by status.
type storeServer struct {
	base      string
	mu        sync.Mutex
	ok, fresh int // GETs of good.gguf answered 200 (a body), 304 (not modified)
}

func startStoreServer(t *testing.T, assets string, model []byte) *storeServer {
	t.Helper()
	s := &storeServer{}
	engine := http.StripPrefix("/engine/", http.FileServer(http.Dir(assets)))
	handler := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		w.Header().Set("Cross-Origin-Resource-Policy", "same-origin")
		switch {
		case r.URL.Path == "/page.html":
			http.ServeFile(w, r, filepath.Join("testdata", "opfs_page.html"))
		case strings.HasPrefix(r.URL.Path, "/engine/"):
			engine.ServeHTTP(w, r)
		case r.URL.Path == "/model/good.gguf":
			w.Header().Set("ETag", `"v1"`)
			sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
			http.ServeContent(sw, r, "good.gguf", time.Time{}, bytes.NewReader(model))
			s.mu.Lock()
			switch sw.status {
			case http.StatusOK:
				s.ok++
			case http.StatusNotModified:
				s.fresh++
			}
			s.mu.Unlock()
		case r.URL.Path == "/model/cut.gguf":
			serveCutShort(w, model)
		case r.URL.Path == "/model/notgguf.gguf":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<!doctype html><p>Not found, but with a 200 status, as some servers do.</p>"))
		default:
			http.NotFound(w, r)
		}
	})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: handler}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s.base = "http://" + ln.Addr().String()
	return s
}

// want checks how the server answered good.gguf so far.
func (s *storeServer) want(t *testing.T, when string, ok, notModified int) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ok != ok || s.fresh != notModified {
		t.Fatalf("%s: the model was sent %d times and answered not-modified %d times; want %d and %d", when, s.ok, s.fresh, ok, notModified)
	}
}

// serveCutShort announces the whole model but sends half of it, in two
// flushes a moment apart (so that the first part reaches the page and is
// written to OPFS), then drops the connection, as a network failure
// mid-download does.
func serveCutShort(w http.ResponseWriter, model []byte) {
	conn, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	defer conn.Close()
	fmt.Fprintf(buf, "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: %d\r\n", len(model))
	for k, v := range w.Header() {
		fmt.Fprintf(buf, "%s: %s\r\n", k, v[0])
	}
	buf.WriteString("Connection: close\r\n\r\n")
	quarter := len(model) / 4
	buf.Write(model[:quarter])
	buf.Flush()
	time.Sleep(200 * time.Millisecond)
	buf.Write(model[quarter : 2*quarter])
	buf.Flush()
	time.Sleep(100 * time.Millisecond)
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}
