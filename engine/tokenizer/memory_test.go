package tokenizer

import (
	"math/rand"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/internal/testdata"
)

const mib = 1 << 20

// loadMemory is what loading one vocabulary costs the heap.
type loadMemory struct {
	tokens, merges, textBytes int
	spm                       bool
	live                      int64 // the tokenizer alone, after the load
	withFile                  int64 // the tokenizer and the File's metadata, both alive: the top of the load
	allocated                 int64 // everything the read and the build allocated: the peak cannot pass it
}

// measureLoad reads a vocabulary as the engine does (gguf.Options
// CompactStrings) and builds its tokenizer, measuring the live heap with
// runtime.ReadMemStats after runtime.GC.
func measureLoad(t *testing.T, name string) loadMemory {
	t.Helper()
	path := filepath.Join(testdata.VocabDir(t), "ggml-vocab-"+name+".gguf")
	base := liveHeap()
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	f, err := gguf.OpenWith(path, gguf.Options{CompactStrings: true})
	if err != nil {
		t.Fatal(err)
	}
	tk, err := FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	runtime.ReadMemStats(&after)
	m := loadMemory{
		tokens:    tk.VocabSize(),
		merges:    len(tk.merges.merges),
		textBytes: tk.texts.list.TextBytes(),
		spm:       tk.kind == SPM,
		allocated: int64(after.TotalAlloc - before.TotalAlloc),
		withFile:  liveHeap() - base,
	}
	f.Close()
	f = nil
	m.live = liveHeap() - base
	runtime.KeepAlive(tk)
	return m
}

func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// layoutBound is what the tokenizer's layout should take: the texts, 4
// bytes for where each ends, 1 for its attributes, 4 for each of the
// index's slots (3/4 full), 12 bytes per merge and 4 per merge-table slot,
// SentencePiece scores, and 256 KB for the rest (special tokens, byte
// tables). The layout before this one took 85–160 bytes a token.
func layoutBound(m loadMemory) int64 {
	n, k := int64(m.tokens), int64(m.merges)
	b := int64(m.textBytes) + 5*n + 4*(n+n/3+1) + 12*k + 4*(k+k/3+1) + 256<<10
	if m.spm {
		b += 4 * n
	}
	return b
}

// TestMemoryBudget holds the tokenizer of real vocabularies to its memory
// budget: in the browser the Go heap's high-water mark stays with the page,
// so the load's peak counts as well as what remains. starcoder's 49,152
// tokens are SmolLM2's vocabulary size.
func TestMemoryBudget(t *testing.T) {
	budgets := []struct {
		name     string
		live     int64 // the tokenizer after the load
		peak     int64 // the tokenizer and the metadata alive together, and all the load allocated
		tokens   int
		perToken float64 // live bytes a token, at most
	}{
		{"starcoder", 2 * mib, 7 * mib / 2, 49152, 40},
		{"qwen2", 6 * mib, 10 * mib, 151936, 40},
		{"llama-bpe", 8 * mib, 13 * mib, 128256, 60},
		{"gemma-4", 15 * mib, 25 * mib, 262144, 60},
		{"llama-spm", 1 * mib, 3 * mib / 2, 32000, 30},
		{"bert-bge", 1 * mib, 3 * mib / 2, 30522, 30},
	}
	for _, b := range budgets {
		m := measureLoad(t, b.name)
		t.Logf("%-9s %6d tokens %6d merges: live %5.2f MiB (%3.0f B/token), with the metadata %5.2f MiB, allocated %5.2f MiB",
			b.name, m.tokens, m.merges, float64(m.live)/mib, float64(m.live)/float64(m.tokens), float64(m.withFile)/mib, float64(m.allocated)/mib)
		if m.tokens != b.tokens {
			t.Errorf("%s: %d tokens, want %d", b.name, m.tokens, b.tokens)
		}
		perToken := float64(m.live) / float64(m.tokens)
		switch {
		case m.live > b.live || perToken > b.perToken:
			t.Errorf("%s: the tokenizer holds %.2f MiB (%.0f B/token), over its budget of %.2f MiB (%.0f B/token)",
				b.name, float64(m.live)/mib, perToken, float64(b.live)/mib, b.perToken)
		case m.live > layoutBound(m):
			t.Errorf("%s: the tokenizer holds %d bytes, more than its layout accounts for (%d)", b.name, m.live, layoutBound(m))
		}
		if m.withFile > b.peak || m.allocated > b.peak {
			t.Errorf("%s: the load holds %.2f MiB and allocates %.2f MiB, over its budget of %.2f MiB",
				b.name, float64(m.withFile)/mib, float64(m.allocated)/mib, float64(b.peak)/mib)
		}
	}
}

// TestWordCacheIsBounded: tokenizing a stream of distinct words keeps the
// word cache within its byte budget.
func TestWordCacheIsBounded(t *testing.T) {
	tk := loadVocab(t, "qwen2")
	tk.cache.reset()
	defer tk.cache.reset()
	base := liveHeap()
	rng := rand.New(rand.NewSource(1))
	var sb strings.Builder
	words := 0
	for range 60 {
		sb.Reset()
		for range 1000 {
			sb.WriteByte(' ')
			for range 3 + rng.Intn(8) {
				sb.WriteByte(byte('a' + rng.Intn(26)))
			}
		}
		tk.Encode(sb.String(), false, false)
		words += 1000
	}
	grown := liveHeap() - base
	tk.cache.mu.Lock()
	cached := len(tk.cache.m)
	tk.cache.mu.Unlock()
	t.Logf("%d distinct words tokenized: %d cached, the heap grew %.2f MiB", words, cached, float64(grown)/mib)
	if cached == 0 || cached >= words/2 {
		t.Errorf("%d of %d words cached: the cache should hold some, and be emptied when full", cached, words)
	}
	if grown > wordCacheBytes+wordCacheBytes/4 {
		t.Errorf("the word cache grew the heap by %d bytes, over its budget of %d", grown, wordCacheBytes)
	}
}
