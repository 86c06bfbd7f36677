package main

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/andybalholm/brotli"
)

func TestPrecompressedVariants(t *testing.T) {
	s := newSite(t)
	content := s.write(t, "engine/hearth.js", pattern(4000))
	gz := s.write(t, "engine/hearth.js.gz", gzipBytes(t, content))
	br := s.write(t, "engine/hearth.js.br", brotliBytes(t, content))
	h := s.handler(t, "")

	cases := []struct {
		accept string
		coding string
		body   []byte
	}{
		{"", "", content},
		{"gzip", "gzip", gz},
		{"gzip, deflate, br, zstd", "br", br},
		{"br;q=0, gzip", "gzip", gz},
		{"gzip;q=0", "", content},
		{"identity", "", content},
		{"*", "br", br},
		{"*, br;q=0", "gzip", gz},
		{"GZIP;q=0.5", "gzip", gz},
		{"gzip;q=nonsense", "", content},
	}
	for _, c := range cases {
		rec := get(h, "/engine/hearth.js", "Accept-Encoding", c.accept)
		if rec.Code != http.StatusOK {
			t.Errorf("Accept-Encoding %q: status %d", c.accept, rec.Code)
			continue
		}
		if got := rec.Header().Get("Content-Encoding"); got != c.coding {
			t.Errorf("Accept-Encoding %q: Content-Encoding %q, want %q", c.accept, got, c.coding)
		}
		if !bytes.Equal(rec.Body.Bytes(), c.body) {
			t.Errorf("Accept-Encoding %q: body of %d bytes is not the expected %d", c.accept, rec.Body.Len(), len(c.body))
		}
		if got := rec.Header().Get("Content-Type"); got != "text/javascript; charset=utf-8" {
			t.Errorf("Accept-Encoding %q: Content-Type %q", c.accept, got)
		}
		if !strings.Contains(rec.Header().Get("Vary"), "Accept-Encoding") {
			t.Errorf("Accept-Encoding %q: Vary %q", c.accept, rec.Header().Get("Vary"))
		}
		if got, want := rec.Header().Get("Content-Length"), strconv.Itoa(len(c.body)); got != want {
			t.Errorf("Accept-Encoding %q: Content-Length %q, want %s", c.accept, got, want)
		}
		checkIsolation(t, c.accept, rec)
	}

	// HEAD and a revalidation of the gzip copy keep their meaning.
	req := httptest.NewRequest(http.MethodHead, "/engine/hearth.js", nil)
	req.Header.Set("Accept-Encoding", "gzip")
	head := httptest.NewRecorder()
	h.ServeHTTP(head, req)
	if head.Code != http.StatusOK || head.Body.Len() != 0 || head.Header().Get("Content-Length") != strconv.Itoa(len(gz)) {
		t.Errorf("HEAD gzip: status %d, %d body bytes, Content-Length %q", head.Code, head.Body.Len(), head.Header().Get("Content-Length"))
	}
	tag := head.Header().Get("ETag")
	if rec := get(h, "/engine/hearth.js", "Accept-Encoding", "gzip", "If-None-Match", tag); rec.Code != http.StatusNotModified || rec.Body.Len() != 0 {
		t.Errorf("If-None-Match on the gzip copy: status %d, %d body bytes", rec.Code, rec.Body.Len())
	}

	// The bodies really are the file, once decoded as the header says.
	rec := get(h, "/engine/hearth.js", "Accept-Encoding", "gzip")
	zr, err := gzip.NewReader(rec.Body)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := io.ReadAll(zr); err != nil || !bytes.Equal(got, content) {
		t.Errorf("gzip body does not decode to the file (err %v)", err)
	}
	rec = get(h, "/engine/hearth.js", "Accept-Encoding", "br")
	if got, err := io.ReadAll(brotli.NewReader(rec.Body)); err != nil || !bytes.Equal(got, content) {
		t.Errorf("br body does not decode to the file (err %v)", err)
	}

	// Each representation has its own ETag.
	plain := get(h, "/engine/hearth.js").Header().Get("ETag")
	zipped := get(h, "/engine/hearth.js", "Accept-Encoding", "gzip").Header().Get("ETag")
	if plain == "" || plain == zipped {
		t.Errorf("ETags: identity %q, gzip %q", plain, zipped)
	}
}

func TestStaleVariantIgnored(t *testing.T) {
	s := newSite(t)
	old := s.write(t, "app.js", pattern(3000))
	s.write(t, "app.js.gz", gzipBytes(t, old))
	s.write(t, "app.js.br", brotliBytes(t, old))
	now := time.Now()
	s.setTime(t, "app.js.gz", now.Add(-time.Minute))
	s.setTime(t, "app.js.br", now.Add(-time.Minute))
	fresh := s.write(t, "app.js", pattern(3100))
	s.setTime(t, "app.js", now)
	h := s.handler(t, "")

	rec := get(h, "/app.js", "Accept-Encoding", "gzip, br")
	if got := rec.Header().Get("Content-Encoding"); got != "" {
		t.Errorf("stale copies: Content-Encoding %q, want none", got)
	}
	if !bytes.Equal(rec.Body.Bytes(), fresh) {
		t.Errorf("stale copies: body is not the current file")
	}

	// A copy with the same time as the source (as precompress writes it)
	// is current.
	s.write(t, "app.js.gz", gzipBytes(t, fresh))
	s.setTime(t, "app.js.gz", now)
	rec = get(h, "/app.js", "Accept-Encoding", "gzip, br")
	if got := rec.Header().Get("Content-Encoding"); got != "gzip" {
		t.Errorf("current .gz beside a stale .br: Content-Encoding %q, want gzip", got)
	}
}
