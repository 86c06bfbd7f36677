package main

import (
	"fmt"
	"io/fs"
	"path/filepath"
	"strings"
)

// compressible are the extensions worth precompressing: text and wasm
// shrink by half or more; images and models are compressed already or
// served by range.
var compressible = map[string]bool{
	".wasm": true, ".js": true, ".mjs": true, ".css": true, ".html": true,
	".json": true, ".svg": true, ".webmanifest": true, ".map": true,
}

// Stats counts what Tree did.
type Stats struct {
	Files          int // compressible files found
	Written        int // copies (.br or .gz) written
	UpToDate       int // copies already current
	Incompressible int // copies not made: they would not be smaller
}

// Tree precompresses every compressible file of at least minSize bytes under
// dir. It skips node_modules and hidden folders: the app does not serve
// packages to its users from there.
func Tree(dir string, minSize int64) (Stats, error) {
	var st Stats
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != dir && (d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
				return filepath.SkipDir
			}
			return nil
		}
		if !d.Type().IsRegular() || !compressible[strings.ToLower(filepath.Ext(path))] {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		if info.Size() < minSize {
			return nil
		}
		st.Files++
		for _, c := range codecs {
			done, err := ensureCopy(path, info, c)
			if err != nil {
				return fmt.Errorf("%s: %w", path, err)
			}
			switch done {
			case written:
				st.Written++
			case current:
				st.UpToDate++
			case incompressible:
				st.Incompressible++
			}
		}
		return nil
	})
	return st, err
}
