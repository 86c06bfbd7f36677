package main

import (
	"bytes"
	"compress/gzip"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

// site is a web root in a temporary folder with a file outside it.
type site struct {
	dir    string // the web root
	secret string // a file next to the root, never to be served
}

// newSite makes a temporary folder with web/ (the root) and secret.txt
// beside it.
func newSite(t *testing.T) site {
	t.Helper()
	base := t.TempDir()
	s := site{dir: filepath.Join(base, "web"), secret: filepath.Join(base, "secret.txt")}
	if err := os.Mkdir(s.dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.secret, []byte("top secret"), 0o644); err != nil {
		t.Fatal(err)
	}
	return s
}

// write creates a file under the root and returns its content.
func (s site) write(t *testing.T, name string, content []byte) []byte {
	t.Helper()
	p := filepath.Join(s.dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return content
}

// setTime sets the modification time of a file under the root.
func (s site) setTime(t *testing.T, name string, when time.Time) {
	t.Helper()
	if err := os.Chtimes(filepath.Join(s.dir, filepath.FromSlash(name)), when, when); err != nil {
		t.Fatal(err)
	}
}

// handler builds the server over the site.
func (s site) handler(t *testing.T, model string) http.Handler {
	t.Helper()
	h, err := New(Options{Root: s.dir, Model: model})
	if err != nil {
		t.Fatal(err)
	}
	return h
}

// get sends a GET with the given header pairs.
func get(h http.Handler, target string, header ...string) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodGet, target, nil)
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}

// pattern returns n bytes that compress well but are not all alike.
func pattern(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = "hearth wasm engine "[i%19] + byte(i/1000)
	}
	return b
}

func gzipBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := gzip.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func brotliBytes(t *testing.T, b []byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w := brotli.NewWriter(&buf)
	if _, err := w.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// checkIsolation fails unless the response carries COOP, COEP and a CORP:
// cross-origin for the files other origins may embed (cors_test.go checks
// which those are), same-origin otherwise.
func checkIsolation(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	want := map[string]string{
		"Cross-Origin-Opener-Policy":   "same-origin",
		"Cross-Origin-Embedder-Policy": "require-corp",
	}
	for k, v := range want {
		if got := rec.Header().Get(k); got != v {
			t.Errorf("%s (status %d): %s = %q, want %q", what, rec.Code, k, got, v)
		}
	}
	corp := rec.Header().Get("Cross-Origin-Resource-Policy")
	acao := rec.Header().Get("Access-Control-Allow-Origin")
	switch {
	case corp == "same-origin" && acao == "":
	case corp == "cross-origin" && acao == "*":
	default:
		t.Errorf("%s (status %d): Cross-Origin-Resource-Policy %q with Access-Control-Allow-Origin %q", what, rec.Code, corp, acao)
	}
}
