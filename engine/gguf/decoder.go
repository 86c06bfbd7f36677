package gguf

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"strings"
)

// decoder reads the header sequentially from an io.ReaderAt through a small
// buffer, and knows the file size so that every claimed length or count is
// checked against the bytes that are really left before anything is allocated.
type decoder struct {
	r     io.ReaderAt
	size  int64 // total file size
	off   int64 // absolute offset of the next unread byte
	buf   []byte
	bufAt int64 // absolute offset of buf[0]

	compact bool // string arrays as StringArray (Options.CompactStrings)
}

const decoderChunk = 64 << 10

// FormatError is a problem with the file's contents, at a byte offset.
type FormatError struct {
	Offset int64
	Msg    string
}

func (e *FormatError) Error() string { return fmt.Sprintf("gguf: at offset %d: %s", e.Offset, e.Msg) }

func (d *decoder) errorf(at int64, format string, args ...any) error {
	return &FormatError{Offset: at, Msg: fmt.Sprintf(format, args...)}
}

func (d *decoder) remaining() int64 { return d.size - d.off }

// bytes returns the next n bytes (valid until the next call), or an error
// naming what was being read if the file ends first.
func (d *decoder) bytes(n int64, what string) ([]byte, error) {
	if n < 0 || n > d.remaining() {
		return nil, d.errorf(d.off, "%s needs %d bytes but the file has %d left (truncated?)", what, n, d.remaining())
	}
	start := d.off - d.bufAt
	if d.off < d.bufAt || start+n > int64(len(d.buf)) {
		// Refill: keep reads at least one chunk long so small fields are cheap.
		want := max(n, decoderChunk)
		want = min(want, d.size-d.off)
		if int64(cap(d.buf)) < want {
			d.buf = make([]byte, want)
		}
		d.buf = d.buf[:want]
		m, err := d.r.ReadAt(d.buf, d.off)
		if int64(m) < want {
			if err == nil || errors.Is(err, io.EOF) {
				err = io.ErrUnexpectedEOF
			}
			return nil, d.errorf(d.off, "reading %s: %v (truncated?)", what, err)
		}
		d.bufAt = d.off
		start = 0
	}
	d.off += n
	return d.buf[start : start+n], nil
}

func (d *decoder) u8(what string) (uint8, error) {
	b, err := d.bytes(1, what)
	if err != nil {
		return 0, err
	}
	return b[0], nil
}

func (d *decoder) u16(what string) (uint16, error) {
	b, err := d.bytes(2, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint16(b), nil
}

func (d *decoder) u32(what string) (uint32, error) {
	b, err := d.bytes(4, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint32(b), nil
}

func (d *decoder) u64(what string) (uint64, error) {
	b, err := d.bytes(8, what)
	if err != nil {
		return 0, err
	}
	return binary.LittleEndian.Uint64(b), nil
}

// count reads a uint64 element count and checks that count elements of at
// least minSize bytes each can fit in what is left of the file.
func (d *decoder) count(what string, minSize int) (int, error) {
	at := d.off
	n, err := d.u64(what)
	if err != nil {
		return 0, err
	}
	if minSize > 0 && n > uint64(d.remaining())/uint64(minSize) {
		return 0, d.errorf(at, "%s is %d, more than the %d bytes left in the file can hold (truncated?)", what, n, d.remaining())
	}
	if n > math.MaxInt32 {
		return 0, d.errorf(at, "%s is %d, too large", what, n)
	}
	return int(n), nil
}

// maxStringLen bounds a single string (keys, tensor names, token texts, chat
// templates); real files stay far below it.
const maxStringLen = 64 << 20

func (d *decoder) str(what string) (string, error) {
	b, err := d.strBytes(what)
	return string(b), err
}

// strBytes reads a length-prefixed string and returns its bytes (valid
// until the next read).
func (d *decoder) strBytes(what string) ([]byte, error) {
	at := d.off
	if d.remaining() < 8 {
		// Checked here so that the name is only formatted on failure.
		return nil, d.errorf(at, "%s length needs 8 bytes but the file has %d left (truncated?)", what, d.remaining())
	}
	n, err := d.u64(what)
	if err != nil {
		return nil, err
	}
	if n > maxStringLen {
		return nil, d.errorf(at, "%s length %d is over the %d-byte limit", what, n, maxStringLen)
	}
	if int64(n) > d.remaining() {
		return nil, d.errorf(at, "%s length %d is larger than the %d bytes left in the file (truncated?)", what, n, d.remaining())
	}
	return d.bytes(int64(n), what)
}

// strings reads n strings into one shared backing string: a vocabulary's
// hundreds of thousands of tokens cost a few allocations instead of one each.
func (d *decoder) strings(what string, n int) ([]string, error) {
	ends := make([]int, n)
	// A first guess at the text size, never more than the file holds: tokens
	// and merges average well under 16 bytes, so this usually needs no growth.
	arena := make([]byte, 0, min(16*int64(n), d.remaining()-8*int64(n)))
	for i := range ends {
		b, err := d.strBytes(what)
		if err != nil {
			return nil, err
		}
		arena = append(arena, b...)
		ends[i] = len(arena)
	}
	all := string(arena)
	out := make([]string, n)
	start := 0
	for i, end := range ends {
		out[i] = all[start:end]
		start = end
	}
	return out, nil
}

// stringArray reads n strings into a StringArray. It walks the strings
// twice, first for their total size, so that the text is allocated once at
// its exact size: no growth, no copy, nothing left over (re-reading a few MB
// through the buffer costs far less than holding them twice).
func (d *decoder) stringArray(what string, n int) (StringArray, error) {
	start := d.off
	total := int64(0)
	for range n {
		b, err := d.strBytes(what)
		if err != nil {
			return StringArray{}, err
		}
		total += int64(len(b))
	}
	if total > math.MaxUint32 {
		return StringArray{}, d.errorf(start, "%s: %d strings hold %d bytes of text, more than the 4 GiB supported", what, n, total)
	}
	d.off = start
	var text strings.Builder
	text.Grow(int(total))
	ends := make([]uint32, n)
	for i := range ends {
		b, err := d.strBytes(what)
		if err != nil { // the reader changed under us
			return StringArray{}, err
		}
		text.Write(b)
		ends[i] = uint32(text.Len())
	}
	if int64(text.Len()) != total {
		return StringArray{}, d.errorf(start, "%s changed while it was read", what)
	}
	return StringArray{text: text.String(), ends: ends}, nil
}

// value reads one metadata value of type t; depth is how many arrays enclose it.
func (d *decoder) value(t ValueType, what string, depth int) (any, error) {
	switch t {
	case TypeUint8:
		return d.u8(what)
	case TypeInt8:
		v, err := d.u8(what)
		return int8(v), err
	case TypeUint16:
		return d.u16(what)
	case TypeInt16:
		v, err := d.u16(what)
		return int16(v), err
	case TypeUint32:
		return d.u32(what)
	case TypeInt32:
		v, err := d.u32(what)
		return int32(v), err
	case TypeFloat32:
		v, err := d.u32(what)
		return math.Float32frombits(v), err
	case TypeUint64:
		return d.u64(what)
	case TypeInt64:
		v, err := d.u64(what)
		return int64(v), err
	case TypeFloat64:
		v, err := d.u64(what)
		return math.Float64frombits(v), err
	case TypeBool:
		at := d.off
		v, err := d.u8(what)
		if err != nil {
			return nil, err
		}
		if v > 1 {
			return nil, d.errorf(at, "%s: bool value %d is neither 0 nor 1", what, v)
		}
		return v == 1, nil
	case TypeString:
		return d.str(what)
	case TypeArray:
		return d.array(what, depth+1)
	}
	return nil, d.errorf(d.off-4, "%s has unknown value type %d", what, uint32(t))
}

// array reads an array's element type, count and elements. depth is its
// nesting level: 1 for a metadata value, 2 for an array inside it, which may
// not hold arrays itself (even none of them: the writer could not say that).
func (d *decoder) array(what string, depth int) (any, error) {
	at := d.off
	et32, err := d.u32(what + " element type")
	if err != nil {
		return nil, err
	}
	et := ValueType(et32)
	if et > TypeFloat64 {
		return nil, d.errorf(at, "%s has unknown element type %d", what, et32)
	}
	if et == TypeArray && depth >= 2 {
		return nil, d.errorf(at, "%s: arrays nested deeper than 2 levels", what)
	}
	n, err := d.count(what+" element count", et.minSize())
	if err != nil {
		return nil, err
	}
	// Fixed-size arrays are decoded in one read.
	if sz := et.fixedSize(); sz > 0 {
		raw, err := d.bytes(int64(n)*int64(sz), what)
		if err != nil {
			return nil, err
		}
		return decodeFixedArray(et, raw, n, func(i int) error {
			return d.errorf(at+12+int64(i), "%s[%d]: bool value %d is neither 0 nor 1", what, i, raw[i])
		})
	}
	switch et {
	case TypeString:
		if d.compact {
			return d.stringArray(what, n)
		}
		return d.strings(what, n)
	default: // TypeArray
		out := make([]any, n)
		for i := range out {
			if out[i], err = d.value(TypeArray, what, depth); err != nil {
				return nil, err
			}
		}
		return out, nil
	}
}

func decodeFixedArray(et ValueType, raw []byte, n int, badBool func(int) error) (any, error) {
	le := binary.LittleEndian
	switch et {
	case TypeUint8:
		return append([]uint8(nil), raw...), nil
	case TypeInt8:
		out := make([]int8, n)
		for i := range out {
			out[i] = int8(raw[i])
		}
		return out, nil
	case TypeBool:
		out := make([]bool, n)
		for i := range out {
			if raw[i] > 1 {
				return nil, badBool(i)
			}
			out[i] = raw[i] == 1
		}
		return out, nil
	case TypeUint16:
		out := make([]uint16, n)
		for i := range out {
			out[i] = le.Uint16(raw[2*i:])
		}
		return out, nil
	case TypeInt16:
		out := make([]int16, n)
		for i := range out {
			out[i] = int16(le.Uint16(raw[2*i:]))
		}
		return out, nil
	case TypeUint32:
		out := make([]uint32, n)
		for i := range out {
			out[i] = le.Uint32(raw[4*i:])
		}
		return out, nil
	case TypeInt32:
		out := make([]int32, n)
		for i := range out {
			out[i] = int32(le.Uint32(raw[4*i:]))
		}
		return out, nil
	case TypeFloat32:
		out := make([]float32, n)
		for i := range out {
			out[i] = math.Float32frombits(le.Uint32(raw[4*i:]))
		}
		return out, nil
	case TypeUint64:
		out := make([]uint64, n)
		for i := range out {
			out[i] = le.Uint64(raw[8*i:])
		}
		return out, nil
	case TypeInt64:
		out := make([]int64, n)
		for i := range out {
			out[i] = int64(le.Uint64(raw[8*i:]))
		}
		return out, nil
	case TypeFloat64:
		out := make([]float64, n)
		for i := range out {
			out[i] = math.Float64frombits(le.Uint64(raw[8*i:]))
		}
		return out, nil
	}
	return nil, fmt.Errorf("gguf: internal: %s is not a fixed-size type", et)
}
