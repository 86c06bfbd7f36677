package image

import (
	"encoding/binary"
	"errors"
	"fmt"
)

// Hearth's own JPEG decoder, so that a JPEG gives the vision encoder the
// very pixels llama.cpp's loader (stb_image) gives it: baseline and
// progressive Huffman-coded 8-bit images of 1, 3 or 4 components, each
// block dequantised into 16-bit integers and transformed by stb's integer
// IDCT (jpeg_idct.go), then upsampled and colour-converted as stb does
// (jpeg_color.go). What it does not decode (arithmetic coding, 12-bit
// samples, lossless, hierarchical) it refuses with an error, and Decode
// falls back to Go's image/jpeg.

// jpegComponent is one colour component of the frame.
type jpegComponent struct {
	id     byte
	h, v   int // sampling factors
	tq     int // quantisation table
	td, ta int // Huffman tables of the current scan
	// x, y: the component's size in samples; w2, h2: its plane, whole
	// MCUs wide and high.
	x, y, w2, h2 int
	plane        []uint8
	coeff        []int16 // progressive: 64 coefficients per block of the plane
	dcPred       int32
}

// jpegDecoder holds one decode's state.
type jpegDecoder struct {
	data []byte
	pos  int

	width, height int
	comps         []jpegComponent
	progressive   bool
	hmax, vmax    int
	mcuX, mcuY    int // MCUs across and down

	quant   [4][64]uint16 // natural order
	qSet    [4]bool
	dc, ac  [4]huffman
	restart int // MCUs per restart interval, 0: none

	jfif           bool
	adobeTransform int // the Adobe APP14 colour transform, −1 when absent

	// The current scan.
	order          []int // components in the scan
	ss, se, ah, al int   // spectral selection and successive approximation
	eobRun         int
	br             bitReader
}

// errJPEGUnsupported marks files this decoder leaves to image/jpeg.
var errJPEGUnsupported = errors.New("jpeg: unsupported")

// decodeJPEG decodes a JPEG file to RGB as stb_image does.
func decodeJPEG(data []byte) (*RGB, error) {
	d := &jpegDecoder{data: data, adobeTransform: -1}
	if err := d.decode(); err != nil {
		return nil, err
	}
	return d.toRGB()
}

func (d *jpegDecoder) byte() (byte, error) {
	if d.pos >= len(d.data) {
		return 0, errJPEGEnd
	}
	b := d.data[d.pos]
	d.pos++
	return b, nil
}

// nextMarker skips to the next marker (bytes other than 0xFF before it,
// and fill bytes 0xFF, are passed over) and returns its code.
func (d *jpegDecoder) nextMarker() (byte, error) {
	for {
		b, err := d.byte()
		if err != nil {
			return 0, err
		}
		if b != 0xff {
			continue
		}
		for b == 0xff {
			if b, err = d.byte(); err != nil {
				return 0, err
			}
		}
		if b != 0 {
			return b, nil
		}
	}
}

// segment returns the payload of the segment whose length field is next.
func (d *jpegDecoder) segment() ([]byte, error) {
	if d.pos+2 > len(d.data) {
		return nil, errJPEGEnd
	}
	n := int(binary.BigEndian.Uint16(d.data[d.pos:]))
	if n < 2 {
		return nil, fmt.Errorf("jpeg: segment length %d", n)
	}
	if d.pos+n > len(d.data) {
		return nil, errJPEGEnd
	}
	p := d.data[d.pos+2 : d.pos+n]
	d.pos += n
	return p, nil
}

func (d *jpegDecoder) decode() error {
	if len(d.data) < 2 || d.data[0] != 0xff || d.data[1] != 0xd8 {
		return errors.New("jpeg: no SOI marker")
	}
	d.pos = 2
	frame := false
	for {
		m, err := d.nextMarker()
		if err != nil {
			return err
		}
		switch {
		case m == 0xd9: // EOI
			if !frame {
				return errors.New("jpeg: no frame before the end")
			}
			return d.finish()
		case m == 0xc0 || m == 0xc1 || m == 0xc2: // SOF0, SOF1, SOF2
			if frame {
				return errors.New("jpeg: a second frame")
			}
			d.progressive = m == 0xc2
			if err := d.frameHeader(); err != nil {
				return err
			}
			frame = true
		case m >= 0xc3 && m <= 0xcf && m != 0xc4 && m != 0xc8 && m != 0xcc:
			return errJPEGUnsupported // lossless, hierarchical, arithmetic coding
		case m == 0xda: // SOS
			if !frame {
				return errors.New("jpeg: a scan before the frame")
			}
			if err := d.scan(); err != nil {
				return err
			}
		case m >= 0xd0 && m <= 0xd7: // a stray restart marker
		default:
			if err := d.tables(m); err != nil {
				return err
			}
		}
	}
}

// tables reads the segments between scans: quantisation and Huffman
// tables, the restart interval, the JFIF and Adobe application segments;
// other application segments, comments and DNL are skipped.
func (d *jpegDecoder) tables(m byte) error {
	p, err := d.segment()
	if err != nil {
		return err
	}
	switch {
	case m == 0xdb: // DQT
		for len(p) > 0 {
			prec, t := int(p[0]>>4), int(p[0]&15)
			if prec > 1 || t > 3 {
				return errors.New("jpeg: bad DQT")
			}
			n := 64 << prec
			if len(p) < 1+n {
				return errors.New("jpeg: short DQT")
			}
			for i := range 64 {
				v := uint16(p[1+i])
				if prec == 1 {
					v = binary.BigEndian.Uint16(p[1+2*i:])
				}
				d.quant[t][zigzag[i]] = v
			}
			d.qSet[t] = true
			p = p[1+n:]
		}
	case m == 0xc4: // DHT
		for len(p) > 0 {
			if len(p) < 17 {
				return errors.New("jpeg: short DHT")
			}
			class, t := int(p[0]>>4), int(p[0]&15)
			if class > 1 || t > 3 {
				return errors.New("jpeg: bad DHT")
			}
			var counts [16]int
			total := 0
			for i := range counts {
				counts[i] = int(p[1+i])
				total += counts[i]
			}
			if total > 256 || len(p) < 17+total {
				return errors.New("jpeg: bad DHT")
			}
			h := &d.dc[t]
			if class == 1 {
				h = &d.ac[t]
			}
			if err := h.build(counts, p[17:17+total]); err != nil {
				return fmt.Errorf("jpeg: %w", err)
			}
			p = p[17+total:]
		}
	case m == 0xdd: // DRI
		if len(p) != 2 {
			return errors.New("jpeg: bad DRI")
		}
		d.restart = int(binary.BigEndian.Uint16(p))
	case m == 0xe0: // APP0
		if len(p) >= 5 && string(p[:5]) == "JFIF\x00" {
			d.jfif = true
		}
	case m == 0xee: // APP14
		if len(p) >= 12 && string(p[:6]) == "Adobe\x00" {
			d.adobeTransform = int(p[11])
		}
	case m > 0xe0 && m <= 0xef, m == 0xfe, m == 0xdc: // APPn, COM, DNL
	default:
		return fmt.Errorf("jpeg: unexpected marker 0x%02x", m)
	}
	return nil
}

// zigzag maps the position of a coefficient in coding order to its place
// in the row-major 8×8 block.
var zigzag = [64]uint8{
	0, 1, 8, 16, 9, 2, 3, 10, 17, 24, 32, 25, 18, 11, 4, 5,
	12, 19, 26, 33, 40, 48, 41, 34, 27, 20, 13, 6, 7, 14, 21, 28,
	35, 42, 49, 56, 57, 50, 43, 36, 29, 22, 15, 23, 30, 37, 44, 51,
	58, 59, 52, 45, 38, 31, 39, 46, 53, 60, 61, 54, 47, 55, 62, 63,
}

// frameHeader reads SOF0/1/2: 8-bit samples, the size, and 1, 3 or 4
// components whose sampling factors divide the largest ones.
func (d *jpegDecoder) frameHeader() error {
	p, err := d.segment()
	if err != nil {
		return err
	}
	if len(p) < 6 {
		return errors.New("jpeg: short frame header")
	}
	if p[0] != 8 {
		return errJPEGUnsupported // 12-bit samples
	}
	d.height = int(binary.BigEndian.Uint16(p[1:]))
	d.width = int(binary.BigEndian.Uint16(p[3:]))
	n := int(p[5])
	if d.width == 0 || d.height == 0 {
		return errJPEGUnsupported // the height may come later, in DNL
	}
	if n != 1 && n != 3 && n != 4 {
		return fmt.Errorf("jpeg: %d components", n)
	}
	if len(p) != 6+3*n {
		return errors.New("jpeg: bad frame header length")
	}
	d.comps = make([]jpegComponent, n)
	d.hmax, d.vmax = 1, 1
	for i := range d.comps {
		c := &d.comps[i]
		c.id, c.h, c.v, c.tq = p[6+3*i], int(p[7+3*i]>>4), int(p[7+3*i]&15), int(p[8+3*i])
		if c.h < 1 || c.h > 4 || c.v < 1 || c.v > 4 || c.tq > 3 {
			return errors.New("jpeg: bad component in the frame header")
		}
		d.hmax, d.vmax = max(d.hmax, c.h), max(d.vmax, c.v)
	}
	d.mcuX = (d.width + 8*d.hmax - 1) / (8 * d.hmax)
	d.mcuY = (d.height + 8*d.vmax - 1) / (8 * d.vmax)
	for i := range d.comps {
		c := &d.comps[i]
		if d.hmax%c.h != 0 || d.vmax%c.v != 0 {
			return errors.New("jpeg: sampling factors that do not divide")
		}
		c.x = (d.width*c.h + d.hmax - 1) / d.hmax
		c.y = (d.height*c.v + d.vmax - 1) / d.vmax
		c.w2, c.h2 = d.mcuX*c.h*8, d.mcuY*c.v*8
		c.plane = make([]uint8, c.w2*c.h2)
		if d.progressive {
			c.coeff = make([]int16, c.w2*c.h2)
		}
	}
	return nil
}

// finish transforms a progressive image's coefficients, once all scans
// have refined them: each block dequantised in 16-bit integers, then the
// IDCT.
func (d *jpegDecoder) finish() error {
	if !d.progressive {
		return nil
	}
	for i := range d.comps {
		c := &d.comps[i]
		if !d.qSet[c.tq] {
			return errors.New("jpeg: a quantisation table is missing")
		}
		q := &d.quant[c.tq]
		bw := c.w2 / 8
		for by := 0; by < (c.y+7)/8; by++ {
			for bx := 0; bx < (c.x+7)/8; bx++ {
				blk := (*[64]int16)(c.coeff[64*(by*bw+bx):])
				for k := range blk {
					blk[k] *= int16(q[k])
				}
				idctBlock(c.plane[8*by*c.w2+8*bx:], c.w2, blk)
			}
		}
	}
	return nil
}
