package tokenizer

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/internal/testdata"
)

// suiteVocabs are llama.cpp's tokenizer test vocabularies that come with
// expected outputs (models/ggml-vocab-NAME.gguf with .inp and .out).
var suiteVocabs = []string{
	"llama-spm", "phi-3", "llama-bpe", "qwen2", "qwen35", "gpt-2", "falcon", "mpt",
	"starcoder", "refact", "deepseek-llm", "deepseek-coder", "command-r", "gemma-4", "bert-bge",
}

// suiteSeparator separates the cases of an .inp file.
const suiteSeparator = "\n__ggml_vocab_test__\n"

type suiteCase struct {
	text string
	want []int32
}

// readSuite reads the cases of one vocabulary: .inp holds the texts,
// separated by suiteSeparator; .out holds one line of space-separated ids per
// text, as llama.cpp's test-tokenizer-0 reads them.
func readSuite(t testing.TB, dir, name string) []suiteCase {
	t.Helper()
	base := filepath.Join(dir, "ggml-vocab-"+name+".gguf")
	inp, err := os.ReadFile(base + ".inp")
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(base + ".out")
	if err != nil {
		t.Fatal(err)
	}
	// Each text is followed by the separator, except that the last one may
	// end the file without it.
	texts := strings.Split(string(inp), suiteSeparator)
	if texts[len(texts)-1] == "" {
		texts = texts[:len(texts)-1]
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("%s: %d inputs but %d outputs", name, len(texts), len(lines))
	}
	cases := make([]suiteCase, len(texts))
	for i, text := range texts {
		cases[i].text = text
		for _, f := range strings.Fields(lines[i]) {
			id, err := strconv.ParseInt(f, 10, 32)
			if err != nil {
				t.Fatalf("%s.out line %d: %v", base, i+1, err)
			}
			cases[i].want = append(cases[i].want, int32(id))
		}
	}
	return cases
}

var (
	vocabMu    sync.Mutex
	vocabCache = map[string]*Tokenizer{}
)

// loadVocab opens models/ggml-vocab-NAME.gguf, once per test binary, as
// the engine does (string arrays compact).
func loadVocab(t testing.TB, name string) *Tokenizer {
	t.Helper()
	vocabMu.Lock()
	defer vocabMu.Unlock()
	if tk, ok := vocabCache[name]; ok {
		return tk
	}
	f, err := gguf.OpenWith(filepath.Join(testdata.VocabDir(t), "ggml-vocab-"+name+".gguf"), gguf.Options{CompactStrings: true})
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tk, err := FromGGUF(f)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	vocabCache[name] = tk
	return tk
}

// TestSuites runs llama.cpp's tokenizer suites: test-tokenizer-0 tokenizes
// each text with add_special=false and parse_special=false and compares ids.
func TestSuites(t *testing.T) {
	dir := testdata.VocabDir(t)
	for _, name := range suiteVocabs {
		t.Run(name, func(t *testing.T) {
			tk := loadVocab(t, name)
			cases := readSuite(t, dir, name)
			pass := 0
			for i, c := range cases {
				ok := t.Run(strconv.Itoa(i), func(t *testing.T) {
					got := tk.Encode(c.text, false, false)
					if !equalIDs(got, c.want) {
						t.Errorf("Encode(%q)\n want %v\n  got %v", c.text, c.want, got)
					}
				})
				if ok {
					pass++
				}
			}
			t.Logf("%s: %d/%d cases pass", name, pass, len(cases))
		})
	}
}

func equalIDs(a, b []int32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}
