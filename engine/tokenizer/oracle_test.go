//go:build !js

package tokenizer

import (
	"bytes"
	"encoding/json"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
)

type oracleCase struct {
	Plain, Special      []int32
	Detok, DetokSpecial string
}

type oracleVocab struct {
	Cases          []oracleCase
	EOG            []int32 `json:"eog"`
	BOS, EOS, EOT  int32
	AddBOS, AddEOS bool
}

// TestOracle compares the tokenizer with llama.cpp itself (node-llama-cpp,
// the version the suites come from) on the suite texts and oracleTexts:
// ids with and without special-token parsing, detokenized text, special
// token ids, BOS/EOS flags and the end-of-generation set.
func TestOracle(t *testing.T) {
	if testing.Short() {
		t.Skip("runs llama.cpp through node (a few seconds per vocabulary)")
	}
	oracleDir := testdata.OracleDir(t)
	vocabDir := testdata.VocabDir(t)
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatalf("node is needed to run the oracle: %v", err)
	}

	texts := slices.Clone(oracleTexts)
	probe := map[string][]int32{}
	for _, name := range suiteVocabs {
		for _, c := range readSuite(t, vocabDir, name) {
			texts = append(texts, c.text)
		}
		tk := loadVocab(t, name)
		for id := range int32(tk.VocabSize()) {
			if tk.Attr(id)&(AttrControl|AttrUserDefined|AttrUnknown) != 0 || tk.IsEOG(id) {
				probe[name] = append(probe[name], id)
			}
		}
	}
	slices.Sort(texts)
	texts = slices.Compact(texts)

	req, err := json.Marshal(map[string]any{
		"oracleDir": oracleDir, "vocabDir": vocabDir,
		"vocabs": suiteVocabs, "texts": texts, "probe": probe,
	})
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(node, filepath.Join("testdata", "oracle.mjs"))
	cmd.Stdin = bytes.NewReader(req)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("oracle: %v\n%s", err, stderr.Bytes())
	}
	var res map[string]oracleVocab
	if err := json.Unmarshal(out, &res); err != nil {
		t.Fatalf("oracle output: %v", err)
	}

	for _, name := range suiteVocabs {
		t.Run(name, func(t *testing.T) {
			tk := loadVocab(t, name)
			want, ok := res[name]
			if !ok || len(want.Cases) != len(texts) {
				t.Fatalf("oracle returned no results for %s", name)
			}
			if tk.BOS() != want.BOS || tk.EOS() != want.EOS || tk.EOT() != want.EOT ||
				tk.AddBOS() != want.AddBOS || tk.AddEOS() != want.AddEOS {
				t.Errorf("BOS %d EOS %d EOT %d addBOS %v addEOS %v; llama.cpp: %d %d %d %v %v",
					tk.BOS(), tk.EOS(), tk.EOT(), tk.AddBOS(), tk.AddEOS(),
					want.BOS, want.EOS, want.EOT, want.AddBOS, want.AddEOS)
			}
			if got := tk.EOGs(); !slices.Equal(got, want.EOG) {
				t.Errorf("end-of-generation tokens %v; llama.cpp: %v", got, want.EOG)
			}
			roundTrips := 0
			for i, text := range texts {
				c := want.Cases[i]
				if got := tk.Encode(text, false, false); !slices.Equal(got, c.Plain) {
					t.Errorf("Encode(%q, parseSpecial=false)\n want %v\n  got %v", text, c.Plain, got)
				}
				if got := tk.Encode(text, false, true); !slices.Equal(got, c.Special) {
					t.Errorf("Encode(%q, parseSpecial=true)\n want %v\n  got %v", text, c.Special, got)
				}
				if got := tk.Decode(c.Plain); got != c.Detok {
					t.Errorf("Decode(%v) of %q\n want %q\n  got %q", c.Plain, text, c.Detok, got)
				}
				if got := tk.Detokenize(c.Special, false, true); got != c.DetokSpecial {
					t.Errorf("Detokenize(%v, unparse) of %q\n want %q\n  got %q", c.Special, text, c.DetokSpecial, got)
				}
				if c.Detok == text {
					roundTrips++
				}
			}
			t.Logf("%s: %d texts agree with llama.cpp; %d of them round-trip exactly", name, len(texts), roundTrips)
		})
	}
}
