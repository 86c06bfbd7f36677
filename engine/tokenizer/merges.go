package tokenizer

import (
	"fmt"
	"math/bits"
	"strings"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// mergeTable finds the BPE merge of two adjacent tokens. The merges are
// kept in rank order, 12 bytes each, and indexed by an open-addressing hash
// table over the (left, right) id pair: 4-byte slots, linear probing, at
// most 3/4 full: ~17.3 bytes a merge, where a map[uint64]{rank, result}
// took ~24.
//
// A slot is 0 when empty, else the merge's position + 1 in its low bits and
// the high bits of the pair's hash above them, as in tokenTexts.
type mergeTable struct {
	merges []merge // best rank first; a pair listed twice keeps its first
	slots  []uint32
	bits   uint // bits of a slot that hold the position
}

// merge is one entry of tokenizer.ggml.merges: two tokens and the token
// they make. Its rank is its position in mergeTable.merges.
type merge struct {
	left, right, result int32
}

// newMergeTable reads tokenizer.ggml.merges: "left right" texts, best
// first. Every part and their concatenation must be tokens.
func newMergeTable(list gguf.StringArray, texts *tokenTexts) (mergeTable, error) {
	n := list.Len()
	m := mergeTable{
		merges: make([]merge, 0, n),
		slots:  make([]uint32, n+n/3+1),
		bits:   uint(bits.Len32(uint32(n))),
	}
	var joined []byte
	for rank := range n {
		s := list.At(rank)
		// The separator is the first space after the first byte, so a left
		// part may itself start with a space.
		cut := -1
		if len(s) > 1 {
			if i := strings.IndexByte(s[1:], ' '); i >= 0 {
				cut = i + 1
			}
		}
		if cut < 0 {
			return mergeTable{}, fmt.Errorf("tokenizer: merge %d %q is not two tokens separated by a space", rank, s)
		}
		left, right := s[:cut], s[cut+1:]
		joined = append(append(joined[:0], left...), right...)
		l, okl := texts.id(left)
		r, okr := texts.id(right)
		res, okres := texts.idBytes(joined)
		switch {
		case !okl:
			return mergeTable{}, fmt.Errorf("tokenizer: merge %d %q refers to %q, which is not a token", rank, s, left)
		case !okr:
			return mergeTable{}, fmt.Errorf("tokenizer: merge %d %q refers to %q, which is not a token", rank, s, right)
		case !okres:
			return mergeTable{}, fmt.Errorf("tokenizer: merge %d %q makes %q, which is not a token", rank, s, joined)
		}
		i, tag := m.start(l, r)
		for ; m.slots[i] != 0; i = m.next(i) {
			if _, ok := m.match(m.slots[i], tag, l, r); ok {
				break // listed before, with a better rank
			}
		}
		if m.slots[i] == 0 {
			m.merges = append(m.merges, merge{left: l, right: r, result: res})
			m.slots[i] = tag | uint32(len(m.merges))
		}
	}
	return m, nil
}

// find returns the rank and result of merging left and right.
func (m *mergeTable) find(left, right int32) (rank, result int32, ok bool) {
	if len(m.slots) == 0 {
		return 0, noToken, false
	}
	i, tag := m.start(left, right)
	for ; m.slots[i] != 0; i = m.next(i) {
		if pos, ok := m.match(m.slots[i], tag, left, right); ok {
			return pos, m.merges[pos].result, true
		}
	}
	return 0, noToken, false
}

// start is the first slot to probe for a pair, and the tag bits its slots
// carry: a 64-bit mix of the pair (SplitMix64's finalizer), whose low half
// picks the slot and high half the tag.
func (m *mergeTable) start(left, right int32) (int, uint32) {
	h := uint64(uint32(left))<<32 | uint64(uint32(right))
	h = (h ^ h>>30) * 0xbf58476d1ce4e5b9
	h = (h ^ h>>27) * 0x94d049bb133111eb
	h ^= h >> 31
	i := int(uint64(uint32(h)) * uint64(len(m.slots)) >> 32)
	return i, uint32(h>>32) >> m.bits << m.bits
}

func (m *mergeTable) next(i int) int {
	if i++; i == len(m.slots) {
		return 0
	}
	return i
}

// match reports the position of the merge in slot when it has tag and is
// the merge of left and right.
func (m *mergeTable) match(slot, tag uint32, left, right int32) (int32, bool) {
	pos := slot &^ (^uint32(0) << m.bits)
	if slot^pos != tag {
		return 0, false
	}
	e := &m.merges[pos-1]
	return int32(pos - 1), e.left == left && e.right == right
}
