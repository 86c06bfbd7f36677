package tokenizer

import (
	"sort"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Code point classes as llama.cpp's pre-tokenizers see them: one general
// category group per code point (what \p{N}, \p{L} … match), plus a
// whitespace bit (what \s matches: the Unicode White_Space property).
const (
	catUndefined uint16 = 1 << iota // unassigned (Cn)
	catNumber                       // \p{N}
	catLetter                       // \p{L}
	catSeparator                    // \p{Z}
	catMark                         // \p{M}
	catPunct                        // \p{P}
	catSymbol                       // \p{S}
	catControl                      // \p{C}: Cc, Cf, Co, Cs

	flagWhitespace // \s
)

// categoryTables maps each class to Go's Unicode tables.
var categoryTables = []struct {
	cat    uint16
	tables []*unicode.RangeTable
}{
	{catNumber, []*unicode.RangeTable{unicode.N}},
	{catLetter, []*unicode.RangeTable{unicode.L}},
	{catSeparator, []*unicode.RangeTable{unicode.Z}},
	{catMark, []*unicode.RangeTable{unicode.M}},
	{catPunct, []*unicode.RangeTable{unicode.P}},
	{catSymbol, []*unicode.RangeTable{unicode.S}},
	{catControl, []*unicode.RangeTable{unicode.Cc, unicode.Cf, unicode.Co, unicode.Cs}},
}

// unicode151 lists the assignments Unicode 15.1 added over the 15.0 tables
// Go ships: llama.cpp's tables are 15.1, and a pre-tokenizer must classify
// every code point the way the oracle does.
var unicode151 = []cpRange{
	{0x2EBF0, 0x2EE5D, catLetter}, // CJK Unified Ideographs Extension I
	{0x2FFC, 0x2FFF, catSymbol},   // ideographic description characters
	{0x31EF, 0x31EF, catSymbol},   // CJK stroke HXG
}

type cpRange struct {
	first, last rune
	cat         uint16
}

var (
	classOnce sync.Once
	bmpClass  []uint8   // category bit index+1 for U+0000..U+FFFF (0 = undefined)
	astral    []cpRange // sorted classes above U+FFFF
)

func buildClasses() {
	bmpClass = make([]uint8, 0x10000)
	var high []cpRange
	set := func(lo, hi rune, cat uint16) {
		for r := lo; r <= hi && r < 0x10000; r++ {
			bmpClass[r] = uint8(bitIndex(cat))
		}
		if hi >= 0x10000 {
			high = append(high, cpRange{max(lo, 0x10000), hi, cat})
		}
	}
	for _, ct := range categoryTables {
		for _, t := range ct.tables {
			for _, r := range t.R16 {
				for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
					bmpClass[c] = uint8(bitIndex(ct.cat))
				}
			}
			for _, r := range t.R32 {
				if r.Stride == 1 {
					set(rune(r.Lo), rune(r.Hi), ct.cat)
					continue
				}
				for c := rune(r.Lo); c <= rune(r.Hi); c += rune(r.Stride) {
					set(c, c, ct.cat)
				}
			}
		}
	}
	for _, p := range unicode151 {
		set(p.first, p.last, p.cat)
	}
	sort.Slice(high, func(i, j int) bool { return high[i].first < high[j].first })
	// Later entries (the 15.1 patch) may overlap earlier ones only as exact
	// reassignments of unassigned code points, so a plain merge suffices.
	merged := high[:0]
	for _, r := range high {
		if n := len(merged); n > 0 && merged[n-1].cat == r.cat && merged[n-1].last+1 >= r.first {
			merged[n-1].last = max(merged[n-1].last, r.last)
			continue
		}
		merged = append(merged, r)
	}
	astral = merged
}

// bitIndex is 1 + the position of the single set bit of cat.
func bitIndex(cat uint16) int {
	for i := 0; i < 16; i++ {
		if cat == 1<<i {
			return i + 1
		}
	}
	return 0
}

// cpFlags classifies a code point: its category bit, plus flagWhitespace.
func cpFlags(r rune) uint16 {
	if r < 0x80 {
		return asciiFlags[r]
	}
	classOnce.Do(buildClasses)
	var f uint16 = catUndefined
	switch {
	case r < 0x10000:
		if c := bmpClass[r]; c != 0 {
			f = 1 << (c - 1)
		}
	case r <= utf8.MaxRune:
		i := sort.Search(len(astral), func(i int) bool { return astral[i].last >= r })
		if i < len(astral) && astral[i].first <= r {
			f = astral[i].cat
		}
	}
	if isWhitespace(r) {
		f |= flagWhitespace
	}
	return f
}

// asciiFlags is the fast path for the ASCII range.
var asciiFlags = func() (t [128]uint16) {
	for r := rune(0); r < 128; r++ {
		switch {
		case unicode.IsDigit(r):
			t[r] = catNumber
		case unicode.IsLetter(r):
			t[r] = catLetter
		case r == ' ':
			t[r] = catSeparator
		case unicode.IsPunct(r):
			t[r] = catPunct
		case unicode.IsSymbol(r):
			t[r] = catSymbol
		default:
			t[r] = catControl
		}
		if isWhitespace(r) {
			t[r] |= flagWhitespace
		}
	}
	return t
}()

// isWhitespace is the Unicode White_Space property.
func isWhitespace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0x85, 0xA0, 0x1680,
		0x2028, 0x2029, 0x202F, 0x205F, 0x3000:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// decodeCodepoints splits text into code points the way llama.cpp does
// before pre-tokenizing: a byte that does not start a well-formed sequence
// becomes U+FFFD and decoding resumes at the next byte. Like llama.cpp it
// checks only the lead byte and the continuation bytes' top bits, so an
// overlong form or an encoded surrogate decodes to its value.
func decodeCodepoints(dst []rune, s string) []rune {
	for i := 0; i < len(s); {
		c := s[i]
		if c < 0x80 {
			dst = append(dst, rune(c))
			i++
			continue
		}
		n := 0
		switch {
		case c&0xE0 == 0xC0:
			n = 2
		case c&0xF0 == 0xE0:
			n = 3
		case c&0xF8 == 0xF0:
			n = 4
		}
		if n == 0 || i+n > len(s) || !continuations(s[i+1:i+n]) {
			dst = append(dst, utf8.RuneError)
			i++
			continue
		}
		var r rune
		switch n {
		case 2:
			r = rune(c&0x1F)<<6 | rune(s[i+1]&0x3F)
		case 3:
			r = rune(c&0x0F)<<12 | rune(s[i+1]&0x3F)<<6 | rune(s[i+2]&0x3F)
		case 4:
			r = rune(c&0x07)<<18 | rune(s[i+1]&0x3F)<<12 | rune(s[i+2]&0x3F)<<6 | rune(s[i+3]&0x3F)
		}
		if r > utf8.MaxRune {
			// llama.cpp cannot re-encode these; treat the lead byte as invalid.
			dst = append(dst, utf8.RuneError)
			i++
			continue
		}
		dst = append(dst, r)
		i += n
	}
	return dst
}

func continuations(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i]&0xC0 != 0x80 {
			return false
		}
	}
	return true
}

// appendCodepoint writes r as UTF-8 without Go's surrogate replacement, so
// that a decoded surrogate round-trips byte for byte as in llama.cpp.
func appendCodepoint(dst []byte, r rune) []byte {
	switch {
	case r < 0x80:
		return append(dst, byte(r))
	case r < 0x800:
		return append(dst, 0xC0|byte(r>>6), 0x80|byte(r)&0x3F)
	case r < 0x10000:
		return append(dst, 0xE0|byte(r>>12), 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	default:
		return append(dst, 0xF0|byte(r>>18), 0x80|byte(r>>12)&0x3F, 0x80|byte(r>>6)&0x3F, 0x80|byte(r)&0x3F)
	}
}

// utf8Len is the length of the UTF-8 sequence a lead byte announces (1 for
// a stray continuation byte), as SentencePiece-style symbol splitting uses it.
func utf8Len(lead byte) int {
	switch {
	case lead < 0xC0:
		return 1
	case lead < 0xE0:
		return 2
	case lead < 0xF0:
		return 3
	default:
		return 4
	}
}

// nfdSpan maps code points first..last to the first code point of their
// canonical decomposition.
type nfdSpan struct{ first, last, nfd rune }

// nfdFirstOf is the first code point of r's canonical decomposition.
func nfdFirstOf(r rune) rune {
	i := sort.Search(len(nfdFirst), func(i int) bool { return nfdFirst[i].last >= r })
	if i < len(nfdFirst) && nfdFirst[i].first <= r {
		return nfdFirst[i].nfd
	}
	return r
}
