package main

import (
	"fmt"
	"net/http"
	"os"
	"path"
	"strings"
)

// setIsolationHeaders makes the page cross-origin isolated, which is what
// lets it share wasm memory between workers (threads): COOP and COEP on the
// documents, CORP on every resource so that COEP accepts it.
func setIsolationHeaders(h http.Header) {
	h.Set("Cross-Origin-Opener-Policy", "same-origin")
	h.Set("Cross-Origin-Embedder-Policy", "require-corp")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
}

// contentTypes maps file extensions to Content-Type. The table is ours, not
// the machine's mime database: a fresh system may have none, and browsers
// refuse to compile wasm streamed without application/wasm or to run module
// scripts served with a non-script type.
var contentTypes = map[string]string{
	".html":        "text/html; charset=utf-8",
	".htm":         "text/html; charset=utf-8",
	".js":          "text/javascript; charset=utf-8",
	".mjs":         "text/javascript; charset=utf-8",
	".json":        "application/json",
	".map":         "application/json",
	".css":         "text/css; charset=utf-8",
	".svg":         "image/svg+xml",
	".png":         "image/png",
	".jpg":         "image/jpeg",
	".jpeg":        "image/jpeg",
	".gif":         "image/gif",
	".webp":        "image/webp",
	".ico":         "image/x-icon",
	".webmanifest": "application/manifest+json",
	".wasm":        "application/wasm",
	".gguf":        "application/octet-stream",
	".txt":         "text/plain; charset=utf-8",
	".woff2":       "font/woff2",
	".gz":          "application/gzip",
	".br":          "application/octet-stream",
}

// contentType returns the Content-Type of a file by its extension;
// unknown extensions are plain bytes.
func contentType(name string) string {
	if t, ok := contentTypes[strings.ToLower(path.Ext(name))]; ok {
		return t
	}
	return "application/octet-stream"
}

// etag names one representation of a file: its size and modification time,
// plus the content coding of a precompressed variant.
func etag(info os.FileInfo, coding string) string {
	if coding != "" {
		coding = "-" + coding
	}
	return fmt.Sprintf(`"%x-%x%s"`, info.ModTime().UnixNano(), info.Size(), coding)
}
