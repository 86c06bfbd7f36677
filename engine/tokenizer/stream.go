package tokenizer

import (
	"strings"
	"unicode/utf8"
)

// StreamDecoder turns tokens into text one at a time, as a model generates
// them. A token may end in the middle of a UTF-8 character (byte tokens,
// byte-level BPE pieces of an emoji); the decoder holds such a partial
// character back until the tokens completing it arrive, so that every
// string it returns is valid UTF-8. Bytes that can never become part of a
// valid character come out as U+FFFD.
//
// Each token is rendered with Piece: control tokens add nothing, and
// neither the leading-space removal nor the space clean-up of Decode is
// applied, as when llama.cpp's examples print tokens while generating.
type StreamDecoder struct {
	t       *Tokenizer
	special bool
	pending []byte
}

// NewStreamDecoder starts an empty stream.
func (t *Tokenizer) NewStreamDecoder() *StreamDecoder { return &StreamDecoder{t: t} }

// NewStreamDecoderSpecial starts a stream that renders control tokens as
// their text (PieceSpecial).
func (t *Tokenizer) NewStreamDecoderSpecial() *StreamDecoder {
	return &StreamDecoder{t: t, special: true}
}

// Add appends one token and returns the text it completes ("" while a
// character is still incomplete).
func (d *StreamDecoder) Add(id int32) string {
	d.pending = d.t.appendPiece(d.pending, id, d.special, 0)
	return d.drain(false)
}

// Flush returns whatever is held back, an incomplete character becoming
// U+FFFD, and leaves the stream empty.
func (d *StreamDecoder) Flush() string { return d.drain(true) }

// Pending reports how many bytes are held back.
func (d *StreamDecoder) Pending() int { return len(d.pending) }

func (d *StreamDecoder) drain(final bool) string {
	var b strings.Builder
	i := 0
	for i < len(d.pending) {
		rest := d.pending[i:]
		if !utf8.FullRune(rest) && !final {
			break // a valid beginning of a character: wait for the rest
		}
		r, size := utf8.DecodeRune(rest)
		if r == utf8.RuneError && size <= 1 {
			// One U+FFFD for the longest beginning of a character that was
			// cut short (or for one stray byte).
			b.WriteRune(utf8.RuneError)
			i += invalidRun(rest)
			continue
		}
		b.Write(rest[:size])
		i += size
	}
	d.pending = append(d.pending[:0], d.pending[i:]...)
	return b.String()
}

// invalidRun is the length of the longest prefix of b that could begin a
// character (at least 1), for b not starting with a valid character.
func invalidRun(b []byte) int {
	n := 1
	for k := 2; k <= min(3, len(b)); k++ {
		if !utf8.FullRune(b[:k]) {
			n = k
		}
	}
	return n
}
