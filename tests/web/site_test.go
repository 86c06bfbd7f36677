//go:build !js

package web

import (
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/wasm"
)

// built holds the page's build products, made once per test binary into a
// temporary folder (never into web/, which may hold someone's own build):
// engine/ (engine.wasm, the kernels, wasm_exec.js) and dist/ (app.wasm).
var built struct {
	once sync.Once
	dir  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if built.dir != "" {
		os.RemoveAll(built.dir)
	}
	os.Exit(code)
}

// buildOutputs builds the engine and the app (once) and returns their folder.
func buildOutputs(t *testing.T) string {
	t.Helper()
	built.once.Do(func() {
		goCmd, err := exec.LookPath("go")
		if err != nil {
			built.err = err
			return
		}
		root, err := testdata.RepoRoot()
		if err != nil {
			built.err = err
			return
		}
		if built.dir, built.err = os.MkdirTemp("", "hearth-web-"); built.err != nil {
			return
		}
		if built.err = wasm.BuildAssets(goCmd, root, filepath.Join(built.dir, "engine")); built.err != nil {
			return
		}
		built.err = wasm.BuildApp(goCmd, root, filepath.Join(built.dir, "dist"))
	})
	if built.err != nil {
		t.Fatal("building the page: ", built.err)
	}
	return built.dir
}

// site serves web/ as `make run` does (with the cross-origin isolation
// headers that let the engine use threads), the fresh build products over
// web/'s own, and the files of models under /models/, sent slowly enough
// that a download's progress can be watched.
type site struct {
	*httptest.Server
	models map[string]string // URL path → file
}

// modelChunk and modelPause pace the model downloads: 256 KiB every 15 ms,
// about 17 MB/s.
const (
	modelChunk = 256 << 10
	modelPause = 15 * time.Millisecond
)

func newSite(t *testing.T, models map[string]string) *site {
	t.Helper()
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	outputs := buildOutputs(t)
	web := http.FileServer(http.Dir(filepath.Join(root, "web")))
	fresh := http.FileServer(http.Dir(outputs))
	s := &site{models: models}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Cross-Origin-Opener-Policy", "same-origin")
		w.Header().Set("Cross-Origin-Embedder-Policy", "require-corp")
		w.Header().Set("Cache-Control", "no-store")
		p := path.Clean(r.URL.Path)
		switch {
		case s.models[p] != "":
			serveSlowly(w, r, s.models[p])
		case strings.HasPrefix(p, "/dist/"), strings.HasPrefix(p, "/engine/") && (path.Ext(p) == ".wasm" || path.Base(p) == wasm.WasmExecFile):
			fresh.ServeHTTP(w, r)
		default:
			web.ServeHTTP(w, r)
		}
	}))
	t.Cleanup(s.Close)
	return s
}

// serveSlowly sends a file in paced chunks, with its length, as a network
// would.
func serveSlowly(w http.ResponseWriter, r *http.Request, file string) {
	b, err := os.ReadFile(file)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Length", strconv.Itoa(len(b)))
	flusher, _ := w.(http.Flusher)
	for off := 0; off < len(b); off += modelChunk {
		if _, err := w.Write(b[off:min(off+modelChunk, len(b))]); err != nil {
			return
		}
		if flusher != nil {
			flusher.Flush()
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(modelPause):
		}
	}
}
