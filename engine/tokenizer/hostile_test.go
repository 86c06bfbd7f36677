package tokenizer

import (
	"bytes"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// tinyVocab is a small byte-level BPE vocabulary: the 256 byte characters,
// a few merges, and two special tokens.
func tinyVocab() map[string]any {
	var tokens []string
	for b := 0; b < 256; b++ {
		tokens = append(tokens, byteText[b])
	}
	tokens = append(tokens, "he", "ll", "hell", "hello", "Ġhello", "<|end|>")
	types := make([]int32, len(tokens))
	for i := range types {
		types[i] = typeNormal
	}
	types[len(types)-1] = typeControl
	return map[string]any{
		"tokenizer.ggml.model":        "gpt2",
		"tokenizer.ggml.pre":          "qwen2",
		"tokenizer.ggml.tokens":       tokens,
		"tokenizer.ggml.token_type":   types,
		"tokenizer.ggml.merges":       []string{"h e", "l l", "he ll", "hell o", "Ġ hello"},
		"tokenizer.ggml.eos_token_id": uint32(len(tokens) - 1),
	}
}

// buildVocab writes metadata into an in-memory GGUF file and builds its
// tokenizer, from the file read plainly and read compact: both must give
// the same error, or tokenizers that agree.
func buildVocab(t *testing.T, kv map[string]any) (*Tokenizer, error) {
	t.Helper()
	w := gguf.NewWriter()
	for _, k := range []string{
		"tokenizer.ggml.model", "tokenizer.ggml.pre", "tokenizer.ggml.tokens", "tokenizer.ggml.scores",
		"tokenizer.ggml.token_type", "tokenizer.ggml.merges", "tokenizer.ggml.bos_token_id",
		"tokenizer.ggml.eos_token_id", "tokenizer.ggml.add_bos_token",
	} {
		if v, ok := kv[k]; ok && v != nil {
			if err := w.AddKV(k, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	var toks [2]*Tokenizer
	var errs [2]error
	for i, compact := range []bool{false, true} {
		f, err := gguf.ReadWith(bytes.NewReader(buf.Bytes()), int64(buf.Len()), gguf.Options{CompactStrings: compact})
		if err != nil {
			t.Fatal(err)
		}
		toks[i], errs[i] = FromGGUF(f)
	}
	if (errs[0] == nil) != (errs[1] == nil) || (errs[0] != nil && errs[0].Error() != errs[1].Error()) {
		t.Fatalf("plain file: %v; compact: %v", errs[0], errs[1])
	}
	if errs[0] == nil {
		for id := range int32(toks[0].VocabSize()) {
			if toks[0].TokenText(id) != toks[1].TokenText(id) || toks[0].Attr(id) != toks[1].Attr(id) {
				t.Fatalf("token %d: %q %v from the plain file, %q %v from the compact one",
					id, toks[0].TokenText(id), toks[0].Attr(id), toks[1].TokenText(id), toks[1].Attr(id))
			}
		}
	}
	return toks[1], errs[1]
}

func TestTinyVocab(t *testing.T) {
	tk, err := buildVocab(t, tinyVocab())
	if err != nil {
		t.Fatal(err)
	}
	hello, _ := tk.TokenID("hello")
	spaceHello, _ := tk.TokenID("Ġhello")
	got := tk.Encode("hello hello", false, false)
	if len(got) != 2 || got[0] != hello || got[1] != spaceHello {
		t.Errorf("Encode(hello hello) = %v, want [%d %d]", got, hello, spaceHello)
	}
	if !tk.IsEOG(tk.EOS()) || tk.TokenText(tk.EOS()) != "<|end|>" {
		t.Errorf("EOS %d (%q) not end-of-generation", tk.EOS(), tk.TokenText(tk.EOS()))
	}
	// Any bytes at all tokenize without panicking, into ids in range.
	for _, s := range []string{"\xff\xfe", "a\x00b", "\xed\xa0\x80", "\xf4\x90\x80\x80", "\xc3", "<|end|>", strings.Repeat("l", 5000)} {
		for _, special := range []bool{false, true} {
			for _, id := range tk.Encode(s, true, special) {
				if id < 0 || int(id) >= tk.VocabSize() {
					t.Errorf("Encode(%q) gave id %d out of range", s, id)
				}
			}
		}
	}
}

func TestHostileMetadata(t *testing.T) {
	for _, c := range []struct {
		name   string
		change func(kv map[string]any)
		want   string // in the error
	}{
		{"no tokens", func(kv map[string]any) { delete(kv, "tokenizer.ggml.tokens") }, "no tokens"},
		{"empty token list", func(kv map[string]any) { kv["tokenizer.ggml.tokens"] = []string{} }, "no tokens"},
		{"tokens not strings", func(kv map[string]any) { kv["tokenizer.ggml.tokens"] = []int32{1, 2} }, "tokenizer.ggml.tokens"},
		{"no model", func(kv map[string]any) { delete(kv, "tokenizer.ggml.model") }, "tokenizer.ggml.model"},
		{"unknown model", func(kv map[string]any) { kv["tokenizer.ggml.model"] = "sentencepiece9" }, `"sentencepiece9"`},
		{"unsupported model", func(kv map[string]any) { kv["tokenizer.ggml.model"] = "rwkv" }, `"rwkv"`},
		{"unknown pre", func(kv map[string]any) { kv["tokenizer.ggml.pre"] = "my-new-model" }, `"my-new-model"`},
		{"unsupported pre", func(kv map[string]any) { kv["tokenizer.ggml.pre"] = "tekken" }, `"tekken"`},
		{"short token_type", func(kv map[string]any) { kv["tokenizer.ggml.token_type"] = []int32{1, 1, 1} }, "token_type"},
		{"token_type wrong type", func(kv map[string]any) { kv["tokenizer.ggml.token_type"] = []string{"x"} }, "token_type"},
		{"short scores", func(kv map[string]any) { kv["tokenizer.ggml.scores"] = []float32{0} }, "scores"},
		{"scores wrong type", func(kv map[string]any) { kv["tokenizer.ggml.scores"] = "high" }, "scores"},
		{"no merges", func(kv map[string]any) { delete(kv, "tokenizer.ggml.merges") }, "merges"},
		{"merge of unknown token", func(kv map[string]any) {
			kv["tokenizer.ggml.merges"] = []string{"h e", "x yz"}
		}, `"yz"`},
		{"merge making unknown token", func(kv map[string]any) { kv["tokenizer.ggml.merges"] = []string{"a b"} }, `"ab"`},
		{"merge without space", func(kv map[string]any) { kv["tokenizer.ggml.merges"] = []string{"hello"} }, `"hello"`},
		{"eos out of range", func(kv map[string]any) { kv["tokenizer.ggml.eos_token_id"] = uint32(1 << 20) }, "eos_token_id"},
		{"negative bos", func(kv map[string]any) { kv["tokenizer.ggml.bos_token_id"] = int32(-1) }, "bos_token_id"},
		{"bos wrong type", func(kv map[string]any) { kv["tokenizer.ggml.bos_token_id"] = "one" }, "bos_token_id"},
		{"add_bos wrong type", func(kv map[string]any) { kv["tokenizer.ggml.add_bos_token"] = uint8(1) }, "add_bos_token"},
		{"duplicate tokens", func(kv map[string]any) {
			kv["tokenizer.ggml.tokens"] = append(kv["tokenizer.ggml.tokens"].([]string)[:260:260], "he")
			kv["tokenizer.ggml.token_type"] = nil
			kv["tokenizer.ggml.merges"] = []string{}
		}, `"he"`},
	} {
		t.Run(c.name, func(t *testing.T) {
			kv := tinyVocab()
			c.change(kv)
			tk, err := buildVocab(t, kv)
			if err == nil {
				t.Fatalf("no error (vocabulary of %d tokens)", tk.VocabSize())
			}
			if !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q does not mention %s", err, c.want)
			}
		})
	}
}

// FuzzEncode checks that any input tokenizes into valid ids and that
// byte-level BPE without clean-up gives the input back exactly.
func FuzzEncode(f *testing.F) {
	for _, s := range oracleTexts {
		f.Add(s)
	}
	f.Add("\xff\xfe\xc3(\xe2\x82")
	f.Fuzz(func(t *testing.T, s string) {
		for _, name := range []string{"qwen2", "llama-spm", "bert-bge", "gemma-4"} {
			tk := loadVocab(t, name)
			for _, special := range []bool{false, true} {
				ids := tk.Encode(s, true, special)
				for _, id := range ids {
					if id < 0 || int(id) >= tk.VocabSize() {
						t.Fatalf("%s: Encode(%q) gave id %d", name, s, id)
					}
				}
				_ = tk.Detokenize(ids, true, special)
			}
		}
		if utf8.ValidString(s) {
			tk := loadVocab(t, "qwen2")
			if got := tk.Decode(tk.Encode(s, false, false)); got != s {
				t.Errorf("qwen2 round trip of %q gave %q", s, got)
			}
		}
	})
}
