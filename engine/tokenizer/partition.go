package tokenizer

import "strings"

// fragment is a piece of the input after special tokens are cut out:
// either a special token (tok >= 0) or the raw text text[off:off+n].
type fragment struct {
	tok    int32
	off, n int
}

// partition cuts special tokens out of text. Tokens are taken longest
// first: each one splits every raw fragment at all its occurrences, then the
// next token searches what is left. User-defined tokens always take part;
// control and unknown tokens only when parseSpecial is set. A token marked
// LStrip (RStrip) also removes the ASCII whitespace just before (after) it.
func (t *Tokenizer) partition(text string, parseSpecial bool, frags []fragment) []fragment {
	frags = append(frags[:0], fragment{tok: noToken, off: 0, n: len(text)})
	var next []fragment
	for _, id := range t.specialsIn(text) {
		a := t.attrs[id]
		if !parseSpecial && a&(AttrControl|AttrUnknown) != 0 {
			continue
		}
		special := t.texts.text(id)
		next = next[:0]
		for _, f := range frags {
			if f.tok != noToken {
				next = append(next, f)
				continue
			}
			off, n := f.off, f.n
			for n > 0 {
				i := strings.Index(text[off:off+n], special)
				if i < 0 {
					next = append(next, fragment{tok: noToken, off: off, n: n})
					break
				}
				left := i
				if a&AttrLStrip != 0 {
					for left > 0 && isASCIISpace(text[off+left-1]) {
						left--
					}
				}
				if left > 0 {
					next = append(next, fragment{tok: noToken, off: off, n: left})
				}
				next = append(next, fragment{tok: id})
				off += i + len(special)
				n -= i + len(special)
				if a&AttrRStrip != 0 {
					for n > 0 && isASCIISpace(text[off]) {
						off++
						n--
					}
				}
			}
		}
		frags, next = next, frags
	}
	return frags
}

// specialIndex finds which special tokens occur in a text in one pass,
// so that partitioning only searches for those: a vocabulary may have a
// thousand added tokens, and a prompt a handful.
type specialIndex struct {
	byPrefix map[uint16][]int // positions in specials, by first two bytes
	prefixes []uint64         // bitmap of the two-byte prefixes present
	oneByte  [256][]int       // positions of one-byte specials
}

func (t *Tokenizer) buildSpecialIndex() {
	x := &t.specialIdx
	x.byPrefix = map[uint16][]int{}
	x.prefixes = make([]uint64, 1<<16/64)
	for pos, id := range t.specials {
		s := t.texts.text(id)
		if len(s) == 1 {
			x.oneByte[s[0]] = append(x.oneByte[s[0]], pos)
			continue
		}
		k := uint16(s[0])<<8 | uint16(s[1])
		x.byPrefix[k] = append(x.byPrefix[k], pos)
		x.prefixes[k/64] |= 1 << (k % 64)
	}
}

// specialsIn lists the special tokens occurring in text, longest first.
func (t *Tokenizer) specialsIn(text string) []int32 {
	x := &t.specialIdx
	var marked []bool // by position in t.specials
	count := 0
	mark := func(pos int) {
		if marked == nil {
			marked = make([]bool, len(t.specials))
		}
		if !marked[pos] {
			marked[pos] = true
			count++
		}
	}
	for i := 0; i < len(text); i++ {
		for _, pos := range x.oneByte[text[i]] {
			mark(pos)
		}
		if i+1 == len(text) {
			break
		}
		k := uint16(text[i])<<8 | uint16(text[i+1])
		if x.prefixes[k/64]&(1<<(k%64)) == 0 {
			continue
		}
		for _, pos := range x.byPrefix[k] {
			if strings.HasPrefix(text[i:], t.texts.text(t.specials[pos])) {
				mark(pos)
			}
		}
	}
	ids := make([]int32, 0, count)
	for pos, ok := range marked {
		if ok {
			ids = append(ids, t.specials[pos])
		}
	}
	return ids
}

// isASCIISpace is C's isspace.
func isASCIISpace(c byte) bool {
	return c == ' ' || (c >= '\t' && c <= '\r')
}
