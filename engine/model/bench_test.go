package model

import (
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
)

// smolLM2 is SmolLM2-135M's shape: 576 wide, 30 layers, 9 heads sharing 3
// key/value heads, 1536-wide feed-forward, 49152 tokens, tied embeddings.
func smolLM2(typ dtype.Type) tinySpec {
	return tinySpec{arch: "llama", embd: 576, heads: 9, kv: 3, ff: 1536, layers: 30, vocab: 49152,
		ctx: 8192, base: 100000, typ: typ, tied: true}
}

var benchFiles = struct {
	sync.Mutex
	dir   string
	paths map[dtype.Type]string
}{paths: map[dtype.Type]string{}}

// benchModel writes (once per test binary) and loads a SmolLM2-shaped
// model of random weights.
func benchModel(b *testing.B, typ dtype.Type, threads int) *Model {
	b.Helper()
	benchFiles.Lock()
	path, ok := benchFiles.paths[typ]
	if !ok {
		if benchFiles.dir == "" {
			dir, err := os.MkdirTemp("", "hearth-bench-")
			if err != nil {
				b.Fatal(err)
			}
			benchFiles.dir = dir
		}
		path = filepath.Join(benchFiles.dir, typ.String()+".gguf")
		if err := os.WriteFile(path, smolLM2(typ).write(b), 0o600); err != nil {
			b.Fatal(err)
		}
		benchFiles.paths[typ] = path
	}
	benchFiles.Unlock()
	f, err := gguf.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	back := compute.NewReference(threads)
	b.Cleanup(func() { back.Close() })
	m, err := Load(f, back)
	if err != nil {
		b.Fatal(err)
	}
	return m
}

func TestMain(m *testing.M) {
	code := m.Run()
	if benchFiles.dir != "" {
		os.RemoveAll(benchFiles.dir)
	}
	os.Exit(code)
}

// BenchmarkDecodeStep times one token through a SmolLM2-135M-shaped model
// after a 64-token prompt (the cache is rewound every 256 steps, so the
// context stays between 64 and 320 tokens).
func BenchmarkDecodeStep(b *testing.B) {
	for _, typ := range []dtype.Type{dtype.Q8_0, dtype.Q4_0} {
		for _, threads := range []int{1, 2} {
			b.Run(fmt.Sprintf("%v/threads=%d", typ, threads), func(b *testing.B) {
				m := benchModel(b, typ, threads)
				s, err := m.NewSession(SessionOptions{Context: 512})
				if err != nil {
					b.Fatal(err)
				}
				defer s.Close()
				p := make([]int32, 64)
				for i := range p {
					p[i] = int32(i * 761 % m.HP.Vocab)
				}
				if _, err := s.Forward(p); err != nil {
					b.Fatal(err)
				}
				tok := []int32{17}
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i++ {
					if s.Pos() == 64+256 {
						b.StopTimer()
						s.Truncate(64)
						b.StartTimer()
					}
					if _, err := s.Forward(tok); err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "tok/s")
			})
		}
	}
}

// BenchmarkPrefill times a 128-token prompt.
func BenchmarkPrefill(b *testing.B) {
	for _, typ := range []dtype.Type{dtype.Q8_0, dtype.Q4_0} {
		b.Run(typ.String(), func(b *testing.B) {
			m := benchModel(b, typ, 0)
			s, err := m.NewSession(SessionOptions{Context: 128})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			p := make([]int32, 128)
			for i := range p {
				p[i] = int32(i * 761 % m.HP.Vocab)
			}
			b.ResetTimer()
			for i := 0; i < b.N; i++ {
				s.Reset()
				if _, err := s.Forward(p); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N*len(p))/b.Elapsed().Seconds(), "tok/s")
		})
	}
}
