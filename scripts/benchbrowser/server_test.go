package main

import (
	"bytes"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// testSite is a web directory with a page and a wasm file, and a model file
// of known bytes, served the way the benchmark serves them.
func testSite(t *testing.T) (srv *server, model string, modelBytes []byte) {
	t.Helper()
	dir := t.TempDir()
	web := filepath.Join(dir, "web")
	for name, body := range map[string]string{
		"bench/page.html":         "<!doctype html><title>p</title>",
		"node_modules/x/mod.wasm": "\x00asm\x01\x00\x00\x00",
		"node_modules/x/mod.js":   "export const x = 1;",
	} {
		p := filepath.Join(web, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	modelBytes = make([]byte, 100000)
	for i := range modelBytes {
		modelBytes[i] = byte(i * 7)
	}
	model = filepath.Join(dir, "tiny.gguf")
	if err := os.WriteFile(model, modelBytes, 0o644); err != nil {
		t.Fatal(err)
	}
	srv, err := startServer(web, model)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.close)
	return srv, model, modelBytes
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

func TestServerMakesPagesCrossOriginIsolated(t *testing.T) {
	srv, model, _ := testSite(t)
	for _, path := range []string{"/bench/page.html", "/node_modules/x/mod.wasm", "/node_modules/x/mod.js", "/model/" + filepath.Base(model), "/missing.html"} {
		resp, _ := get(t, srv.base+path, nil)
		if got := resp.Header.Get("Cross-Origin-Opener-Policy"); got != "same-origin" {
			t.Errorf("%s: Cross-Origin-Opener-Policy %q, want same-origin", path, got)
		}
		if got := resp.Header.Get("Cross-Origin-Embedder-Policy"); got != "require-corp" {
			t.Errorf("%s: Cross-Origin-Embedder-Policy %q, want require-corp", path, got)
		}
		// Go's file server drops Cache-Control from error answers.
		if got := resp.Header.Get("Cache-Control"); resp.StatusCode == http.StatusOK && got != "no-store" {
			t.Errorf("%s: Cache-Control %q, want no-store", path, got)
		}
	}
}

func TestServerGivesModulesAndWasmTheirTypes(t *testing.T) {
	srv, _, _ := testSite(t)
	for path, want := range map[string]string{
		"/node_modules/x/mod.wasm": "application/wasm",
		"/node_modules/x/mod.js":   "text/javascript",
		"/bench/page.html":         "text/html",
	} {
		resp, _ := get(t, srv.base+path, nil)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), want) {
			t.Errorf("%s: status %d, Content-Type %q, want 200 and %s", path, resp.StatusCode, resp.Header.Get("Content-Type"), want)
		}
	}
}

func TestServerServesTheModelWithRanges(t *testing.T) {
	srv, model, data := testSite(t)
	url := srv.modelURL(model)

	resp, body := get(t, url, nil)
	if resp.StatusCode != http.StatusOK || !bytes.Equal(body, data) {
		t.Fatalf("whole file: status %d, %d bytes, want 200 and the %d bytes of the file", resp.StatusCode, len(body), len(data))
	}
	if resp.Header.Get("Accept-Ranges") != "bytes" {
		t.Errorf("Accept-Ranges %q, want bytes", resp.Header.Get("Accept-Ranges"))
	}

	resp, body = get(t, url, map[string]string{"Range": "bytes=1000-1999"})
	if resp.StatusCode != http.StatusPartialContent || !bytes.Equal(body, data[1000:2000]) {
		t.Errorf("range 1000-1999: status %d, %d bytes, want 206 and bytes 1000..1999 of the file", resp.StatusCode, len(body))
	}
	if got, want := resp.Header.Get("Content-Range"), "bytes 1000-1999/100000"; got != want {
		t.Errorf("Content-Range %q, want %q", got, want)
	}

	resp, _ = get(t, url, map[string]string{"Range": "bytes=200000-"})
	if resp.StatusCode != http.StatusRequestedRangeNotSatisfiable {
		t.Errorf("range past the end: status %d, want 416", resp.StatusCode)
	}
}

func TestServerRefusesOtherFilesAndMethods(t *testing.T) {
	srv, _, _ := testSite(t)
	if resp, _ := get(t, srv.base+"/model/other.gguf", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another model name: status %d, want 404", resp.StatusCode)
	}
	resp, err := http.Post(srv.base+"/bench/page.html", "text/plain", strings.NewReader("x"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d, want 405", resp.StatusCode)
	}
}
