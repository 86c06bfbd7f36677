package wasm

// LEB128 is the variable-length integer encoding of the binary format: seven
// bits a byte, low bits first, the top bit set on every byte but the last.
// Signed values are two's complement, and the last byte's bit 6 is the sign.

// appendUleb appends v in unsigned LEB128.
func appendUleb(b []byte, v uint64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v == 0 {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// appendSleb appends v in signed LEB128, in as few bytes as keep its sign.
func appendSleb(b []byte, v int64) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7 // arithmetic shift: the sign fills in
		if (v == 0 && c&0x40 == 0) || (v == -1 && c&0x40 != 0) {
			return append(b, c)
		}
		b = append(b, c|0x80)
	}
}

// appendU32 appends a u32 (sizes, counts and indices in the format).
func appendU32(b []byte, v uint32) []byte { return appendUleb(b, uint64(v)) }

// appendName appends a name: its UTF-8 length, then its bytes.
func appendName(b []byte, s string) []byte {
	b = appendU32(b, uint32(len(s)))
	return append(b, s...)
}
