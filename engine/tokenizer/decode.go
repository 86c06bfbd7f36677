package tokenizer

import (
	"fmt"
	"strings"
)

// Piece is the text of one token as llama_token_to_piece(id, special=false)
// gives it: control and unknown tokens render as nothing, "▁" becomes a
// space, byte tokens become their byte, and byte-level BPE text is mapped
// back to bytes. The bytes may be part of a UTF-8 character that later
// tokens complete. An id out of range gives nil.
func (t *Tokenizer) Piece(id int32) []byte { return t.appendPiece(nil, id, false, 0) }

// PieceSpecial is Piece with control and unknown tokens rendered as their
// text (llama_token_to_piece with special=true).
func (t *Tokenizer) PieceSpecial(id int32) []byte { return t.appendPiece(nil, id, true, 0) }

// appendPiece appends a token's piece, dropping up to lstrip leading spaces.
func (t *Tokenizer) appendPiece(dst []byte, id int32, special bool, lstrip int) []byte {
	if !t.valid(id) {
		return dst
	}
	a := t.attrs[id]
	if !special && a&(AttrUnknown|AttrControl) != 0 {
		return dst
	}
	text := t.texts.text(id)
	start := len(dst)
	switch {
	case a&(AttrUnknown|AttrControl|AttrUserDefined) != 0:
		dst = append(dst, text...)
	case a&AttrNormal != 0:
		if t.kind == BPE && !t.escapeSpaces {
			dst = appendByteDecoded(dst, text)
		} else {
			dst = append(dst, strings.ReplaceAll(text, "▁", " ")...)
		}
	case a&AttrByte != 0:
		dst = append(dst, byteTokenValue(text))
	}
	for i := 0; i < lstrip && len(dst) > start && dst[start] == ' '; i++ {
		dst = append(dst[:start], dst[start+1:]...)
	}
	return dst
}

// byteTokenValue reads the byte a "<0xNN>" token stands for.
func byteTokenValue(text string) byte {
	var v byte
	if len(text) >= 5 {
		for _, c := range []byte(text[3:5]) {
			switch {
			case c >= '0' && c <= '9':
				v = v<<4 | (c - '0')
			case c >= 'a' && c <= 'f':
				v = v<<4 | (c - 'a' + 10)
			case c >= 'A' && c <= 'F':
				v = v<<4 | (c - 'A' + 10)
			default:
				return v
			}
		}
	}
	return v
}

// appendByteDecoded maps a byte-level BPE token back to bytes. A character
// outside the byte alphabet is written out as llama.cpp does, in brackets.
func appendByteDecoded(dst []byte, text string) []byte {
	for _, r := range decodeCodepoints(nil, text) {
		if b, ok := byteOfRune(r); ok {
			dst = append(dst, b)
			continue
		}
		dst = append(dst, "[UNK_BYTE_0x"...)
		for _, c := range appendCodepoint(nil, r) {
			dst = fmt.Appendf(dst, "%02x", c)
		}
		dst = append(dst, text...)
		dst = append(dst, ']')
	}
	return dst
}

// Decode turns tokens back into text as llama_detokenize(ids,
// remove_special=false, unparse_special=false) does: control tokens render
// as nothing, the space a SentencePiece model put before the text is
// removed, and models that ask for it get spaces before punctuation and
// contractions cleaned up. Invalid UTF-8 is left as it is.
func (t *Tokenizer) Decode(ids []int32) string { return t.Detokenize(ids, false, false) }

// Detokenize is llama_detokenize: removeSpecial drops a leading BOS and a
// trailing EOS the model adds; unparseSpecial renders control tokens as
// their text.
func (t *Tokenizer) Detokenize(ids []int32, removeSpecial, unparseSpecial bool) string {
	removeSpace := t.addSpacePrefix
	if removeSpecial && t.addBOS && len(ids) > 0 && ids[0] == t.bos {
		removeSpace = false
		ids = ids[1:]
	}
	if removeSpecial && t.addEOS && len(ids) > 0 && ids[len(ids)-1] == t.eos {
		ids = ids[:len(ids)-1]
	}
	var out []byte
	for _, id := range ids {
		lstrip := 0
		if removeSpace {
			lstrip = 1
		}
		out = t.appendPiece(out, id, unparseSpecial, lstrip)
		removeSpace = false
	}
	if t.cleanSpaces {
		out = cleanSpaces(out)
	}
	return string(out)
}

// cleanSpaces undoes the spaces a word-level tokenizer puts before
// punctuation and English contractions, as Hugging Face's
// clean_up_tokenization_spaces does (in llama.cpp's byte-wise reading):
// " ?" " !" " ." " ," lose their space, " ' " loses both, " 's" " 'm" " 're"
// " 've" lose theirs.
func cleanSpaces(b []byte) []byte {
	if len(b) == 0 {
		return b
	}
	// Space before ? ! . ,
	n := 1
	for i := 1; i < len(b); i++ {
		c := b[i]
		if b[i-1] == ' ' && (c == '?' || c == '!' || c == '.' || c == ',') {
			n--
		}
		b[n] = c
		n++
	}
	b = b[:n]

	// A lone apostrophe between spaces. The byte after it is consumed and
	// zeroed, so that it does not count as a space for the next byte.
	n = 1
	for i := 1; i < len(b); i++ {
		c := b[i]
		if c == '\'' && i+1 < len(b) && b[i-1] == ' ' && b[i+1] == ' ' {
			n--
			i++
			b[i] = 0
		}
		b[n] = c
		n++
	}
	b = b[:n]

	// Contractions.
	n = 1
	for i := 1; i < len(b); i++ {
		c := b[i]
		if b[i-1] == ' ' && c == '\'' && i+1 < len(b) {
			switch c1 := b[i+1]; {
			case c1 == 's' || c1 == 'm':
				n--
			case c1 == 't' || c1 == 'd':
			case i+2 < len(b) && (c1 == 'r' || c1 == 'v') && b[i+2] == 'e':
				n--
			}
		}
		b[n] = c
		n++
	}
	return b[:n]
}
