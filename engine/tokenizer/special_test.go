package tokenizer

import (
	"fmt"
	"slices"
	"testing"
)

func mustID(t *testing.T, tk *Tokenizer, text string) int32 {
	t.Helper()
	id, ok := tk.TokenID(text)
	if !ok {
		t.Fatalf("no token %q", text)
	}
	return id
}

func TestParseSpecialQwen2(t *testing.T) {
	tk := loadVocab(t, "qwen2")
	start, end := mustID(t, tk, "<|im_start|>"), mustID(t, tk, "<|im_end|>")
	text := "<|im_start|>user\nHi<|im_end|>"

	got := tk.Encode(text, false, true)
	want := append(append([]int32{start}, tk.Encode("user\nHi", false, false)...), end)
	if !slices.Equal(got, want) {
		t.Errorf("parseSpecial: got %v, want %v", got, want)
	}

	plain := tk.Encode(text, false, false)
	if slices.Contains(plain, start) || slices.Contains(plain, end) {
		t.Errorf("without parseSpecial the markers became control tokens: %v", plain)
	}
	if back := tk.Decode(plain); back != text {
		t.Errorf("Decode(Encode(%q)) = %q", text, back)
	}
	// Control tokens render as nothing unless asked for.
	if back := tk.Decode(got); back != "user\nHi" {
		t.Errorf("Decode hides control tokens: got %q", back)
	}
	if back := tk.Detokenize(got, false, true); back != text {
		t.Errorf("Detokenize(unparse) = %q, want %q", back, text)
	}
}

func TestParseSpecialLlama3(t *testing.T) {
	tk := loadVocab(t, "llama-bpe")
	bos := mustID(t, tk, "<|begin_of_text|>")
	if tk.BOS() != bos || !tk.AddBOS() || tk.AddEOS() {
		t.Fatalf("BOS %d addBOS %v addEOS %v, want %d true false", tk.BOS(), tk.AddBOS(), tk.AddEOS(), bos)
	}
	hello := tk.Encode("Hello", false, false)
	if got := tk.Encode("Hello", true, false); !slices.Equal(got, append([]int32{bos}, hello...)) {
		t.Errorf("addSpecial: got %v", got)
	}
	// The BOS written in the text is parsed too, so it appears twice.
	if got := tk.Encode("<|begin_of_text|>Hello", true, true); !slices.Equal(got, append([]int32{bos, bos}, hello...)) {
		t.Errorf("addSpecial+parseSpecial: got %v", got)
	}
	if got := tk.Encode("<|begin_of_text|>Hello", false, false); slices.Contains(got, bos) {
		t.Errorf("without parseSpecial: got %v", got)
	}
	for _, s := range []string{"<|end_of_text|>", "<|eot_id|>"} {
		if id := mustID(t, tk, s); !tk.IsEOG(id) {
			t.Errorf("%s is not end-of-generation", s)
		}
	}
	if tk.IsEOG(bos) || tk.IsEOG(mustID(t, tk, "Hello")) {
		t.Error("BOS or text counted as end-of-generation")
	}
	if tk.EOT() != mustID(t, tk, "<|eot_id|>") {
		t.Errorf("EOT = %d", tk.EOT())
	}
}

// Phi-3's added tokens swallow the whitespace after them (except <s>,
// <unk> and <|endoftext|>).
func TestRStripPhi3(t *testing.T) {
	tk := loadVocab(t, "phi-3")
	user := mustID(t, tk, "<|user|>")
	a := tk.Encode("<|user|>\n  Hi", false, true)
	b := tk.Encode("<|user|>Hi", false, true)
	if !slices.Equal(a, b) || a[0] != user {
		t.Errorf("<|user|> does not strip the whitespace after it: %v vs %v", a, b)
	}
	c := tk.Encode("<s>\nHi", false, true)
	d := tk.Encode("<s>Hi", false, true)
	if slices.Equal(c, d) {
		t.Errorf("<s> strips whitespace: %v", c)
	}
}

// A SentencePiece model puts a space before the text and after each special
// token.
func TestSpacePrefixAfterSpecial(t *testing.T) {
	tk := loadVocab(t, "llama-spm")
	hi := tk.Encode("Hi", false, false)
	if tk.TokenText(hi[0]) != "▁Hi" {
		t.Fatalf("Encode(Hi) = %v (%q), want a space-prefixed piece", hi, tk.TokenText(hi[0]))
	}
	if got := tk.Encode("<s>Hi", false, true); !slices.Equal(got, append([]int32{1}, hi...)) {
		t.Errorf("Encode(<s>Hi) = %v", got)
	}
	if got := tk.Encode("Hi", true, false); !slices.Equal(got, append([]int32{1}, hi...)) {
		t.Errorf("Encode(Hi, addSpecial) = %v", got)
	}
	if got := tk.Decode(tk.Encode("Hi  there", false, false)); got != "Hi  there" {
		t.Errorf("round trip: %q", got)
	}
	if got := tk.Encode("", true, false); !slices.Equal(got, []int32{1}) {
		t.Errorf("Encode(\"\", addSpecial) = %v, want [1]", got)
	}
}

// User-defined tokens are matched in text even without parseSpecial.
func TestUserDefinedAlwaysMatched(t *testing.T) {
	tk := loadVocab(t, "deepseek-coder")
	id := mustID(t, tk, "õ")
	if tk.Attr(id)&AttrUserDefined == 0 {
		t.Fatalf("õ is not user-defined: %b", tk.Attr(id))
	}
	if got := tk.Encode("aõb", false, false); !slices.Contains(got, id) {
		t.Errorf("Encode(aõb) = %v, want it to contain %d", got, id)
	}

	mpt := loadVocab(t, "mpt")
	spaces := mustID(t, mpt, "    ")
	if got := mpt.Encode("a    b", false, false); !slices.Contains(got, spaces) {
		t.Errorf("mpt Encode(a    b) = %v, want the four-space token %d", got, spaces)
	}
}

func TestEndOfGeneration(t *testing.T) {
	for _, c := range []struct {
		vocab string
		eog   []string
		not   []string
	}{
		{"qwen2", []string{"<|endoftext|>", "<|im_end|>"}, []string{"<|im_start|>"}},
		{"gemma-4", []string{"<eos>", "<turn|>", "<|tool_response>"}, []string{"<bos>", "<|turn>"}},
		{"phi-3", []string{"<|end|>", "<|endoftext|>"}, []string{"<|user|>", "<s>"}},
		{"bert-bge", nil, []string{"[CLS]", "[SEP]"}},
	} {
		tk := loadVocab(t, c.vocab)
		for _, s := range c.eog {
			if !tk.IsEOG(mustID(t, tk, s)) {
				t.Errorf("%s: %s should end generation", c.vocab, s)
			}
		}
		for _, s := range c.not {
			if tk.IsEOG(mustID(t, tk, s)) {
				t.Errorf("%s: %s should not end generation", c.vocab, s)
			}
		}
	}
}

func TestWordPieceSpecials(t *testing.T) {
	tk := loadVocab(t, "bert-bge")
	cls, sep := mustID(t, tk, "[CLS]"), mustID(t, tk, "[SEP]")
	got := tk.Encode("Hello", true, false)
	if len(got) < 3 || got[0] != cls || got[len(got)-1] != sep {
		t.Errorf("Encode(Hello, addSpecial) = %v, want [CLS] … [SEP]", got)
	}
	// Unknown words become [UNK].
	if got := tk.Encode("\U0001F999", false, false); !slices.Equal(got, []int32{tk.UNK()}) {
		t.Errorf("Encode(emoji) = %v, want [UNK] %d", got, tk.UNK())
	}
}

func TestPieces(t *testing.T) {
	tk := loadVocab(t, "llama-bpe")
	bos := tk.BOS()
	if p := tk.Piece(bos); len(p) != 0 {
		t.Errorf("Piece(BOS) = %q, want empty", p)
	}
	if p := tk.PieceSpecial(bos); string(p) != "<|begin_of_text|>" {
		t.Errorf("PieceSpecial(BOS) = %q", p)
	}
	if p := tk.Piece(mustID(t, tk, "ĠHello")); string(p) != " Hello" {
		t.Errorf("Piece(ĠHello) = %q", p)
	}
	for _, id := range []int32{-1, int32(tk.VocabSize()), 1 << 30} {
		if p := tk.Piece(id); p != nil {
			t.Errorf("Piece(%d) = %q, want nil", id, p)
		}
		if s := tk.TokenText(id); s != "" {
			t.Errorf("TokenText(%d) = %q", id, s)
		}
	}
	if got := tk.Decode([]int32{-5, mustID(t, tk, "Hello"), 1 << 30}); got != "Hello" {
		t.Errorf("Decode skips invalid ids: got %q", got)
	}

	spm := loadVocab(t, "llama-spm")
	if p := spm.Piece(mustID(t, spm, "▁Hello")); string(p) != " Hello" {
		t.Errorf("SPM Piece(▁Hello) = %q", p)
	}
	if p := spm.Piece(mustID(t, spm, "<0x0A>")); string(p) != "\n" {
		t.Errorf("SPM Piece(<0x0A>) = %q", p)
	}
}

// Encoding from several goroutines at once gives the same ids as encoding
// alone (the word cache and session pools are shared).
func TestConcurrentEncode(t *testing.T) {
	tk := loadVocab(t, "qwen2")
	texts := append(slices.Clone(oracleTexts), benchText)
	want := make([][]int32, len(texts))
	for i, s := range texts {
		want[i] = tk.Encode(s, true, true)
	}
	done := make(chan error, 4)
	for g := range 4 {
		go func() {
			for r := range 20 {
				i := (g + r) % len(texts)
				if got := tk.Encode(texts[i], true, true); !slices.Equal(got, want[i]) {
					done <- fmt.Errorf("goroutine %d: Encode(%q) = %v, want %v", g, texts[i], got, want[i])
					return
				}
			}
			done <- nil
		}()
	}
	for range 4 {
		if err := <-done; err != nil {
			t.Error(err)
		}
	}
}
