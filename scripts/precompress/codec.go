package main

import (
	"compress/gzip"
	"io"

	"github.com/andybalholm/brotli"
)

// codec is one content coding that the server can send precompressed.
type codec struct {
	suffix     string // added to the file name: X.br, X.gz
	compress   func(dst io.Writer, src []byte) error
	decompress func(src io.Reader) (io.Reader, error)
}

// codecs are the copies written for each file.
var codecs = []codec{
	{suffix: ".br", compress: compressBrotli, decompress: func(r io.Reader) (io.Reader, error) { return brotli.NewReader(r), nil }},
	{suffix: ".gz", compress: compressGzip, decompress: func(r io.Reader) (io.Reader, error) { return gzip.NewReader(r) }},
}

// brotliQuality trades time for size. On engine.wasm (4.6 MB) quality 9
// took 0.6 s for 1.06 MB, quality 11 took 13 s for 0.93 MB: too slow for a
// step that runs whenever the engine changes, for a local server.
const brotliQuality = 9

func compressBrotli(dst io.Writer, src []byte) error {
	w := brotli.NewWriterLevel(dst, brotliQuality)
	if _, err := w.Write(src); err != nil {
		return err
	}
	return w.Close()
}

func compressGzip(dst io.Writer, src []byte) error {
	w, err := gzip.NewWriterLevel(dst, gzip.BestCompression)
	if err != nil {
		return err
	}
	if _, err := w.Write(src); err != nil {
		return err
	}
	return w.Close()
}
