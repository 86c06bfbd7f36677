package tokenizer

import (
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/internal/testdata"
)

// TestTokenIndexFindsEveryToken: each token's text leads back to it (every
// token of the smaller vocabularies, every 13th of the larger ones), and
// texts that are no token are not found.
func TestTokenIndexFindsEveryToken(t *testing.T) {
	for _, v := range []struct {
		name string
		step int32
	}{{"llama-spm", 1}, {"bert-bge", 1}, {"starcoder", 1}, {"qwen2", 13}, {"gemma-4", 13}} {
		name := v.name
		tk := loadVocab(t, name)
		for id := int32(0); id < int32(tk.VocabSize()); id += v.step {
			s := tk.TokenText(id)
			if got, ok := tk.TokenID(s); !ok || got != id {
				t.Fatalf("%s: TokenID(%q) = %d, %v; want %d", name, s, got, ok, id)
			}
			if got, ok := tk.texts.idBytes([]byte(s)); !ok || got != id {
				t.Fatalf("%s: idBytes(%q) = %d, %v; want %d", name, s, got, ok, id)
			}
			if _, ok := tk.TokenID(s + "\x00\x01"); ok {
				t.Fatalf("%s: TokenID(%q) found a token", name, s+"\x00\x01")
			}
		}
		for _, s := range []string{"", strings.Repeat("a", tk.texts.maxLen+1)} {
			if id, ok := tk.TokenID(s); ok {
				t.Errorf("%s: TokenID(%.20q) = %d", name, s, id)
			}
		}
	}
}

// TestMergeTableMatchesList checks the merge table of real vocabularies
// against their merges list: every listed pair is found, with the token
// its texts make, in rank order, and a repeated pair keeps its first rank.
func TestMergeTableMatchesList(t *testing.T) {
	for _, name := range []string{"starcoder", "qwen2"} {
		tk := loadVocab(t, name)
		f, err := gguf.OpenWith(filepath.Join(testdata.VocabDir(t), "ggml-vocab-"+name+".gguf"), gguf.Options{CompactStrings: true})
		if err != nil {
			t.Fatal(err)
		}
		list := f.Meta().StringArray("tokenizer.ggml.merges", false)
		f.Close()
		seen := map[[2]int32]bool{}
		lastRank := int32(-1)
		for i := range list.Len() {
			s := list.At(i)
			cut := 1 + strings.IndexByte(s[1:], ' ')
			l, _ := tk.TokenID(s[:cut])
			r, _ := tk.TokenID(s[cut+1:])
			want, _ := tk.TokenID(s[:cut] + s[cut+1:])
			rank, result, ok := tk.merges.find(l, r)
			switch {
			case !ok || result != want:
				t.Fatalf("%s: merge %d %q: find = %d, %d, %v; want result %d", name, i, s, rank, result, ok, want)
			case seen[[2]int32{l, r}]:
				if rank > lastRank {
					t.Fatalf("%s: merge %d %q repeats a pair but got a new rank %d", name, i, s, rank)
				}
			case rank != lastRank+1:
				t.Fatalf("%s: merge %d %q has rank %d after %d", name, i, s, rank, lastRank)
			default:
				lastRank = rank
			}
			seen[[2]int32{l, r}] = true
		}
		// Pairs of tokens that no merge lists are not found.
		missing := 0
		for l := int32(0); l < 2000; l += 7 {
			for r := int32(0); r < 2000; r += 11 {
				if _, _, ok := tk.merges.find(l, r); ok != seen[[2]int32{l, r}] {
					t.Fatalf("%s: find(%d, %d) = %v, the list says %v", name, l, r, ok, seen[[2]int32{l, r}])
				}
				if !seen[[2]int32{l, r}] {
					missing++
				}
			}
		}
		if missing == 0 {
			t.Fatalf("%s: every probed pair is a merge; the check proves nothing", name)
		}
	}
}

// TestEmptyTokensAreNamed: empty tokens get llama.cpp's "[EMPTY_<id>]"
// names (two of them are no duplicate), and "" finds no token.
func TestEmptyTokensAreNamed(t *testing.T) {
	kv := tinyVocab()
	tokens := kv["tokenizer.ggml.tokens"].([]string)
	tokens = append(tokens[:len(tokens):len(tokens)], "", "")
	kv["tokenizer.ggml.tokens"] = tokens
	kv["tokenizer.ggml.token_type"] = nil
	tk, err := buildVocab(t, kv)
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int32{int32(len(tokens) - 2), int32(len(tokens) - 1)} {
		want := "[EMPTY_" + strconv.Itoa(int(id)) + "]"
		if got := tk.TokenText(id); got != want {
			t.Errorf("token %d is %q, want %q", id, got, want)
		}
		if got, ok := tk.TokenID(want); !ok || got != id {
			t.Errorf("TokenID(%q) = %d, %v", want, got, ok)
		}
	}
	if id, ok := tk.TokenID(""); ok {
		t.Errorf("TokenID(\"\") = %d", id)
	}
	// The rest of the vocabulary still works.
	if got := tk.Encode("hello", false, false); len(got) != 1 || tk.TokenText(got[0]) != "hello" {
		t.Errorf("Encode(hello) = %v", got)
	}
}

// TestRepeatedMergeKeepsFirstRank: a pair listed twice merges at its first
// (better) rank.
func TestRepeatedMergeKeepsFirstRank(t *testing.T) {
	kv := tinyVocab()
	kv["tokenizer.ggml.merges"] = []string{"l l", "h e", "he ll", "hell o", "Ġ hello", "l l"}
	tk, err := buildVocab(t, kv)
	if err != nil {
		t.Fatal(err)
	}
	l, _ := tk.TokenID("l")
	ll, _ := tk.TokenID("ll")
	if rank, result, ok := tk.merges.find(l, l); !ok || rank != 0 || result != ll {
		t.Errorf("find(l, l) = %d, %d, %v; want rank 0, result %d", rank, result, ok, ll)
	}
	if n := len(tk.merges.merges); n != 5 {
		t.Errorf("%d merges kept, want 5", n)
	}
}

// TestTokenIndexProbes guards the hashes: with keys spread evenly, linear
// probing in a table 3/4 full finds one in 2.5 probes on average (Knuth);
// a hash that clusters real token texts or id pairs would need many more.
func TestTokenIndexProbes(t *testing.T) {
	for _, name := range []string{"qwen2", "llama-spm", "gemma-4"} {
		x := &loadVocab(t, name).texts
		probes := 0
		for id := range x.len() {
			i, _ := x.start(hashText(x.text(int32(id)), x.seed))
			for n := 1; ; n++ {
				if x.slots[i]&^(^uint32(0)<<x.idBits) == uint32(id+1) {
					probes += n
					break
				}
				i = x.next(i)
			}
		}
		mean := float64(probes) / float64(x.len())
		t.Logf("%s: %.2f probes per token", name, mean)
		if mean > 3.5 {
			t.Errorf("%s: %.2f probes per token on average, want about 2.5", name, mean)
		}

		m := &loadVocab(t, name).merges
		probes = 0
		for pos, e := range m.merges {
			i, _ := m.start(e.left, e.right)
			for n := 1; ; n++ {
				if m.slots[i]&^(^uint32(0)<<m.bits) == uint32(pos+1) {
					probes += n
					break
				}
				i = m.next(i)
			}
		}
		if len(m.merges) > 0 {
			mean = float64(probes) / float64(len(m.merges))
			t.Logf("%s: %.2f probes per merge", name, mean)
			if mean > 3.5 {
				t.Errorf("%s: %.2f probes per merge on average, want about 2.5", name, mean)
			}
		}
	}
}
