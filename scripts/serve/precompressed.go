package main

import (
	"net/http"
	"os"
	"strconv"
	"strings"
)

// codings are the precompressed variants looked for next to a file, best
// first: X.br, then X.gz.
var codings = []struct{ name, suffix string }{
	{"br", ".br"},
	{"gzip", ".gz"},
}

// variant is an open precompressed copy of a file.
type variant struct {
	file   *os.File
	info   os.FileInfo
	coding string
}

// openVariant finds a precompressed copy of name that the client accepts. It
// offers none to a Range request (the byte ranges are those of the original
// file) and ignores a copy older than the original: it is stale.
func (s *server) openVariant(r *http.Request, name string, orig os.FileInfo) (variant, bool) {
	if r.Header.Get("Range") != "" {
		return variant{}, false
	}
	accept := r.Header.Values("Accept-Encoding")
	for _, c := range codings {
		if !acceptsCoding(accept, c.name) {
			continue
		}
		f, info, err := s.open(name + c.suffix)
		if err != nil {
			continue
		}
		if !info.Mode().IsRegular() || info.ModTime().Before(orig.ModTime()) {
			f.Close()
			continue
		}
		return variant{file: f, info: info, coding: c.name}, true
	}
	return variant{}, false
}

// acceptsCoding reports whether Accept-Encoding header values allow a
// content coding: named with a q-value above zero, or matched by "*".
func acceptsCoding(values []string, coding string) bool {
	wildcard := false
	for _, v := range values {
		for _, item := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(item, ";")
			name = strings.ToLower(strings.TrimSpace(name))
			if name != coding && name != "*" {
				continue
			}
			ok := qualityAboveZero(params)
			if name == coding {
				return ok
			}
			wildcard = ok
		}
	}
	return wildcard
}

// qualityAboveZero reads the q parameter of an Accept-Encoding item: a
// missing q means 1, an unreadable one refuses the coding (identity is
// always safe).
func qualityAboveZero(params string) bool {
	for _, p := range strings.Split(params, ";") {
		key, val, found := strings.Cut(strings.TrimSpace(p), "=")
		if !found || strings.ToLower(strings.TrimSpace(key)) != "q" {
			continue
		}
		q, err := strconv.ParseFloat(strings.TrimSpace(val), 64)
		return err == nil && q > 0
	}
	return true
}
