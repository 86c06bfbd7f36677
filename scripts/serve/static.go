package main

import (
	"errors"
	"io/fs"
	"net/http"
	"os"
	"path"
	"strconv"
	"strings"
)

// serveStatic serves a file under the web root. A folder is served through
// its index.html and never listed; a path with ".." or one that leaves the
// root (a symlink pointing outside, say) is refused: os.Root enforces that.
func (s *server) serveStatic(w http.ResponseWriter, r *http.Request) {
	urlPath := r.URL.Path
	if !strings.HasPrefix(urlPath, "/") {
		urlPath = "/" + urlPath
	}
	if hasDotDot(urlPath) {
		http.Error(w, "path contains ..", http.StatusBadRequest)
		return
	}
	name := strings.TrimPrefix(path.Clean(urlPath), "/")
	if name == "" {
		name = "."
	}
	f, info, err := s.open(name)
	if err != nil {
		openError(w, err)
		return
	}
	if info.IsDir() {
		f.Close()
		if !strings.HasSuffix(urlPath, "/") {
			// Relative links in the folder's index.html need the slash.
			target := path.Base(urlPath) + "/"
			if r.URL.RawQuery != "" {
				target += "?" + r.URL.RawQuery
			}
			http.Redirect(w, r, target, http.StatusMovedPermanently)
			return
		}
		name = path.Join(name, "index.html")
		if f, info, err = s.open(name); err != nil {
			openError(w, err)
			return
		}
	}
	defer f.Close()
	if !info.Mode().IsRegular() {
		http.NotFound(w, r)
		return
	}
	s.serveFile(w, r, name, f, info)
}

// serveFile sends one regular file, or its precompressed variant when the
// request allows one, with our Content-Type and caching headers; ServeContent
// answers Range and conditional requests.
func (s *server) serveFile(w http.ResponseWriter, r *http.Request, name string, f *os.File, info os.FileInfo) {
	h := w.Header()
	h.Set("Content-Type", contentType(name))
	h.Set("X-Content-Type-Options", "nosniff")
	h.Add("Vary", "Accept-Encoding")
	// Every file is checked on every load (a cheap 304 through ETag or
	// Last-Modified): `make run` rebuilds engine.wasm and the JS beside the
	// HTML, and a heuristically cached old copy would not match them.
	h.Set("Cache-Control", "no-cache")
	coding := ""
	if v, ok := s.openVariant(r, name, info); ok {
		defer v.file.Close()
		f, info, coding = v.file, v.info, v.coding
		h.Set("Content-Encoding", coding)
		// ServeContent leaves out the length of an encoded body; the
		// browser wants it to show download progress.
		h.Set("Content-Length", strconv.FormatInt(info.Size(), 10))
	}
	h.Set("ETag", etag(info, coding))
	http.ServeContent(w, r, name, info.ModTime(), f)
}

// open opens name inside the web root and stats it.
func (s *server) open(name string) (*os.File, os.FileInfo, error) {
	f, err := s.root.Open(name)
	if err != nil {
		return nil, nil, err
	}
	info, err := f.Stat()
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return f, info, nil
}

// openError answers a failed open: 403 when the system refused access, 404
// otherwise (missing files, and paths that would leave the root).
func openError(w http.ResponseWriter, err error) {
	if errors.Is(err, fs.ErrPermission) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	http.Error(w, "not found", http.StatusNotFound)
}

// hasDotDot reports whether a URL path has a ".." segment.
func hasDotDot(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		if seg == ".." {
			return true
		}
	}
	return false
}
