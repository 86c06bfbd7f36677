package main

import (
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
)

// modelPath is the URL path under which the server offers the model file.
const modelPath = "/model/"

// isolationHeaders are the headers that make a page cross-origin isolated
// (COOP + COEP), the condition for SharedArrayBuffer and so for wasm threads
// and for performance.measureUserAgentSpecificMemory. CORP lets an isolated
// page load the resource; everything here is same-origin anyway.
var isolationHeaders = map[string]string{
	"Cross-Origin-Opener-Policy":   "same-origin",
	"Cross-Origin-Embedder-Policy": "require-corp",
	"Cross-Origin-Resource-Policy": "same-origin",
}

// newHandler serves the web directory (the bench pages and node_modules) at
// / and the model file at /model/<its base name>, with range requests, the
// isolation headers and no caching, so that no run reuses another's bytes.
// more are further files offered the same way (a vision model's mmproj
// file, the image its runs ask about).
func newHandler(webDir, modelFile string, more ...string) http.Handler {
	files := http.FileServer(http.Dir(webDir))
	modelName := filepath.Base(modelFile)
	extra := map[string]string{}
	for _, f := range more {
		extra[filepath.Base(f)] = f
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for k, v := range isolationHeaders {
			w.Header().Set(k, v)
		}
		w.Header().Set("Cache-Control", "no-store")
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		if name, ok := strings.CutPrefix(r.URL.Path, modelPath); ok {
			if f, ok := extra[name]; ok {
				serveModel(w, r, f)
				return
			}
			if modelFile == "" || name != modelName {
				http.NotFound(w, r)
				return
			}
			serveModel(w, r, modelFile)
			return
		}
		if t := mime.TypeByExtension(filepath.Ext(r.URL.Path)); t != "" {
			w.Header().Set("Content-Type", t)
		}
		files.ServeHTTP(w, r)
	})
}

// serveModel sends the GGUF file; http.ServeContent answers Range requests.
func serveModel(w http.ResponseWriter, r *http.Request, path string) {
	f, err := os.Open(path)
	if err != nil {
		http.Error(w, "model file: "+err.Error(), http.StatusInternalServerError)
		return
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		http.Error(w, "model file: "+err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/octet-stream")
	http.ServeContent(w, r, filepath.Base(path), st.ModTime(), f)
}

// server is the HTTP server on a loopback port.
type server struct {
	base string // http://127.0.0.1:port
	srv  *http.Server
}

// startServer listens on 127.0.0.1 at a free port.
func startServer(webDir, modelFile string, more ...string) (*server, error) {
	// .wasm and .mjs must carry their proper types: browsers refuse wasm
	// streaming compilation and module scripts otherwise.
	for ext, typ := range map[string]string{".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript"} {
		if err := mime.AddExtensionType(ext, typ); err != nil {
			return nil, fmt.Errorf("registering the type of %s: %w", ext, err)
		}
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listening on 127.0.0.1: %w", err)
	}
	s := &server{base: "http://" + ln.Addr().String(), srv: &http.Server{Handler: newHandler(webDir, modelFile, more...)}}
	go s.srv.Serve(ln)
	return s, nil
}

// modelURL is where the page fetches the model.
func (s *server) modelURL(modelFile string) string {
	return s.base + modelPath + url.PathEscape(filepath.Base(modelFile))
}

func (s *server) close() { s.srv.Close() }
