package wasm

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// BuildInfoFile is written beside the app (web/dist/build.json):
// {"build": "<id>"}. web/index.html registers the service worker
// (web/sw.js) under that id, so that a new build replaces the offline
// copy of the app and an unchanged one keeps it.
const BuildInfoFile = "build.json"

// BuildInfo is the content of BuildInfoFile.
type BuildInfo struct {
	// Build names the build: the first 16 hex digits of a SHA-256 over
	// the files it was computed from (names and contents).
	Build string `json:"build"`
}

// WriteBuildInfo writes dir/build.json with an id computed from inputs:
// files, and folders whose files (not their subfolders) count. Missing
// inputs are skipped, and so are the precompressed copies (.br, .gz) that
// scripts/precompress writes beside files and the build info itself, so
// that the id changes exactly when a served file does.
func WriteBuildInfo(dir string, inputs ...string) error {
	h := sha256.New()
	for _, in := range inputs {
		files, err := inputFiles(in)
		if err != nil {
			return err
		}
		for _, f := range files {
			if err := hashFile(h, f); err != nil {
				return err
			}
		}
	}
	b, err := json.Marshal(BuildInfo{Build: hex.EncodeToString(h.Sum(nil))[:16]})
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, BuildInfoFile), append(b, '\n'), 0o644)
}

// inputFiles lists the files an input stands for, sorted.
func inputFiles(in string) ([]string, error) {
	info, err := os.Stat(in)
	if os.IsNotExist(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("build info: %w", err)
	}
	if !info.IsDir() {
		return []string{in}, nil
	}
	entries, err := os.ReadDir(in)
	if err != nil {
		return nil, fmt.Errorf("build info: %w", err)
	}
	var files []string
	for _, e := range entries {
		name := e.Name()
		if !e.Type().IsRegular() || name == BuildInfoFile || strings.HasPrefix(name, ".") ||
			strings.HasSuffix(name, ".br") || strings.HasSuffix(name, ".gz") {
			continue
		}
		files = append(files, filepath.Join(in, name))
	}
	slices.Sort(files)
	return files, nil
}

// hashFile adds a file's base name, length and content to h.
func hashFile(h io.Writer, name string) error {
	f, err := os.Open(name)
	if err != nil {
		return fmt.Errorf("build info: %w", err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return fmt.Errorf("build info: %w", err)
	}
	fmt.Fprintf(h, "%s\x00%d\x00", filepath.Base(name), info.Size())
	if _, err := io.Copy(h, f); err != nil {
		return fmt.Errorf("build info: reading %s: %w", name, err)
	}
	return nil
}
