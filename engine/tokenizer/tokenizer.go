// Package tokenizer turns text into token ids and back, from the
// tokenizer.* metadata of a GGUF file, the way llama.cpp does: the same ids
// for the same text, for every vocabulary type a small model ships with.
//
//   - "llama": SentencePiece BPE. Spaces become "▁", adjacent pieces merge
//     by descending score, and characters no piece covers fall back to byte
//     tokens <0xNN>.
//   - "gpt2": byte-level BPE. A pre-tokenizer chosen by tokenizer.ggml.pre
//     cuts the text into words; each word's bytes, spelled with the GPT-2
//     byte alphabet, merge by ascending rank of tokenizer.ggml.merges.
//   - "gemma4": BPE over raw UTF-8 with SentencePiece-style spaces.
//   - "bert": WordPiece, greedy longest match within words.
//
// Special tokens (control, user-defined, unknown) are cut out of the text
// before any of this: user-defined ones always, control and unknown ones
// only when the caller asks to parse special tokens.
//
// Pre-tokenizers classify code points with Unicode 15.1 categories, as
// llama.cpp's own tables do (Go's are 15.0; unicode.go patches the
// difference). Pre-tokenizers whose patterns need look-ahead beyond the
// hand-written families (tekken, gpt-4o, deepseek-v3 …) and the t5, rwkv
// and plamo2 models are refused with an error naming them.
//
// Texts must be shorter than 2 GiB. A Tokenizer is safe for concurrent use.
package tokenizer

import "sync"

// Attr describes how a token is treated, as llama.cpp's token attributes
// do. A token has one of the type bits (Normal, Control …), possibly with
// Control added by name-based detection, and possibly LStrip/RStrip.
type Attr uint8

// Token attributes.
const (
	AttrUnknown     Attr = 1 << iota // the unknown token, <unk>
	AttrUnused                       // a reserved, unused slot
	AttrNormal                       // ordinary text
	AttrControl                      // control token: <s>, <|im_end|> …
	AttrUserDefined                  // added token matched verbatim in text
	AttrByte                         // a byte fallback token <0xNN>
	AttrLStrip                       // when matched, eats whitespace before it
	AttrRStrip                       // when matched, eats whitespace after it
)

// Kind is the tokenizer algorithm.
type Kind int

// Tokenizer kinds.
const (
	SPM Kind = iota // SentencePiece BPE (tokenizer.ggml.model "llama")
	BPE             // byte-level BPE ("gpt2") or raw-UTF-8 BPE ("gemma4")
	WPM             // WordPiece ("bert")
)

func (k Kind) String() string {
	switch k {
	case SPM:
		return "SPM"
	case BPE:
		return "BPE"
	case WPM:
		return "WPM"
	}
	return "unknown"
}

// Tokenizer encodes and decodes text for one vocabulary.
type Tokenizer struct {
	kind  Kind
	model string // tokenizer.ggml.model
	pre   preTokenizer
	name  string // tokenizer.ggml.pre as resolved

	texts  tokenTexts // the token texts, and the token of each text
	scores []float32  // SentencePiece only
	attrs  []Attr

	// merges finds the merge of a pair of token ids (BPE only).
	merges mergeTable

	// specials are the tokens cut out of text before tokenizing (control,
	// user-defined and unknown), longest text first.
	specials   []int32
	specialIdx specialIndex

	// byteToken is the token for each raw byte when nothing else covers it:
	// <0xNN> (SentencePiece, Gemma 4) or the byte's own one-byte text.
	byteToken [256]int32
	// charToken is the token of each GPT-2 byte character (byte-level BPE).
	charToken [256]int32

	bos, eos, eot, eom, unk, sep, pad, mask        int32
	fimPre, fimSuf, fimMid, fimPad, fimRep, fimSep int32
	eog                                            map[int32]bool

	addBOS, addEOS, addSEP bool
	addSpacePrefix         bool // SPM: a space before the text (and after special tokens)
	escapeSpaces           bool // spaces are spelled "▁"
	byteEncode             bool // byte-level BPE
	ignoreMerges           bool
	spmWordwise            bool // SentencePiece merges never cross a word start
	cleanSpaces            bool // detokenizing removes " ," " 's" …
	lowercase, stripAccent bool // WordPiece normalization

	cache wordCache
}

// noToken marks an absent special token.
const noToken int32 = -1

// Kind is the tokenizer algorithm.
func (t *Tokenizer) Kind() Kind { return t.kind }

// Model is tokenizer.ggml.model ("llama", "gpt2", "bert", "gemma4").
func (t *Tokenizer) Model() string { return t.model }

// Pre is the pre-tokenizer name in effect (BPE only; "" otherwise).
func (t *Tokenizer) Pre() string { return t.name }

// VocabSize is the number of tokens.
func (t *Tokenizer) VocabSize() int { return t.texts.len() }

// BOS is the beginning-of-sequence token, or -1 if the model has none.
func (t *Tokenizer) BOS() int32 { return t.bos }

// EOS is the end-of-sequence token, or -1 if the model has none.
func (t *Tokenizer) EOS() int32 { return t.eos }

// EOT is the end-of-turn token (<|eot_id|>, <|im_end|> …), or -1.
func (t *Tokenizer) EOT() int32 { return t.eot }

// EOM is the end-of-message token (<|eom_id|>), or -1.
func (t *Tokenizer) EOM() int32 { return t.eom }

// UNK is the unknown token, or -1.
func (t *Tokenizer) UNK() int32 { return t.unk }

// SEP is the separator token (BERT's [SEP]), or -1.
func (t *Tokenizer) SEP() int32 { return t.sep }

// PAD is the padding token, or -1.
func (t *Tokenizer) PAD() int32 { return t.pad }

// AddBOS reports whether Encode with addSpecial prepends BOS.
func (t *Tokenizer) AddBOS() bool { return t.addBOS }

// AddEOS reports whether Encode with addSpecial appends EOS.
func (t *Tokenizer) AddEOS() bool { return t.addEOS }

// AddSEP reports whether the model expects a separator after each text
// (BERT-style encoders; Encode adds it for WordPiece models).
func (t *Tokenizer) AddSEP() bool { return t.addSEP }

// IsEOG reports whether generating id ends generation: EOS, EOT, EOM and
// the end-like tokens llama.cpp recognizes by name.
func (t *Tokenizer) IsEOG(id int32) bool { return t.eog[id] }

// EOGs lists the end-of-generation tokens in ascending order.
func (t *Tokenizer) EOGs() []int32 {
	var out []int32
	for id := range t.texts.len() {
		if t.eog[int32(id)] {
			out = append(out, int32(id))
		}
	}
	return out
}

// TokenText is a token's text as the vocabulary spells it ("▁the", "Ġthe",
// "<|im_end|>"), or "" for an id out of range.
func (t *Tokenizer) TokenText(id int32) string {
	if !t.valid(id) {
		return ""
	}
	return t.texts.text(id)
}

// TokenID finds the token whose vocabulary text is s.
func (t *Tokenizer) TokenID(s string) (int32, bool) {
	return t.texts.id(s)
}

// Attr is a token's attributes (0 for an id out of range).
func (t *Tokenizer) Attr(id int32) Attr {
	if !t.valid(id) {
		return 0
	}
	return t.attrs[id]
}

// IsControl reports whether id is a control token (rendered only on request).
func (t *Tokenizer) IsControl(id int32) bool { return t.Attr(id)&AttrControl != 0 }

func (t *Tokenizer) valid(id int32) bool { return id >= 0 && int(id) < t.texts.len() }

// wordCache remembers the ids of pre-tokenized words: prompts repeat words,
// and merging is the costly part of BPE.
type wordCache struct {
	mu    sync.Mutex
	m     map[string][]int32
	bytes int // what m holds, as entryBytes counts it
}

// The cache is emptied when it would hold more than wordCacheBytes, so that
// a long session does not grow the heap (which, in the browser, never gives
// memory back): a word costs ~110 bytes besides its text and ids, and a
// count limit of 65536 words let it reach 7.5 MB, more than a 150k-token
// vocabulary takes. 1 MB holds ~8000 words, a long conversation's worth.
// Words longer than wordCacheMaxLen (a pasted blob without spaces) are not
// kept.
const (
	wordCacheBytes  = 1 << 20
	wordCacheMaxLen = 256
)

// entryBytes is what a cached word costs: its text, its ids, and the map
// slot, string and slice headers and allocation rounding around them
// (measured: ~119 bytes a word for words of ~7 bytes and ~2.5 ids).
func entryBytes(word, ids int) int { return word + 4*ids + 112 }

func (c *wordCache) get(word []byte) ([]int32, bool) {
	c.mu.Lock()
	ids, ok := c.m[string(word)]
	c.mu.Unlock()
	return ids, ok
}

// put remembers the ids of a word, copying them.
func (c *wordCache) put(word []byte, ids []int32) {
	c.store(word, []cacheMiss{{0, len(word), 0, len(ids)}}, ids)
}

// cacheMiss records a word encoded afresh: its bytes in the session's
// words, and its ids in the output.
type cacheMiss struct{ from, to, idsFrom, idsTo int }

// lookup appends the cached ids of each word (nil if absent); ends are the
// words' end offsets in words.
func (c *wordCache) lookup(words []byte, ends []int, hits [][]int32) [][]int32 {
	c.mu.Lock()
	from := 0
	for _, end := range ends {
		hits = append(hits, c.m[string(words[from:end])])
		from = end
	}
	c.mu.Unlock()
	return hits
}

// store remembers the ids of newly encoded words, copying them out of out
// (the caller owns that).
func (c *wordCache) store(words []byte, misses []cacheMiss, out []int32) {
	if len(misses) == 0 {
		return
	}
	c.mu.Lock()
	for _, m := range misses {
		if m.to-m.from > wordCacheMaxLen {
			continue
		}
		cost := entryBytes(m.to-m.from, m.idsTo-m.idsFrom)
		if c.m == nil || c.bytes+cost > wordCacheBytes {
			c.m = make(map[string][]int32, 1024)
			c.bytes = 0
		}
		c.m[string(words[m.from:m.to])] = append([]int32(nil), out[m.idsFrom:m.idsTo]...)
		c.bytes += cost
	}
	c.mu.Unlock()
}

// reset empties the cache.
func (c *wordCache) reset() {
	c.mu.Lock()
	c.m, c.bytes = nil, 0
	c.mu.Unlock()
}
