package gguf

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
)

// BenchmarkReadHeader parses the largest vocabulary header (qwen2: 151936
// tokens and their merges), from memory and through an *os.File.
func BenchmarkReadHeader(b *testing.B) {
	path := filepath.Join(testdata.VocabDir(b), "ggml-vocab-qwen2.gguf")
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	check := func(f *File, err error) {
		if err != nil {
			b.Fatal(err)
		}
		if tokens, _ := f.Value("tokenizer.ggml.tokens"); len(tokens.([]string)) != 151936 {
			b.Fatalf("%d tokens", len(tokens.([]string)))
		}
	}
	b.Run("memory", func(b *testing.B) {
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			check(Read(bytes.NewReader(data), int64(len(data))))
		}
	})
	b.Run("file", func(b *testing.B) {
		fh, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		defer fh.Close()
		b.ReportAllocs()
		b.SetBytes(int64(len(data)))
		for b.Loop() {
			check(Read(fh, int64(len(data))))
		}
	})
}
