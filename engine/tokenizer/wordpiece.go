package tokenizer

import (
	"unicode"
	"unicode/utf8"
)

// WordPiece (BERT): the text is normalized (lower-cased, accents stripped
// by keeping the first code point of each character's decomposition,
// controls dropped) and cut into words at whitespace, with every
// punctuation mark, ASCII symbol and CJK ideograph a word of its own. Each
// word, prefixed with "▁" (how GGUF spells a word start), is covered by
// greedy longest matches; a word with any uncovered part becomes [UNK].

// wordpieceWords normalizes text and cuts it into words.
func (t *Tokenizer) wordpieceWords(text string, words [][]byte) [][]byte {
	cpts := decodeCodepoints(nil, text)
	var cur []byte
	flush := func() {
		if len(cur) > 0 {
			words = append(words, cur)
			cur = nil
		}
	}
	for _, r := range cpts {
		if t.stripAccent {
			r = nfdFirstOf(r)
		}
		f := cpFlags(r)
		if f&flagWhitespace != 0 {
			flush()
			continue
		}
		if r == 0 || r == utf8.RuneError || f&catControl != 0 {
			continue
		}
		if t.stripAccent && f&catMark != 0 {
			continue
		}
		alone := f&catPunct != 0 || (r < 0x7F && f&catSymbol != 0) || isCJKIdeograph(r)
		if t.lowercase {
			r = unicode.ToLower(r)
		}
		if alone {
			flush()
			words = append(words, appendCodepoint(nil, r))
			continue
		}
		cur = appendCodepoint(cur, r)
	}
	flush()
	return words
}

// isCJKIdeograph is BERT's notion of a Chinese character (which follows the
// reference implementation's ranges, not Unicode's exact block limits).
func isCJKIdeograph(r rune) bool {
	return (r >= 0x4E00 && r <= 0x9FFF) ||
		(r >= 0x3400 && r <= 0x4DBF) ||
		(r >= 0x20000 && r <= 0x2A6DF) ||
		(r >= 0x2A700 && r <= 0x2B73F) ||
		(r >= 0x2B740 && r <= 0x2B81F) ||
		(r >= 0x2B920 && r <= 0x2CEAF) ||
		(r >= 0xF900 && r <= 0xFAFF) ||
		(r >= 0x2F800 && r <= 0x2FA1F)
}

// encodeWordPiece appends the tokens of one raw text fragment.
func (t *Tokenizer) encodeWordPiece(text string, out []int32) []int32 {
	for _, w := range t.wordpieceWords(text, nil) {
		word := append([]byte("▁"), w...)
		start := len(out)
		for i := 0; i < len(word); {
			matched := false
			for j := min(len(word), i+t.texts.maxLen+1); j > i; j-- {
				if id, ok := t.texts.idBytes(word[i:j]); ok {
					out = append(out, id)
					i = j
					matched = true
					break
				}
			}
			if !matched {
				out = out[:start] // the whole word is unknown
				break
			}
		}
		if len(out) == start && t.unk != noToken {
			out = append(out, t.unk)
		}
	}
	return out
}
