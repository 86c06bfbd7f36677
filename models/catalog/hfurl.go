package catalog

import (
	"fmt"
	"net/url"
	"strings"
)

// hfFile is a file on the main branch of a Hugging Face model repository.
type hfFile struct {
	Repo string // owner/name
	Name string // file name inside the repository
}

// parseHFURL accepts only https://huggingface.co/<owner>/<repo>/resolve/main/<file>.gguf:
// the address the app downloads from, with no query, fragment, credentials or
// subdirectory, so that what the catalog names is exactly what is fetched.
func parseHFURL(raw string) (hfFile, error) {
	if raw == "" {
		return hfFile{}, fmt.Errorf("is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return hfFile{}, fmt.Errorf("is not a URL: %v", err)
	}
	if u.Scheme != "https" {
		return hfFile{}, fmt.Errorf("must use https, got scheme %q", u.Scheme)
	}
	if u.Host != "huggingface.co" {
		return hfFile{}, fmt.Errorf("must be on huggingface.co, got host %q", u.Host)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "" {
		return hfFile{}, fmt.Errorf("must have no credentials, query or fragment")
	}
	parts := strings.Split(strings.TrimPrefix(u.Path, "/"), "/")
	if len(parts) != 5 || parts[2] != "resolve" || parts[3] != "main" {
		return hfFile{}, fmt.Errorf("must have the form https://huggingface.co/<owner>/<repo>/resolve/main/<file>, got path %q", u.Path)
	}
	for _, p := range []string{parts[0], parts[1], parts[4]} {
		if p == "" || p == "." || p == ".." {
			return hfFile{}, fmt.Errorf("has an empty or relative path segment in %q", u.Path)
		}
	}
	if !strings.HasSuffix(parts[4], ".gguf") {
		return hfFile{}, fmt.Errorf("must name a .gguf file, got %q", parts[4])
	}
	return hfFile{Repo: parts[0] + "/" + parts[1], Name: parts[4]}, nil
}
