package main

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestContentTypes(t *testing.T) {
	s := newSite(t)
	cases := map[string]string{
		"index.html":                "text/html; charset=utf-8",
		"engine/engine.wasm":        "application/wasm",
		"engine/hearth.js":          "text/javascript; charset=utf-8",
		"engine/mod.mjs":            "text/javascript; charset=utf-8",
		"catalog.json":              "application/json",
		"style.css":                 "text/css; charset=utf-8",
		"icon.svg":                  "image/svg+xml",
		"icon.png":                  "image/png",
		"manifest.webmanifest":      "application/manifest+json",
		"models/tiny.gguf":          "application/octet-stream",
		"UPPER.WASM":                "application/wasm",
		"no-extension":              "application/octet-stream",
		"engine/engine.wasm.map.js": "text/javascript; charset=utf-8",
	}
	for name := range cases {
		// Content that a sniffer would take for HTML, so only the table
		// can give the right answer.
		s.write(t, name, []byte("<!doctype html><html>"+name+"</html>"))
	}
	h := s.handler(t, "")
	for name, want := range cases {
		rec := get(h, "/"+name)
		if rec.Code != http.StatusOK {
			t.Errorf("%s: status %d", name, rec.Code)
			continue
		}
		if got := rec.Header().Get("Content-Type"); got != want {
			t.Errorf("%s: Content-Type %q, want %q", name, got, want)
		}
		if got := rec.Header().Get("X-Content-Type-Options"); got != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", name, got)
		}
		checkIsolation(t, name, rec)
	}
}

func TestIsolationHeadersOnEveryResponse(t *testing.T) {
	s := newSite(t)
	s.write(t, "index.html", []byte("<p>home</p>"))
	s.write(t, "app.js", pattern(100))
	s.write(t, "sub/index.html", []byte("<p>sub</p>"))
	h := s.handler(t, "")
	cases := []struct {
		name   string
		method string
		target string
		header []string
		status int
	}{
		{"root", "GET", "/", nil, 200},
		{"file", "GET", "/app.js", nil, 200},
		{"head", "HEAD", "/app.js", nil, 200},
		{"missing", "GET", "/nope.js", nil, 404},
		{"folder redirect", "GET", "/sub", nil, 301},
		{"post", "POST", "/app.js", nil, 405},
		{"dot dot", "GET", "/../secret.txt", nil, 400},
		{"range", "GET", "/app.js", []string{"Range", "bytes=0-9"}, 206},
		{"bad range", "GET", "/app.js", []string{"Range", "bytes=500-600"}, 416},
		{"not modified", "GET", "/app.js", []string{"If-Modified-Since", time.Now().Add(time.Hour).UTC().Format(http.TimeFormat)}, 304},
		{"model list", "GET", "/models/local.json", nil, 200},
		{"no model", "GET", "/models/local/x.gguf", nil, 404},
	}
	for _, c := range cases {
		req := httptest.NewRequest(c.method, c.target, nil)
		for i := 0; i+1 < len(c.header); i += 2 {
			req.Header.Set(c.header[i], c.header[i+1])
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != c.status {
			t.Errorf("%s: status %d, want %d", c.name, rec.Code, c.status)
		}
		checkIsolation(t, c.name, rec)
	}
}

func TestRangeRequest(t *testing.T) {
	s := newSite(t)
	content := s.write(t, "engine/engine.wasm", pattern(5000))
	s.write(t, "engine/engine.wasm.gz", gzipBytes(t, content))
	h := s.handler(t, "")
	// Accept-Encoding is sent as a browser would: the range must still be
	// one of the original bytes, not of the .gz.
	rec := get(h, "/engine/engine.wasm", "Range", "bytes=1000-1099", "Accept-Encoding", "gzip, br")
	if rec.Code != http.StatusPartialContent {
		t.Fatalf("status %d, want 206", rec.Code)
	}
	if !bytes.Equal(rec.Body.Bytes(), content[1000:1100]) {
		t.Errorf("range body differs from bytes 1000-1099 of the file (got %d bytes)", rec.Body.Len())
	}
	if got, want := rec.Header().Get("Content-Range"), "bytes 1000-1099/5000"; got != want {
		t.Errorf("Content-Range %q, want %q", got, want)
	}
	if got := rec.Header().Get("Content-Encoding"); got != "" {
		t.Errorf("range answered with Content-Encoding %q", got)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/wasm" {
		t.Errorf("Content-Type %q", got)
	}
	// A suffix range reaches the end of the file.
	rec = get(h, "/engine/engine.wasm", "Range", "bytes=-10")
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), content[4990:]) {
		t.Errorf("suffix range: status %d, %d bytes", rec.Code, rec.Body.Len())
	}
}

func TestCachingHeaders(t *testing.T) {
	s := newSite(t)
	s.write(t, "index.html", []byte("<p>home</p>"))
	s.write(t, "sw.js", []byte("self.addEventListener('fetch', () => {})"))
	s.write(t, "engine/engine.wasm", pattern(3000))
	h := s.handler(t, "")
	for _, p := range []string{"/", "/index.html", "/sw.js", "/engine/engine.wasm"} {
		if got := get(h, p).Header().Get("Cache-Control"); got != "no-cache" {
			t.Errorf("%s: Cache-Control %q, want no-cache", p, got)
		}
	}
	rec := get(h, "/engine/engine.wasm")
	tag := rec.Header().Get("ETag")
	if tag == "" || rec.Header().Get("Last-Modified") == "" {
		t.Fatalf("wasm: ETag %q, Last-Modified %q", tag, rec.Header().Get("Last-Modified"))
	}
	if rec := get(h, "/engine/engine.wasm", "If-None-Match", tag); rec.Code != http.StatusNotModified {
		t.Errorf("If-None-Match with the ETag: status %d, want 304", rec.Code)
	}
	s.write(t, "engine/engine.wasm", pattern(3001))
	if rec := get(h, "/engine/engine.wasm", "If-None-Match", tag); rec.Code != http.StatusOK {
		t.Errorf("If-None-Match after a rebuild: status %d, want 200", rec.Code)
	}
}

func TestFolders(t *testing.T) {
	s := newSite(t)
	s.write(t, "sub/index.html", []byte("<p>sub page</p>"))
	s.write(t, "bare/listed-file.js", []byte("let x"))
	h := s.handler(t, "")

	rec := get(h, "/sub/")
	if rec.Code != http.StatusOK || rec.Body.String() != "<p>sub page</p>" {
		t.Errorf("/sub/: status %d, body %q", rec.Code, rec.Body.String())
	}
	if got := rec.Header().Get("Content-Type"); got != "text/html; charset=utf-8" {
		t.Errorf("/sub/: Content-Type %q", got)
	}
	rec = get(h, "/sub?x=1")
	if rec.Code != http.StatusMovedPermanently || rec.Header().Get("Location") != "/sub/?x=1" {
		t.Errorf("/sub: status %d, Location %q", rec.Code, rec.Header().Get("Location"))
	}
	for _, p := range []string{"/bare/", "/"} {
		rec = get(h, p)
		if rec.Code != http.StatusNotFound {
			t.Errorf("%s (no index.html): status %d, want 404", p, rec.Code)
		}
		if strings.Contains(rec.Body.String(), "listed-file") || strings.Contains(rec.Body.String(), "bare") {
			t.Errorf("%s: body lists the folder: %q", p, rec.Body.String())
		}
	}
}

func TestPathEscapeRefused(t *testing.T) {
	s := newSite(t)
	s.write(t, "app.js", []byte("let app"))
	outside := filepath.Dir(s.dir)
	if err := os.Symlink(s.secret, filepath.Join(s.dir, "leak.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(outside, filepath.Join(s.dir, "leakdir")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("app.js", filepath.Join(s.dir, "alias.js")); err != nil {
		t.Fatal(err)
	}
	h := s.handler(t, "")
	for _, target := range []string{
		"/../secret.txt",
		"/%2e%2e/secret.txt",
		"/app.js/../../secret.txt",
		"/leak.txt",
		"/leakdir/secret.txt",
		"/leakdir/web/app.js",
	} {
		rec := get(h, target)
		if rec.Code == http.StatusOK || strings.Contains(rec.Body.String(), "secret") || strings.Contains(rec.Body.String(), "let app") {
			t.Errorf("%s: status %d, body %q: want a refusal", target, rec.Code, rec.Body.String())
		}
		checkIsolation(t, target, rec)
	}
	// A symlink that stays inside the root is followed.
	if rec := get(h, "/alias.js"); rec.Code != http.StatusOK || rec.Body.String() != "let app" {
		t.Errorf("/alias.js: status %d, body %q", rec.Code, rec.Body.String())
	}
}

func TestNewRejectsBadRoot(t *testing.T) {
	s := newSite(t)
	if _, err := New(Options{Root: filepath.Join(s.dir, "missing")}); err == nil {
		t.Error("missing root accepted")
	}
	if _, err := New(Options{Root: s.secret}); err == nil || !strings.Contains(err.Error(), "not a folder") {
		t.Errorf("file as root: err %v", err)
	}
}
