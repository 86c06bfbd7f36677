package main

import (
	"bytes"
	"io"
	"os"
	"path/filepath"
)

// outcome says what ensureCopy did.
type outcome int

const (
	written        outcome = iota // a new copy was written
	current                       // the copy was up to date (or only needed the source's time)
	incompressible                // no copy: it would not be smaller than the source
)

// ensureCopy makes path+c.suffix a current compressed copy of path. A copy at least as new as its source is
// current; an older one whose content still matches (the source was only
// rewritten, as `make web-engine` does on every run) just gets the source's
// time. A copy that would not be smaller than the source is removed instead:
// the server then sends the source.
func ensureCopy(path string, info os.FileInfo, c codec) (outcome, error) {
	dst := path + c.suffix
	if old, err := os.Stat(dst); err == nil && old.Mode().IsRegular() {
		if !old.ModTime().Before(info.ModTime()) {
			return current, nil
		}
	}
	src, err := os.ReadFile(path)
	if err != nil {
		return 0, err
	}
	if matches(dst, src, c) {
		return current, os.Chtimes(dst, info.ModTime(), info.ModTime())
	}
	var buf bytes.Buffer
	if err := c.compress(&buf, src); err != nil {
		return 0, err
	}
	if buf.Len() >= len(src) {
		if err := os.Remove(dst); err != nil && !os.IsNotExist(err) {
			return 0, err
		}
		return incompressible, nil
	}
	return written, writeAtomic(dst, buf.Bytes(), info)
}

// matches reports whether the compressed file dst decompresses to want.
func matches(dst string, want []byte, c codec) bool {
	f, err := os.Open(dst)
	if err != nil {
		return false
	}
	defer f.Close()
	r, err := c.decompress(f)
	if err != nil {
		return false
	}
	got, err := io.ReadAll(io.LimitReader(r, int64(len(want))+1))
	return err == nil && bytes.Equal(got, want)
}

// writeAtomic writes data to dst through a temporary file and a rename, so
// a server never sends a half-written copy, and gives it the source's
// modification time: a source changed after it was read is then newer than
// its copy, and the server sees the copy as stale.
func writeAtomic(dst string, data []byte, src os.FileInfo) error {
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		return err
	}
	if err := os.Chtimes(tmp.Name(), src.ModTime(), src.ModTime()); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), dst)
}
