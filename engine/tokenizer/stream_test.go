package tokenizer

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// streamAll feeds ids one at a time and returns what each Add returned.
func streamAll(d *StreamDecoder, ids []int32) []string {
	var outs []string
	for _, id := range ids {
		outs = append(outs, d.Add(id))
	}
	return outs
}

func TestStreamSplitCharacters(t *testing.T) {
	const text = "🦙 llamas, 日本語 and 👩‍💻 emoji"
	for _, name := range []string{"llama-bpe", "qwen2", "gpt-2", "llama-spm", "gemma-4"} {
		t.Run(name, func(t *testing.T) {
			tk := loadVocab(t, name)
			ids := tk.Encode(text, false, false)
			d := tk.NewStreamDecoder()
			outs := streamAll(d, ids)
			held := 0
			for i, s := range outs {
				if !utf8.ValidString(s) {
					t.Errorf("Add(%d) returned invalid UTF-8 %q", ids[i], s)
				}
				if s == "" {
					held++
				}
			}
			got := strings.Join(outs, "") + d.Flush()
			want := text
			if tk.addSpacePrefix {
				want = " " + text // pieces keep the space SentencePiece added
			}
			if got != want {
				t.Errorf("stream = %q, want %q", got, want)
			}
			if held == 0 {
				t.Errorf("no token ended inside a character (ids %v): the test exercises nothing", ids)
			}
		})
	}
}

// Byte tokens build characters byte by byte; bytes that can never form a
// character come out as U+FFFD, and only then.
func TestStreamInvalidBytes(t *testing.T) {
	tk := loadVocab(t, "llama-spm")
	b := func(x byte) int32 { return tk.byteToken[x] }
	for _, c := range []struct {
		name  string
		ids   []int32
		outs  []string
		flush string
	}{
		{"emoji", []int32{b(0xF0), b(0x9F), b(0xA6), b(0x99)}, []string{"", "", "", "🦙"}, ""},
		{"stray continuation", []int32{b(0x80), b('A')}, []string{"\uFFFD", "A"}, ""},
		{"impossible byte", []int32{b(0xFF)}, []string{"\uFFFD"}, ""},
		{"cut short", []int32{b(0xE2), b(0x82), b('A')}, []string{"", "", "\uFFFDA"}, ""},
		{"surrogate", []int32{b(0xED), b(0xA0)}, []string{"", "\uFFFD\uFFFD"}, ""},
		{"unfinished at end", []int32{b('x'), b(0xF0), b(0x9F)}, []string{"x", "", ""}, "\uFFFD"},
	} {
		t.Run(c.name, func(t *testing.T) {
			d := tk.NewStreamDecoder()
			outs := streamAll(d, c.ids)
			for i := range outs {
				if outs[i] != c.outs[i] {
					t.Errorf("Add #%d = %q, want %q", i, outs[i], c.outs[i])
				}
			}
			if f := d.Flush(); f != c.flush {
				t.Errorf("Flush = %q, want %q", f, c.flush)
			}
			if d.Pending() != 0 {
				t.Errorf("%d bytes pending after Flush", d.Pending())
			}
		})
	}
}

func TestStreamControlTokens(t *testing.T) {
	tk := loadVocab(t, "qwen2")
	ids := tk.Encode("<|im_start|>hi<|im_end|>", false, true)
	if got := strings.Join(streamAll(tk.NewStreamDecoder(), ids), ""); got != "hi" {
		t.Errorf("plain stream = %q, want %q", got, "hi")
	}
	if got := strings.Join(streamAll(tk.NewStreamDecoderSpecial(), ids), ""); got != "<|im_start|>hi<|im_end|>" {
		t.Errorf("special stream = %q", got)
	}
}
