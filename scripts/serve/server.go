package main

import (
	"fmt"
	"net/http"
	"os"
	"strings"
)

// Options says what the handler built by New serves.
type Options struct {
	// Root is the folder served at / (web/ for `make run`).
	Root string
	// Model, if not empty, is a GGUF file offered to the page: served at
	// /models/local/<base name> and listed in /models/local.json.
	Model string
}

// server answers every request: the local model routes first, then the
// files under the web root.
type server struct {
	root  *os.Root
	model *localModel
}

// New checks opts and returns the handler of the app server. It fails,
// naming the problem, when the root is not a readable folder or the model
// is missing or not a GGUF file, so that a bad flag stops the server before
// it listens.
func New(opts Options) (http.Handler, error) {
	info, err := os.Stat(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("web root: %w", err)
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("web root %s is not a folder", opts.Root)
	}
	root, err := os.OpenRoot(opts.Root)
	if err != nil {
		return nil, fmt.Errorf("web root: %w", err)
	}
	s := &server{root: root}
	if opts.Model != "" {
		if s.model, err = openLocalModel(opts.Model); err != nil {
			root.Close()
			return nil, err
		}
	}
	return s, nil
}

// ServeHTTP sets the isolation headers on every response (errors included),
// opens the files other origins may embed to them (cors.go), accepts only
// GET and HEAD (and a CORS preflight of a shared file), and routes the
// request.
func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	setIsolationHeaders(w.Header())
	shared := isShared(r.URL.Path)
	if shared {
		setCORSHeaders(w.Header())
		if r.Method == http.MethodOptions {
			servePreflight(w)
			return
		}
	}
	if r.Method != http.MethodGet && r.Method != http.MethodHead {
		w.Header().Set("Allow", "GET, HEAD")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	switch {
	case r.URL.Path == localModelList:
		s.serveModelList(w, r)
	case strings.HasPrefix(r.URL.Path, localModelPrefix):
		s.serveModel(w, r)
	default:
		s.serveStatic(w, r)
	}
}
