package tokenizer

import "unicode/utf8"

// Byte-level BPE (GPT-2 and its descendants) never sees raw bytes: each byte
// is first replaced by a printable code point, so that a vocabulary of
// strings can hold every byte sequence. Printable Latin-1 bytes map to
// themselves; the other 68 bytes (controls, space, DEL, NBSP, soft hyphen …)
// map, in byte order, to U+0100 onwards. A space therefore shows up in
// vocabularies as "Ġ" (U+0120) and a newline as "Ċ" (U+010A).

// byteRune is the code point standing for each byte.
var byteRune [256]rune

// byteText is byteRune as UTF-8.
var byteText [256]string

// runeByte inverts byteRune over U+0000..U+0143 (-1 where no byte maps).
var runeByte [0x144]int16

func init() {
	next := rune(0x100)
	for b := 0; b < 256; b++ {
		printable := (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE && b <= 0xFF)
		if printable {
			byteRune[b] = rune(b)
		} else {
			byteRune[b] = next
			next++
		}
	}
	for i := range runeByte {
		runeByte[i] = -1
	}
	for b, r := range byteRune {
		runeByte[r] = int16(b)
		byteText[b] = string(r)
	}
}

// appendByteEncoded appends the byte-level form of s.
func appendByteEncoded(dst []byte, s []byte) []byte {
	for _, b := range s {
		dst = utf8.AppendRune(dst, byteRune[b])
	}
	return dst
}

// byteOfRune returns the byte a byte-level code point stands for.
func byteOfRune(r rune) (byte, bool) {
	if r < 0 || int(r) >= len(runeByte) || runeByte[r] < 0 {
		return 0, false
	}
	return byte(runeByte[r]), true
}
