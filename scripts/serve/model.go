package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
)

const (
	// localModelList is the URL of the JSON list of models offered by -model.
	localModelList = "/models/local.json"
	// localModelPrefix is the URL folder the offered model is served from.
	localModelPrefix = "/models/local/"
	// ggufMagic opens every GGUF file.
	ggufMagic = "GGUF"
)

// localModel is a GGUF file on this machine that the page may load.
type localModel struct {
	path string // where it is on disk
	name string // its base name, the last segment of its URL
}

// localModelEntry is one item of /models/local.json.
type localModelEntry struct {
	Name string `json:"name"`
	Size int64  `json:"size"`
	URL  string `json:"url"`
}

// openLocalModel checks that path is a readable regular file that starts
// with the GGUF magic.
func openLocalModel(path string) (*localModel, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("model: %w", err)
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("model %s is not a regular file", path)
	}
	magic := make([]byte, len(ggufMagic))
	if _, err := io.ReadFull(f, magic); err != nil {
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, fmt.Errorf("model %s is not a GGUF file: only %d bytes long", path, info.Size())
		}
		return nil, fmt.Errorf("model %s: %w", path, err)
	}
	if string(magic) != ggufMagic {
		return nil, fmt.Errorf("model %s is not a GGUF file: it starts with %q, not %q", path, magic, ggufMagic)
	}
	return &localModel{path: path, name: filepath.Base(path)}, nil
}

// modelURL is where the page fetches a model file with this base name.
func modelURL(name string) string {
	return localModelPrefix + url.PathEscape(name)
}

// serveModelList answers /models/local.json: the offered model with its
// current size, or an empty list when there is none (or it has gone).
func (s *server) serveModelList(w http.ResponseWriter, r *http.Request) {
	entries := []localModelEntry{}
	if s.model != nil {
		if info, err := os.Stat(s.model.path); err == nil {
			entries = append(entries, localModelEntry{Name: s.model.name, Size: info.Size(), URL: modelURL(s.model.name)})
		} else {
			log.Printf("serve: model no longer readable: %v", err)
		}
	}
	body, err := json.Marshal(entries)
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.Method == http.MethodHead {
		return
	}
	w.Write(append(body, '\n'))
}

// serveModel sends the offered model file; ServeContent answers Range
// requests, which is how the page streams a file of several gigabytes.
func (s *server) serveModel(w http.ResponseWriter, r *http.Request) {
	if s.model == nil || r.URL.Path != localModelPrefix+s.model.name {
		http.NotFound(w, r)
		return
	}
	f, err := os.Open(s.model.path)
	if err != nil {
		log.Printf("serve: model no longer readable: %v", err)
		http.NotFound(w, r)
		return
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	h := w.Header()
	h.Set("Content-Type", contentType(".gguf"))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", etag(info, ""))
	http.ServeContent(w, r, s.model.name, info.ModTime(), f)
}
