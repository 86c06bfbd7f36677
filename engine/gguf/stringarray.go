package gguf

import (
	"fmt"
	"math"
	"strings"
)

// StringArray is an array of strings kept back to back in one string, with
// the end offset of each. It is how a File read with Options.CompactStrings
// holds string arrays: a vocabulary's 50k–260k token texts and merges cost
// two allocations and 4 bytes per string on top of their text, instead of a
// 16-byte string header each (for a 152k-token vocabulary and its merges,
// 3.5 MB less at load). Its strings are substrings of the one text: taking one allocates
// nothing. The zero value is an empty array.
type StringArray struct {
	text string
	ends []uint32 // ends[i] is where string i ends in text
}

// NewStringArray packs list into a StringArray (one copy of its text). It
// fails when the texts add up to 4 GiB or more, which the offsets cannot
// address.
func NewStringArray(list []string) (StringArray, error) {
	total := 0
	for _, s := range list {
		total += len(s)
		if total > math.MaxUint32 {
			return StringArray{}, fmt.Errorf("gguf: %d strings hold more than 4 GiB of text", len(list))
		}
	}
	var b strings.Builder
	b.Grow(total)
	ends := make([]uint32, len(list))
	for i, s := range list {
		b.WriteString(s)
		ends[i] = uint32(b.Len())
	}
	return StringArray{text: b.String(), ends: ends}, nil
}

// Len is the number of strings.
func (a StringArray) Len() int { return len(a.ends) }

// At is string i; it panics if i is out of range, as indexing a slice does.
func (a StringArray) At(i int) string {
	start := uint32(0)
	if i > 0 {
		start = a.ends[i-1]
	}
	return a.text[start:a.ends[i]]
}

// Strings returns the strings as a []string (its headers are allocated; the
// texts are shared).
func (a StringArray) Strings() []string {
	out := make([]string, len(a.ends))
	for i := range out {
		out[i] = a.At(i)
	}
	return out
}

// TextBytes is the length of all the strings together.
func (a StringArray) TextBytes() int { return len(a.text) }

// String shows the array's size (printing 150k tokens helps nobody).
func (a StringArray) String() string {
	return fmt.Sprintf("StringArray(%d strings, %d bytes)", len(a.ends), len(a.text))
}
