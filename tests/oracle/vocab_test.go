package oracle

import (
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
)

// vocabCase is one tokenizer case of llama.cpp's suite: a text and the ids
// llama.cpp's own test expects (no BOS, special tokens not parsed).
type vocabCase struct {
	text string
	ids  []int
}

// readVocabCases reads NAME.gguf.inp and NAME.gguf.out: inputs separated by
// "\n__ggml_vocab_test__\n" (text after the last separator is a case only if
// there is some), outputs one line per case of space-prefixed ids.
func readVocabCases(t *testing.T, ggufPath string) []vocabCase {
	t.Helper()
	inp, err := os.ReadFile(ggufPath + ".inp")
	if err != nil {
		t.Fatal(err)
	}
	out, err := os.ReadFile(ggufPath + ".out")
	if err != nil {
		t.Fatal(err)
	}
	texts := strings.Split(string(inp), "\n__ggml_vocab_test__\n")
	if texts[len(texts)-1] == "" {
		texts = texts[:len(texts)-1]
	}
	lines := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
	if len(lines) != len(texts) {
		t.Fatalf("%s: %d inputs but %d output lines", ggufPath, len(texts), len(lines))
	}
	cases := make([]vocabCase, len(texts))
	for i, text := range texts {
		cases[i].text = text
		for _, f := range strings.Fields(lines[i]) {
			id, err := strconv.Atoi(f)
			if err != nil {
				t.Fatalf("%s.out line %d: %v", ggufPath, i+1, err)
			}
			cases[i].ids = append(cases[i].ids, id)
		}
	}
	return cases
}

// suiteVocabs are the vocabularies the synthetic models of this package use.
var suiteVocabs = []string{"llama-spm", "llama-bpe", "qwen2", "phi-3"}

// TestOracleTokenizesLikeLlamaCppSuite checks the oracle script itself: its
// tokenize request on a vocabulary-only file gives exactly the ids of
// llama.cpp's tokenizer suite for the vocabularies the comparisons use.
func TestOracleTokenizesLikeLlamaCppSuite(t *testing.T) {
	var jobs []Job
	var suites [][]vocabCase
	for _, name := range suiteVocabs {
		model := filepath.Join(testdata.VocabDir(t), "ggml-vocab-"+name+".gguf")
		cases := readVocabCases(t, model)
		job := Job{Model: model, VocabOnly: true}
		for _, c := range cases {
			job.Requests = append(job.Requests, Request{Op: "tokenize", Text: c.text})
		}
		jobs = append(jobs, job)
		suites = append(suites, cases)
	}
	answers := RunOracle(t, jobs...)
	for j, job := range jobs {
		name := filepath.Base(job.Model)
		bad := 0
		for i, c := range suites[j] {
			a := answers[j][i]
			if a.Error != "" {
				t.Errorf("%s case %d %q: %s", name, i, c.text, a.Error)
				bad++
				continue
			}
			if !slices.Equal(a.IDs, c.ids) && len(a.IDs)+len(c.ids) > 0 {
				t.Errorf("%s case %d %q: oracle gives %v, suite expects %v", name, i, c.text, a.IDs, c.ids)
				bad++
			}
		}
		t.Logf("%s: %d of %d cases match", name, len(suites[j])-bad, len(suites[j]))
	}
}
