package image

import "errors"

// Entropy-coded JPEG data: a bit stream in which a 0xFF byte is followed
// by a stuffed 0x00, and any other byte after 0xFF is a marker that ends
// the segment (a restart marker, or the next segment after the scan).

var errJPEGEnd = errors.New("the data ends inside a scan")

// bitReader reads the entropy-coded data of a scan from data[pos:], most
// significant bit first, with up to 32 bits buffered in acc (the next bit
// at the top). When it meets a marker it keeps it in marker and feeds
// zero bits from then on, as decoders do for the fill bits of the last
// byte.
type bitReader struct {
	data   []byte
	pos    int
	acc    uint32
	n      int  // valid bits in acc
	marker byte // the marker met, 0 while none
	err    error
}

// fill tops the buffer up to more than 24 bits.
func (r *bitReader) fill() {
	for r.n <= 24 {
		var b byte
		if r.marker == 0 {
			if r.pos >= len(r.data) {
				r.err = errJPEGEnd
				r.marker = 0xd9 // feed zeros; the scan then fails on r.err
			} else {
				b = r.data[r.pos]
				r.pos++
				if b == 0xff {
					c := r.next()
					for c == 0xff {
						c = r.next()
					}
					if c != 0 {
						r.marker = c
						b = 0
					}
				}
			}
		}
		r.acc |= uint32(b) << (24 - r.n)
		r.n += 8
	}
}

func (r *bitReader) next() byte {
	if r.pos >= len(r.data) {
		r.err = errJPEGEnd
		return 0xd9
	}
	b := r.data[r.pos]
	r.pos++
	return b
}

// bits returns the next n (≤ 16) bits as an unsigned number.
func (r *bitReader) bits(n int) int32 {
	if n == 0 {
		return 0
	}
	if r.n < n {
		r.fill()
	}
	v := r.acc >> (32 - n)
	r.acc <<= n
	r.n -= n
	return int32(v)
}

// bit returns the next bit.
func (r *bitReader) bit() bool { return r.bits(1) != 0 }

// receiveExtend reads an n-bit magnitude category value and maps it to
// its signed value (JPEG's RECEIVE and EXTEND): codes below 2^(n−1) are
// the negative values.
func (r *bitReader) receiveExtend(n int) int32 {
	if n == 0 {
		return 0
	}
	v := r.bits(n)
	if v < 1<<(n-1) {
		v += -1<<n + 1
	}
	return v
}

// reset drops the buffered bits and the marker after a restart marker.
func (r *bitReader) reset() {
	r.acc, r.n, r.marker = 0, 0, 0
}

// huffman is one decoding table: canonical codes of 1…16 bits, as a DHT
// segment defines them by the count of codes of each length followed by
// their symbols.
type huffman struct {
	defined bool
	// lookup maps the next lookupBits bits to (length<<8 | symbol) for
	// codes of at most lookupBits bits, 0 otherwise.
	lookup [1 << lookupBits]uint16
	// maxCode[l] is one past the largest code of length l (−1: none),
	// valIndex[l] the index in symbols of the first code of length l
	// minus that code.
	maxCode  [17]int32
	valIndex [17]int32
	symbols  []byte
}

const lookupBits = 9

// build sets the table from the counts of codes of each length and the
// symbols in code order; it errors when the counts overflow the code space.
func (h *huffman) build(counts [16]int, symbols []byte) error {
	*h = huffman{defined: true, symbols: append([]byte(nil), symbols...)}
	code, k := int32(0), 0
	for l := 1; l <= 16; l++ {
		n := counts[l-1]
		h.valIndex[l] = int32(k) - code
		for range n {
			if code >= 1<<l {
				return errors.New("bad Huffman code lengths")
			}
			if l <= lookupBits {
				shift := lookupBits - l
				for j := range 1 << shift {
					h.lookup[int(code)<<shift|j] = uint16(l)<<8 | uint16(symbols[k])
				}
			}
			code++
			k++
		}
		h.maxCode[l] = code
		if n == 0 {
			h.maxCode[l] = -1
		}
		code <<= 1
	}
	return nil
}

// decode reads one symbol.
func (r *bitReader) decode(h *huffman) (byte, error) {
	if r.n < 16 {
		r.fill()
	}
	if e := h.lookup[r.acc>>(32-lookupBits)]; e != 0 {
		l := int(e >> 8)
		r.acc <<= l
		r.n -= l
		return byte(e), nil
	}
	for l := lookupBits + 1; l <= 16; l++ {
		c := int32(r.acc >> (32 - l))
		if c < h.maxCode[l] {
			r.acc <<= l
			r.n -= l
			i := c + h.valIndex[l]
			if i < 0 || int(i) >= len(h.symbols) {
				break
			}
			return h.symbols[i], nil
		}
	}
	return 0, errors.New("bad Huffman code")
}
