package main

import (
	"net/http"
	"path"
	"strings"
)

// Embedding: a page of another origin may put Hearth on itself with
// <script src="…/embed.js">. Its browser then fetches embed.js, the widget
// and the engine (web/embed/, web/engine/), the action runtime
// (dist/embed.wasm) and the model files from this server, with CORS
// (module scripts, workers' imports, fetch) and under the embedding
// page's own COEP, if it has one. Those files are therefore shared: any
// origin may read them (Access-Control-Allow-Origin: *), and any origin
// may embed them (Cross-Origin-Resource-Policy: cross-origin). The app's
// own pages keep COOP/COEP and a same-origin CORP.

// sharedPrefixes are the URL folders whose files any origin may load.
var sharedPrefixes = []string{"/embed/", "/engine/", "/models/"}

// sharedFiles are single files any origin may load: the loader, and the
// action runtime that web/embed/runtime.js fetches.
var sharedFiles = map[string]bool{"/embed.js": true, "/dist/embed.wasm": true}

// isShared reports whether the file at a URL path is for other origins
// too: the embed loader, the widget, the engine and the models.
func isShared(urlPath string) bool {
	p := path.Clean("/" + urlPath)
	if sharedFiles[p] || strings.EqualFold(path.Ext(p), ".gguf") {
		return true
	}
	for _, prefix := range sharedPrefixes {
		if strings.HasPrefix(p, prefix) {
			return true
		}
	}
	return false
}

// setCORSHeaders opens a shared file to other origins: readable by any
// (CORS) with the headers the engine reads from a model download
// (Content-Range of a header-first check, ETag for revalidation), and
// embeddable by a cross-origin isolated page (CORP).
func setCORSHeaders(h http.Header) {
	h.Set("Access-Control-Allow-Origin", "*")
	h.Set("Access-Control-Expose-Headers", "Content-Length, Content-Range, Content-Encoding, ETag, Last-Modified, Accept-Ranges")
	h.Set("Cross-Origin-Resource-Policy", "cross-origin")
}

// servePreflight answers a CORS preflight (OPTIONS) for a shared file: the
// engine revalidates a cached model with If-None-Match / If-Modified-Since,
// which a cross-origin fetch must ask leave for first.
func servePreflight(w http.ResponseWriter) {
	h := w.Header()
	h.Set("Access-Control-Allow-Methods", "GET, HEAD")
	h.Set("Access-Control-Allow-Headers", "Range, If-None-Match, If-Modified-Since, Cache-Control")
	h.Set("Access-Control-Max-Age", "600")
	w.WriteHeader(http.StatusNoContent)
}
