package gguf

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Writer builds a GGUF v3 file in memory: metadata in the order added, then
// tensors in the order added, each aligned. The layout is llama.cpp's: after
// the header, padding up to the alignment, then each tensor's bytes followed
// by padding, so tensor offsets are the running sum of padded sizes; a file
// without tensors ends right after its header. Used by the synthetic model
// generator and by tests (round trips through Read).
type Writer struct {
	kvs       []KV
	keys      map[string]bool
	tensors   []TensorInfo
	data      [][]byte
	names     map[string]bool
	alignment int64
}

// NewWriter returns an empty writer with the default alignment.
func NewWriter() *Writer {
	return &Writer{keys: map[string]bool{}, names: map[string]bool{}, alignment: DefaultAlignment}
}

// AddKV adds a metadata entry. Setting general.alignment (uint32, a power of
// two) changes the tensor alignment.
func (w *Writer) AddKV(key string, value any) error {
	if key == "" {
		return fmt.Errorf("gguf: empty metadata key")
	}
	if w.keys[key] {
		return fmt.Errorf("gguf: duplicate metadata key %q", key)
	}
	if err := checkWritable(value); err != nil {
		return fmt.Errorf("gguf: metadata %q: %w", key, err)
	}
	if key == "general.alignment" {
		a, ok := value.(uint32)
		if !ok || a == 0 || a&(a-1) != 0 {
			return fmt.Errorf("gguf: general.alignment must be a uint32 power of two, got %v", value)
		}
		w.alignment = int64(a)
	}
	w.keys[key] = true
	w.kvs = append(w.kvs, KV{key, value})
	return nil
}

// checkWritable accepts the Go types typeOf knows. An array of arrays ([]any)
// must hold only typed slices, one level deep; each inner array carries its
// own element type, so they may differ, as the format allows.
func checkWritable(v any) error {
	t, elem, ok := typeOf(v)
	if !ok {
		return fmt.Errorf("unsupported value type %T", v)
	}
	if t != TypeArray || elem != TypeArray {
		return nil
	}
	for i, x := range v.([]any) {
		xt, xelem, ok := typeOf(x)
		if !ok || xt != TypeArray {
			return fmt.Errorf("element %d of an array of arrays is %T, not an array", i, x)
		}
		if xelem == TypeArray {
			return fmt.Errorf("arrays nested deeper than 2 levels")
		}
	}
	return nil
}

// AddTensor adds a tensor; data must be exactly the size the type and shape
// need (Shape[0] is the row length).
func (w *Writer) AddTensor(name string, typ dtype.Type, shape []int64, data []byte) error {
	if name == "" || w.names[name] {
		return fmt.Errorf("gguf: tensor name %q is empty or already used", name)
	}
	if len(name) > MaxNameLen {
		return fmt.Errorf("gguf: tensor name %q is %d bytes, longer than the %d llama.cpp allows", name, len(name), MaxNameLen)
	}
	if len(shape) == 0 || len(shape) > MaxDims {
		return fmt.Errorf("gguf: tensor %q has %d dimensions (want 1 to %d)", name, len(shape), MaxDims)
	}
	if !typ.Known() {
		return fmt.Errorf("gguf: tensor %q has unknown type %d", name, uint32(typ))
	}
	n := int64(1)
	for _, d := range shape {
		if d < 0 {
			return fmt.Errorf("gguf: tensor %q has negative dimension %v", name, shape)
		}
		if d > 0 && n > math.MaxInt64/d {
			return fmt.Errorf("gguf: tensor %q: shape %v overflows the element count", name, shape)
		}
		n *= d
	}
	bs, ts := int64(typ.BlockSize()), int64(typ.TypeSize())
	if shape[0]%bs != 0 {
		return fmt.Errorf("gguf: tensor %q: row length %d is not a multiple of the %s block size %d", name, shape[0], typ, bs)
	}
	if n/bs > math.MaxInt64/ts {
		return fmt.Errorf("gguf: tensor %q: %s%v size in bytes overflows", name, typ, shape)
	}
	size := n / bs * ts
	if int64(len(data)) != size {
		return fmt.Errorf("gguf: tensor %q %s%v needs %d bytes, got %d", name, typ, shape, size, len(data))
	}
	w.names[name] = true
	w.tensors = append(w.tensors, TensorInfo{Name: name, Shape: append([]int64(nil), shape...), Type: typ, Size: size})
	w.data = append(w.data, data)
	return nil
}

// WriteTo writes the whole file.
func (w *Writer) WriteTo(out io.Writer) (int64, error) {
	e := &encoder{w: bufio.NewWriterSize(out, 1<<20)}
	e.u32(Magic)
	e.u32(3)
	e.u64(uint64(len(w.tensors)))
	e.u64(uint64(len(w.kvs)))
	for _, kv := range w.kvs {
		e.str(kv.Key)
		t, _, _ := typeOf(kv.Value)
		e.u32(uint32(t))
		e.value(kv.Value)
	}
	var off int64
	for i := range w.tensors {
		t := &w.tensors[i]
		off = alignUp(off, w.alignment)
		t.Offset = off
		off += t.Size
		e.str(t.Name)
		e.u32(uint32(len(t.Shape)))
		for _, d := range t.Shape {
			e.u64(uint64(d))
		}
		e.u32(uint32(t.Type))
		e.u64(uint64(t.Offset))
	}
	if len(w.data) > 0 {
		e.pad(w.alignment)
	}
	for _, data := range w.data {
		e.raw(data)
		e.pad(w.alignment)
	}
	if e.err == nil {
		e.err = e.w.Flush()
	}
	return e.n, e.err
}

type encoder struct {
	w   *bufio.Writer
	n   int64
	err error
	tmp [8]byte
}

func (e *encoder) raw(b []byte) {
	if e.err != nil {
		return
	}
	m, err := e.w.Write(b)
	e.n += int64(m)
	e.err = err
}

func (e *encoder) pad(a int64) {
	for e.n%a != 0 && e.err == nil {
		e.raw([]byte{0})
	}
}

func (e *encoder) u8(v uint8)   { e.raw([]byte{v}) }
func (e *encoder) u16(v uint16) { binary.LittleEndian.PutUint16(e.tmp[:], v); e.raw(e.tmp[:2]) }
func (e *encoder) u32(v uint32) { binary.LittleEndian.PutUint32(e.tmp[:], v); e.raw(e.tmp[:4]) }
func (e *encoder) u64(v uint64) { binary.LittleEndian.PutUint64(e.tmp[:], v); e.raw(e.tmp[:8]) }
func (e *encoder) str(s string) { e.u64(uint64(len(s))); e.raw([]byte(s)) }

func (e *encoder) value(v any) {
	switch x := v.(type) {
	case uint8:
		e.u8(x)
	case int8:
		e.u8(uint8(x))
	case uint16:
		e.u16(x)
	case int16:
		e.u16(uint16(x))
	case uint32:
		e.u32(x)
	case int32:
		e.u32(uint32(x))
	case float32:
		e.u32(math.Float32bits(x))
	case bool:
		if x {
			e.u8(1)
		} else {
			e.u8(0)
		}
	case string:
		e.str(x)
	case uint64:
		e.u64(x)
	case int64:
		e.u64(uint64(x))
	case float64:
		e.u64(math.Float64bits(x))
	case []any:
		e.u32(uint32(TypeArray))
		e.u64(uint64(len(x)))
		for _, a := range x {
			e.value(a)
		}
	default:
		e.array(v)
	}
}

// array writes a typed slice: element type, count, elements.
func (e *encoder) array(v any) {
	_, elem, _ := typeOf(v)
	e.u32(uint32(elem))
	switch x := v.(type) {
	case []uint8:
		e.u64(uint64(len(x)))
		e.raw(x)
	case []int8:
		writeSlice(e, x)
	case []uint16:
		writeSlice(e, x)
	case []int16:
		writeSlice(e, x)
	case []uint32:
		writeSlice(e, x)
	case []int32:
		writeSlice(e, x)
	case []float32:
		writeSlice(e, x)
	case []bool:
		writeSlice(e, x)
	case []string:
		writeSlice(e, x)
	case StringArray:
		e.u64(uint64(x.Len()))
		for i := range x.Len() {
			e.str(x.At(i))
		}
	case []uint64:
		writeSlice(e, x)
	case []int64:
		writeSlice(e, x)
	case []float64:
		writeSlice(e, x)
	}
}

func writeSlice[T any](e *encoder, x []T) {
	e.u64(uint64(len(x)))
	for _, a := range x {
		e.value(a)
	}
}

// WriteFile writes the file to path through a temporary file in the same
// folder, renamed into place: nothing is left at path on error.
func (w *Writer) WriteFile(path string) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".gguf-*.tmp")
	if err != nil {
		return fmt.Errorf("gguf: %w", err)
	}
	_, err = w.WriteTo(tmp)
	if err == nil {
		err = tmp.Chmod(0o644) // CreateTemp makes it private
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		os.Remove(tmp.Name())
		return fmt.Errorf("gguf: writing %s: %w", path, err)
	}
	return nil
}
