package constrain

import (
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/tokenizer"
	"github.com/hearth-ai/hearth/internal/testdata"
)

// repeats is n natively, and fewer under GOOS=js, where the model tests
// run some ten times slower: the same checks, fewer repetitions.
func repeats(n int) int {
	if runtime.GOOS == "js" {
		return max(1, n/3)
	}
	return n
}

// byteVocab is the 256 single bytes plus an end token (256): the
// vocabulary in which the token level and the byte level coincide.
type byteVocab struct{}

func (byteVocab) VocabSize() int { return 257 }
func (byteVocab) Piece(id int32) []byte {
	if id < 0 || id >= 256 {
		return nil
	}
	return []byte{byte(id)}
}
func (byteVocab) IsEOG(id int32) bool { return id == 256 }

func mustCompile(t testing.TB, schema string) *Schema {
	t.Helper()
	s, err := Compile([]byte(schema))
	if err != nil {
		t.Fatalf("Compile(%s): %v", schema, err)
	}
	return s
}

func readTestSchema(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

var vocabs = struct {
	sync.Mutex
	tok map[string]*tokenizer.Tokenizer
	idx map[string]*Index
}{tok: map[string]*tokenizer.Tokenizer{}, idx: map[string]*Index{}}

// loadVocab reads llama.cpp's ggml-vocab-<name>.gguf, once per test binary.
func loadVocab(t testing.TB, name string) (*tokenizer.Tokenizer, *Index) {
	t.Helper()
	vocabs.Lock()
	defer vocabs.Unlock()
	if tok := vocabs.tok[name]; tok != nil {
		return tok, vocabs.idx[name]
	}
	f, err := gguf.OpenWith(filepath.Join(testdata.VocabDir(t), "ggml-vocab-"+name+".gguf"), gguf.Options{CompactStrings: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	vocabs.tok[name], vocabs.idx[name] = tok, NewIndex(tok)
	return tok, vocabs.idx[name]
}
