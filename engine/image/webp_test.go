package image

import (
	"encoding/binary"
	"fmt"
	"sort"
	"strings"
	"testing"
)

// There is no WebP encoder in Go, so the test writes a lossless (VP8L)
// file by hand, after the WebP Lossless Bitstream Specification: no
// transforms, no colour cache, one prefix-code group, and every prefix code
// in the "simple" form, which allows at most two symbols below 256 per
// channel. That is enough for small images whose channels each take at
// most two values.

// lsbWriter packs bits least-significant first, as VP8L reads them.
type lsbWriter struct {
	buf []byte
	acc uint64
	n   uint
}

func (w *lsbWriter) bits(v uint32, n uint) {
	w.acc |= uint64(v) << w.n
	w.n += n
	for w.n >= 8 {
		w.buf = append(w.buf, byte(w.acc))
		w.acc >>= 8
		w.n -= 8
	}
}

func (w *lsbWriter) bytes() []byte {
	if w.n > 0 {
		w.buf = append(w.buf, byte(w.acc))
	}
	return w.buf
}

// simpleCode writes a simple prefix code for the given one or two symbols
// and returns the bit each symbol is coded with (none for one symbol: it
// takes zero bits). Both codes of a two-symbol code have length 1; the
// canonical code gives 0 to the smaller symbol.
func (w *lsbWriter) simpleCode(symbols []uint8) map[uint8]int {
	w.bits(1, 1) // simple code
	w.bits(uint32(len(symbols)-1), 1)
	w.bits(1, 1) // first symbol takes 8 bits
	w.bits(uint32(symbols[0]), 8)
	if len(symbols) == 1 {
		return map[uint8]int{symbols[0]: -1}
	}
	w.bits(uint32(symbols[1]), 8)
	return map[uint8]int{symbols[0]: 0, symbols[1]: 1}
}

// encodeVP8L writes a w×h lossless WebP of NRGBA pixels (4 bytes each).
func encodeVP8L(w, h int, nrgba []uint8, alpha bool) ([]byte, error) {
	// Channel order in the stream: green, red, blue, alpha.
	order := []int{1, 0, 2, 3}
	var bw lsbWriter
	bw.bits(0x2f, 8)
	bw.bits(uint32(w-1), 14)
	bw.bits(uint32(h-1), 14)
	if alpha {
		bw.bits(1, 1)
	} else {
		bw.bits(0, 1)
	}
	bw.bits(0, 3) // version
	bw.bits(0, 1) // no transform
	bw.bits(0, 1) // no colour cache
	bw.bits(0, 1) // no meta prefix codes
	codes := make([]map[uint8]int, 4)
	for k, ch := range order {
		seen := map[uint8]bool{}
		for i := ch; i < len(nrgba); i += 4 {
			seen[nrgba[i]] = true
		}
		var syms []uint8
		for s := range seen {
			syms = append(syms, s)
		}
		if len(syms) > 2 {
			return nil, fmt.Errorf("channel %d has %d values; simple codes allow 2", ch, len(syms))
		}
		sort.Slice(syms, func(i, j int) bool { return syms[i] < syms[j] })
		codes[k] = bw.simpleCode(syms)
	}
	bw.simpleCode([]uint8{0}) // distance code, unused
	for p := 0; p < w*h; p++ {
		for k, ch := range order {
			if b := codes[k][nrgba[4*p+ch]]; b >= 0 {
				bw.bits(uint32(b), 1)
			}
		}
	}
	payload := bw.bytes()
	chunk := append([]byte("VP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))...)
	chunk = append(chunk, payload...)
	if len(payload)%2 == 1 {
		chunk = append(chunk, 0)
	}
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(chunk)))...)
	out = append(out, "WEBP"...)
	return append(out, chunk...), nil
}

func TestDecodeWebPLossless(t *testing.T) {
	// 3x2, alpha used; the pixel at (1,0) is fully transparent and keeps
	// its colour, as stb-style alpha dropping requires.
	nrgba := []uint8{
		255, 10, 30, 255, 0, 200, 40, 0, 255, 200, 30, 255,
		0, 10, 40, 255, 0, 10, 30, 255, 255, 200, 40, 0,
	}
	data, err := encodeVP8L(3, 2, nrgba, true)
	if err != nil {
		t.Fatal(err)
	}
	img := mustDecode(t, data)
	if img.W != 3 || img.H != 2 {
		t.Fatalf("size %dx%d, want 3x2", img.W, img.H)
	}
	var want []uint8
	for i := 0; i < len(nrgba); i += 4 {
		want = append(want, nrgba[i:i+3]...)
	}
	equalBytes(t, "WebP pixels", img.Pix, want)

	// The same file with its chunk cut short is truncated; with its
	// signature byte changed it is corrupt.
	if _, err := DecodeBytes(data[:len(data)-3], 0); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("cut WebP: err = %v, want truncated", err)
	}
	bad := append([]byte(nil), data...)
	bad[20] = 0x00 // the VP8L signature 0x2f
	if _, err := DecodeBytes(bad, 0); err == nil || !strings.Contains(err.Error(), "corrupt") {
		t.Errorf("WebP with a bad signature: err = %v, want corrupt", err)
	}
}

func TestDecodeWebPRefusesHugeHeader(t *testing.T) {
	// A lossless header claiming 16384x16384 (the VP8L maximum) and no
	// pixel data: refused by the limit before decoding.
	var bw lsbWriter
	bw.bits(0x2f, 8)
	bw.bits(16383, 14)
	bw.bits(16383, 14)
	bw.bits(0, 4)
	payload := bw.bytes()
	chunk := append([]byte("VP8L"), binary.LittleEndian.AppendUint32(nil, uint32(len(payload)))...)
	chunk = append(chunk, payload...)
	out := append([]byte("RIFF"), binary.LittleEndian.AppendUint32(nil, uint32(4+len(chunk)))...)
	out = append(append(out, "WEBP"...), chunk...)
	_, err := DecodeBytes(out, 0)
	if err == nil || !strings.Contains(err.Error(), "16384x16384") || !strings.Contains(err.Error(), "limit") {
		t.Fatalf("err = %v, want the size over the limit", err)
	}
}
