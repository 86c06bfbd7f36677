package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"testing"
)

// The embed loader, the widget, the engine and the models are readable and
// embeddable by any origin; the app's own pages are not.
func TestSharedFilesOpenToOtherOrigins(t *testing.T) {
	s := newSite(t)
	for _, name := range []string{"index.html", "app/app.js", "embed.js", "embed/widget.js", "engine/worker.js", "engine/engine.wasm", "models/m.gguf", "other/x.gguf", "dist/embed.wasm", "dist/app.wasm"} {
		s.write(t, name, []byte("GGUF "+name))
	}
	model := filepath.Join(t.TempDir(), "local.gguf")
	if err := os.WriteFile(model, []byte("GGUF local model"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := s.handler(t, model)
	cases := []struct {
		target string
		shared bool
	}{
		{"/", false},
		{"/index.html", false},
		{"/app/app.js", false},
		{"/embed.js", true},
		{"/embed/widget.js", true},
		{"/engine/worker.js", true},
		{"/engine/engine.wasm", true},
		{"/models/m.gguf", true},
		{"/other/x.gguf", true},
		{"/models/local/local.gguf", true},
		{"/engine/missing.js", true},
		{"/dist/embed.wasm", true},
		{"/dist/app.wasm", false},
	}
	for _, c := range cases {
		rec := get(h, c.target, "Origin", "http://127.0.0.1:9")
		corp, acao := rec.Header().Get("Cross-Origin-Resource-Policy"), rec.Header().Get("Access-Control-Allow-Origin")
		if c.shared {
			if corp != "cross-origin" || acao != "*" {
				t.Errorf("%s (status %d): CORP %q, ACAO %q; want cross-origin, *", c.target, rec.Code, corp, acao)
			}
			if got := rec.Header().Get("Access-Control-Expose-Headers"); got == "" {
				t.Errorf("%s: no Access-Control-Expose-Headers (the engine reads Content-Range and ETag)", c.target)
			}
		} else if corp != "same-origin" || acao != "" {
			t.Errorf("%s (status %d): CORP %q, ACAO %q; want same-origin and no CORS", c.target, rec.Code, corp, acao)
		}
		// The app's pages stay cross-origin isolated either way.
		if rec.Header().Get("Cross-Origin-Embedder-Policy") != "require-corp" || rec.Header().Get("Cross-Origin-Opener-Policy") != "same-origin" {
			t.Errorf("%s: lost COOP/COEP: %v", c.target, rec.Header())
		}
	}
}

// A cross-origin revalidation (If-None-Match) is preceded by a preflight,
// which a shared file answers and any other path refuses.
func TestPreflight(t *testing.T) {
	s := newSite(t)
	s.write(t, "models/m.gguf", []byte("GGUF"))
	s.write(t, "index.html", []byte("<p>home</p>"))
	h := s.handler(t, "")
	req := httptest.NewRequest(http.MethodOptions, "/models/m.gguf", nil)
	req.Header.Set("Origin", "http://127.0.0.1:9")
	req.Header.Set("Access-Control-Request-Method", "GET")
	req.Header.Set("Access-Control-Request-Headers", "if-none-match")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusNoContent {
		t.Errorf("preflight of a model: status %d, want 204", rec.Code)
	}
	for k, want := range map[string]string{
		"Access-Control-Allow-Origin":  "*",
		"Access-Control-Allow-Methods": "GET, HEAD",
		"Access-Control-Allow-Headers": "Range, If-None-Match, If-Modified-Since, Cache-Control",
	} {
		if got := rec.Header().Get(k); got != want {
			t.Errorf("preflight: %s = %q, want %q", k, got, want)
		}
	}
	req = httptest.NewRequest(http.MethodOptions, "/index.html", nil)
	rec = httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusMethodNotAllowed {
		t.Errorf("OPTIONS on the app's page: status %d, want 405", rec.Code)
	}
}
