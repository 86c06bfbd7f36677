package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// writeGGUF writes a file that starts like a GGUF file (magic, version 3)
// followed by n bytes of a pattern.
func writeGGUF(t *testing.T, dir, name string, n int) (string, []byte) {
	t.Helper()
	content := append([]byte("GGUF\x03\x00\x00\x00"), pattern(n)...)
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, content, 0o644); err != nil {
		t.Fatal(err)
	}
	return p, content
}

func TestLocalModelServedAndListed(t *testing.T) {
	s := newSite(t)
	path, content := writeGGUF(t, t.TempDir(), "my model q8.gguf", 10000)
	h := s.handler(t, path)

	rec := get(h, "/models/local.json")
	if rec.Code != http.StatusOK {
		t.Fatalf("local.json: status %d", rec.Code)
	}
	if got := rec.Header().Get("Content-Type"); got != "application/json" {
		t.Errorf("local.json: Content-Type %q", got)
	}
	var list []localModelEntry
	if err := json.Unmarshal(rec.Body.Bytes(), &list); err != nil {
		t.Fatalf("local.json: %v in %q", err, rec.Body.String())
	}
	want := localModelEntry{Name: "my model q8.gguf", Size: int64(len(content)), URL: "/models/local/my%20model%20q8.gguf"}
	if len(list) != 1 || list[0] != want {
		t.Fatalf("local.json = %+v, want [%+v]", list, want)
	}
	if !strings.Contains(rec.Body.String(), `"name":`) || !strings.Contains(rec.Body.String(), `"url":`) {
		t.Errorf("local.json field names: %s", rec.Body.String())
	}

	rec = get(h, list[0].URL)
	if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), content) {
		t.Fatalf("model: status %d, %d bytes, want %d", rec.Code, rec.Body.Len(), len(content))
	}
	if got := rec.Header().Get("Content-Type"); got != "application/octet-stream" {
		t.Errorf("model: Content-Type %q", got)
	}
	if got := rec.Header().Get("Accept-Ranges"); got != "bytes" {
		t.Errorf("model: Accept-Ranges %q", got)
	}
	checkIsolation(t, "model", rec)

	rec = get(h, list[0].URL, "Range", "bytes=4096-8191")
	if rec.Code != http.StatusPartialContent || !bytes.Equal(rec.Body.Bytes(), content[4096:8192]) {
		t.Errorf("model range: status %d, %d bytes", rec.Code, rec.Body.Len())
	}
	if got := rec.Header().Get("Content-Range"); got != "bytes 4096-8191/10008" {
		t.Errorf("model range: Content-Range %q", got)
	}

	for _, other := range []string{"/models/local/other.gguf", "/models/local/", "/models/local/my%20model%20q8.gguf/x"} {
		if rec := get(h, other); rec.Code != http.StatusNotFound {
			t.Errorf("%s: status %d, want 404", other, rec.Code)
		}
	}
}

func TestLocalModelListEmptyWithoutModel(t *testing.T) {
	s := newSite(t)
	rec := get(s.handler(t, ""), "/models/local.json")
	if rec.Code != http.StatusOK || strings.TrimSpace(rec.Body.String()) != "[]" {
		t.Errorf("local.json without a model: status %d, body %q", rec.Code, rec.Body.String())
	}
}

func TestBadModelRefused(t *testing.T) {
	s := newSite(t)
	dir := t.TempDir()
	notGGUF := filepath.Join(dir, "model.gguf")
	if err := os.WriteFile(notGGUF, []byte("<!doctype html> not a model"), 0o644); err != nil {
		t.Fatal(err)
	}
	short := filepath.Join(dir, "short.gguf")
	if err := os.WriteFile(short, []byte("GG"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := map[string]string{
		filepath.Join(dir, "missing.gguf"): "no such file",
		notGGUF:                            "not a GGUF file",
		short:                              "only 2 bytes",
		dir:                                "not a regular file",
	}
	for path, want := range cases {
		_, err := New(Options{Root: s.dir, Model: path})
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("model %s: err %v, want one saying %q", path, err, want)
		}
	}

	// run stops on the bad model before it listens (were it listening, it
	// would not return).
	done := make(chan error, 1)
	go func() { done <- run("127.0.0.1:0", Options{Root: s.dir, Model: notGGUF}) }()
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "not a GGUF file") {
			t.Fatalf("run with a bad model: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run with a bad model is serving instead of failing")
	}
}
