package tokenizer

import (
	"fmt"
	"math/bits"
	"math/rand/v2"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// tokenTexts holds the vocabulary's token texts and finds a token by its
// text. The texts are one gguf.StringArray (shared with the GGUF metadata
// when that was read compact); the index is an open-addressing hash table
// of 4-byte slots, linear probing, at most 3/4 full. A []string and a
// map[string]int32 took ~36 bytes a token besides the texts (a 16-byte
// string header, ~20 bytes of map); this takes ~9.3 (4 for where the text
// ends, 5.3 for the slots).
//
// A slot is 0 when empty, else the token id + 1 in its low idBits bits and
// the high bits of the text's hash above them: most probes that meet
// another token are rejected by those bits without touching its text.
type tokenTexts struct {
	list   gguf.StringArray
	slots  []uint32
	seed   uint64
	idBits uint
	maxLen int // the longest text: a longer one is no token, without hashing it
}

// newTokenTexts indexes list, failing on a text that appears twice.
func newTokenTexts(list gguf.StringArray) (tokenTexts, error) {
	n := list.Len()
	x := tokenTexts{
		list:   list,
		slots:  make([]uint32, n+n/3+1),
		seed:   rand.Uint64(),
		idBits: uint(bits.Len32(uint32(n))),
	}
	for id := range n {
		s := list.At(id)
		i, tag := x.start(hashText(s, x.seed))
		for ; x.slots[i] != 0; i = x.next(i) {
			if prev, ok := x.match(x.slots[i], tag); ok && x.list.At(int(prev)) == s {
				return tokenTexts{}, fmt.Errorf("tokenizer: tokens %d and %d are both %q", prev, id, s)
			}
		}
		x.slots[i] = tag | uint32(id+1)
		x.maxLen = max(x.maxLen, len(s))
	}
	return x, nil
}

// len is the number of tokens.
func (x *tokenTexts) len() int { return x.list.Len() }

// text is the text of token id (which must be in range).
func (x *tokenTexts) text(id int32) string { return x.list.At(int(id)) }

// id finds the token whose text is s.
func (x *tokenTexts) id(s string) (int32, bool) {
	if len(s) > x.maxLen || len(x.slots) == 0 {
		return noToken, false
	}
	i, tag := x.start(hashText(s, x.seed))
	for ; x.slots[i] != 0; i = x.next(i) {
		if id, ok := x.match(x.slots[i], tag); ok && x.list.At(int(id)) == s {
			return id, true
		}
	}
	return noToken, false
}

// idBytes is id for a byte slice, without converting it.
func (x *tokenTexts) idBytes(b []byte) (int32, bool) {
	if len(b) > x.maxLen || len(x.slots) == 0 {
		return noToken, false
	}
	i, tag := x.start(hashText(b, x.seed))
	for ; x.slots[i] != 0; i = x.next(i) {
		if id, ok := x.match(x.slots[i], tag); ok && x.list.At(int(id)) == string(b) {
			return id, true
		}
	}
	return noToken, false
}

// start is the first slot to probe for hash h, and the tag bits a slot of
// that hash carries. The slot comes from the low 32 bits (scaled to the
// table, which need not be a power of two), the tag from the high ones.
func (x *tokenTexts) start(h uint64) (int, uint32) {
	i := int(uint64(uint32(h)) * uint64(len(x.slots)) >> 32)
	tag := uint32(h>>32) >> x.idBits << x.idBits
	return i, tag
}

func (x *tokenTexts) next(i int) int {
	if i++; i == len(x.slots) {
		return 0
	}
	return i
}

// match reports the id in slot when its tag is tag.
func (x *tokenTexts) match(slot, tag uint32) (int32, bool) {
	id := slot &^ (^uint32(0) << x.idBits)
	return int32(id) - 1, slot^id == tag
}

// hashText hashes a token text 8 bytes at a time, without calls: token
// texts are short (7 bytes on average), and in WebAssembly the calls into
// the runtime's hash cost more than the hashing. Measured there on
// SentencePiece's merge loop, which looks up every adjacent pair of
// pieces: 7% faster than hash/maphash. The seed varies per table.
func hashText[T string | []byte](s T, seed uint64) uint64 {
	const m = 0x9e3779b97f4a7c15
	h := seed ^ uint64(len(s))*m
	i := 0
	for ; i+8 <= len(s); i += 8 {
		w := uint64(s[i]) | uint64(s[i+1])<<8 | uint64(s[i+2])<<16 | uint64(s[i+3])<<24 |
			uint64(s[i+4])<<32 | uint64(s[i+5])<<40 | uint64(s[i+6])<<48 | uint64(s[i+7])<<56
		h = (h ^ w) * m
		h ^= h >> 32
	}
	var w uint64
	for j := len(s) - 1; j >= i; j-- {
		w = w<<8 | uint64(s[j])
	}
	// SplitMix64's finalizer: every input bit reaches the low half (the
	// slot) and the high half (the tag).
	h ^= w
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	return h ^ h>>31
}
