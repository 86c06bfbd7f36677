// Package gguf reads and writes GGUF files, the container llama.cpp uses for
// model weights: a header of typed key/value metadata and tensor descriptions,
// then the tensor data, each tensor aligned.
//
// The reader works over an io.ReaderAt (a browser hands it file chunks), reads
// only the header up front, and validates everything a hostile file could lie
// about — counts, lengths, types, shapes, offsets, overlaps — before trusting
// it; problems come back as *FormatError naming the offset.
package gguf

import (
	"fmt"
	"io"
	"math"
	"os"
	"sort"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// Magic is "GGUF" read as a little-endian uint32.
const Magic = 0x46554747

// DefaultAlignment applies when general.alignment is absent.
const DefaultAlignment = 32

// MaxDims is the most dimensions a tensor may have (GGML_MAX_DIMS).
const MaxDims = 4

// MaxNameLen is the longest tensor name llama.cpp accepts (its name buffer
// holds 64 bytes including the terminating NUL).
const MaxNameLen = 63

// TensorInfo describes one tensor: its name, shape (Shape[0] is the innermost,
// contiguous dimension: the row length), element type, and where its bytes are.
type TensorInfo struct {
	Name   string
	Shape  []int64
	Type   dtype.Type
	Offset int64 // from the start of the data section
	Size   int64 // bytes
}

// Elements is the product of the shape.
func (t *TensorInfo) Elements() int64 {
	n := int64(1)
	for _, d := range t.Shape {
		n *= d
	}
	return n
}

// Rows is the number of rows of Shape[0] elements.
func (t *TensorInfo) Rows() int64 {
	if len(t.Shape) == 0 || t.Shape[0] == 0 {
		return 0
	}
	return t.Elements() / t.Shape[0]
}

func (t *TensorInfo) String() string {
	return fmt.Sprintf("%s %s%v", t.Name, t.Type, t.Shape)
}

// File is a parsed GGUF header plus access to the tensor data.
type File struct {
	Version    uint32
	KVs        []KV // in file order
	Tensors    []TensorInfo
	Alignment  int64
	DataOffset int64 // absolute offset of the data section (aligned; past the end of a file without tensors)

	r       io.ReaderAt
	size    int64
	closer  io.Closer
	kvIndex map[string]int
	tIndex  map[string]int
}

// Options choose how a File keeps its metadata.
type Options struct {
	// CompactStrings keeps every array of strings as a StringArray (the
	// texts back to back, and where each ends) instead of a []string. A
	// tokenizer's vocabulary and merges are most of a model's metadata:
	// this keeps them in two allocations each and 4 bytes per string
	// instead of a 16-byte string header (1.1 MB less for a 49k vocabulary
	// and its merges, 3.5 MB for a 152k one), and the tokenizer keeps the
	// token texts as they are instead of copying them. Meta.Strings and
	// Meta.StringArray read both forms; code that type-asserts Value to
	// []string sees a StringArray. A model loader that reads the tokenizer
	// from the File should use it.
	CompactStrings bool
}

// Open reads the header of the GGUF file at path. Close the File when done.
func Open(path string) (*File, error) { return OpenWith(path, Options{}) }

// OpenWith is Open with options.
func OpenWith(path string, opt Options) (*File, error) {
	fh, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("gguf: %w", err)
	}
	st, err := fh.Stat()
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("gguf: %w", err)
	}
	f, err := ReadWith(fh, st.Size(), opt)
	if err != nil {
		fh.Close()
		return nil, fmt.Errorf("%w (file %s)", err, path)
	}
	f.closer = fh
	return f, nil
}

// Close releases the file opened by Open; it does nothing for Read.
func (f *File) Close() error {
	if f.closer != nil {
		return f.closer.Close()
	}
	return nil
}

// Read parses and validates the header of a GGUF file of the given size.
func Read(r io.ReaderAt, size int64) (*File, error) { return ReadWith(r, size, Options{}) }

// ReadWith is Read with options.
func ReadWith(r io.ReaderAt, size int64, opt Options) (*File, error) {
	if size < 0 {
		return nil, fmt.Errorf("gguf: negative file size %d", size)
	}
	d := &decoder{r: r, size: size, compact: opt.CompactStrings}
	magic, err := d.u32("magic")
	if err != nil {
		return nil, err
	}
	if magic != Magic {
		return nil, d.errorf(0, "bad magic %#08x: not a GGUF file", magic)
	}
	f := &File{r: r, size: size, kvIndex: map[string]int{}, tIndex: map[string]int{}}
	if f.Version, err = d.u32("version"); err != nil {
		return nil, err
	}
	switch {
	case f.Version == 1:
		return nil, d.errorf(4, "GGUF version 1 is not supported (re-convert the model)")
	case f.Version > 0xffff && f.Version&0xffff == 0:
		return nil, d.errorf(4, "big-endian GGUF files are not supported")
	case f.Version != 2 && f.Version != 3:
		return nil, d.errorf(4, "unsupported GGUF version %d", f.Version)
	}
	// Each tensor info takes at least 8 (name) + 4 (dims) + 4 (type) + 8 (offset) bytes.
	nTensors, err := d.count("tensor count", 24)
	if err != nil {
		return nil, err
	}
	// Each key/value takes at least 8 (key) + 4 (type) + 1 bytes.
	nKV, err := d.count("metadata count", 13)
	if err != nil {
		return nil, err
	}
	f.KVs = make([]KV, 0, nKV)
	alignmentAt := int64(0)
	for i := 0; i < nKV; i++ {
		at := d.off
		key, err := d.str(fmt.Sprintf("key of metadata entry %d", i))
		if err != nil {
			return nil, err
		}
		if key == "" {
			return nil, d.errorf(at, "metadata entry %d has an empty key", i)
		}
		if _, dup := f.kvIndex[key]; dup {
			return nil, d.errorf(at, "duplicate metadata key %q", key)
		}
		t, err := d.u32(fmt.Sprintf("type of %q", key))
		if err != nil {
			return nil, err
		}
		v, err := d.value(ValueType(t), fmt.Sprintf("value of %q", key), 0)
		if err != nil {
			return nil, err
		}
		if key == "general.alignment" {
			alignmentAt = at
		}
		f.kvIndex[key] = len(f.KVs)
		f.KVs = append(f.KVs, KV{Key: key, Value: v})
	}

	f.Alignment = DefaultAlignment
	if v, ok := f.Value("general.alignment"); ok {
		a, ok := v.(uint32)
		if !ok {
			return nil, d.errorf(alignmentAt, "general.alignment has type %s, want uint32", typeName(v))
		}
		if a == 0 || a&(a-1) != 0 {
			return nil, d.errorf(alignmentAt, "general.alignment %d is not a power of two", a)
		}
		f.Alignment = int64(a)
	}

	f.Tensors = make([]TensorInfo, nTensors)
	for i := range f.Tensors {
		if err := d.tensorInfo(&f.Tensors[i], i); err != nil {
			return nil, err
		}
		if _, dup := f.tIndex[f.Tensors[i].Name]; dup {
			return nil, d.errorf(d.off, "duplicate tensor name %q", f.Tensors[i].Name)
		}
		f.tIndex[f.Tensors[i].Name] = i
	}

	f.DataOffset = alignUp(d.off, f.Alignment)
	if nTensors > 0 && f.DataOffset > size {
		return nil, d.errorf(d.off, "file ends before the data section (truncated?)")
	}
	if err := f.checkTensorPlacement(); err != nil {
		return nil, err
	}
	return f, nil
}

func alignUp(n, a int64) int64 { return (n + a - 1) / a * a }

func (d *decoder) tensorInfo(t *TensorInfo, i int) error {
	at := d.off
	name, err := d.str(fmt.Sprintf("name of tensor %d", i))
	if err != nil {
		return err
	}
	if name == "" {
		return d.errorf(at, "tensor %d has an empty name", i)
	}
	if len(name) > MaxNameLen {
		return d.errorf(at, "tensor %d name is %d bytes, longer than the %d llama.cpp allows", i, len(name), MaxNameLen)
	}
	t.Name = name
	nDims, err := d.u32(fmt.Sprintf("dimension count of tensor %q", name))
	if err != nil {
		return err
	}
	if nDims == 0 || nDims > MaxDims {
		return d.errorf(d.off-4, "tensor %q has %d dimensions (want 1 to %d)", name, nDims, MaxDims)
	}
	t.Shape = make([]int64, nDims)
	elements := int64(1)
	for j := range t.Shape {
		v, err := d.u64(fmt.Sprintf("dimension %d of tensor %q", j, name))
		if err != nil {
			return err
		}
		if v > math.MaxInt64 || (v > 0 && elements > math.MaxInt64/int64(v)) {
			return d.errorf(d.off-8, "tensor %q: dimension %d = %d overflows the element count", name, j, v)
		}
		t.Shape[j] = int64(v)
		elements *= int64(v)
	}
	typeAt := d.off
	typ, err := d.u32(fmt.Sprintf("type of tensor %q", name))
	if err != nil {
		return err
	}
	t.Type = dtype.Type(typ)
	if !t.Type.Known() {
		return d.errorf(typeAt, "tensor %q has unknown type %d", name, typ)
	}
	bs, ts := int64(t.Type.BlockSize()), int64(t.Type.TypeSize())
	if t.Shape[0]%bs != 0 {
		return d.errorf(typeAt, "tensor %q: row length %d is not a multiple of the %s block size %d", name, t.Shape[0], t.Type, bs)
	}
	// elements fits an int64, so its whole blocks do too; their bytes may not.
	blocks := elements / bs
	if blocks > math.MaxInt64/ts {
		return d.errorf(typeAt, "tensor %q: %s%v size in bytes overflows", name, t.Type, t.Shape)
	}
	t.Size = blocks * ts
	off, err := d.u64(fmt.Sprintf("offset of tensor %q", name))
	if err != nil {
		return err
	}
	if off > math.MaxInt64 {
		return d.errorf(d.off-8, "tensor %q: offset %d overflows", name, off)
	}
	t.Offset = int64(off)
	return nil
}

// checkTensorPlacement verifies every tensor is aligned, inside the file, and
// overlaps no other. Empty tensors hold no bytes, so they overlap nothing
// (the writer places one at the same offset as the tensor after it).
func (f *File) checkTensorPlacement() error {
	dataLen := f.size - f.DataOffset
	order := make([]int, 0, len(f.Tensors))
	for i, t := range f.Tensors {
		if t.Offset%f.Alignment != 0 {
			return &FormatError{f.DataOffset + t.Offset, fmt.Sprintf("tensor %q offset %d is not aligned to %d", t.Name, t.Offset, f.Alignment)}
		}
		if t.Offset > dataLen || t.Size > dataLen-t.Offset {
			return &FormatError{f.DataOffset + t.Offset, fmt.Sprintf("tensor %q (%d bytes at data offset %d) extends past the end of the file (data section is %d bytes; truncated?)", t.Name, t.Size, t.Offset, dataLen)}
		}
		if t.Size > 0 {
			order = append(order, i)
		}
	}
	// Sorted by offset, non-empty tensors are disjoint exactly when each
	// ends before the next begins.
	sort.Slice(order, func(a, b int) bool { return f.Tensors[order[a]].Offset < f.Tensors[order[b]].Offset })
	for k := 1; k < len(order); k++ {
		prev, cur := &f.Tensors[order[k-1]], &f.Tensors[order[k]]
		if prev.Offset+prev.Size > cur.Offset {
			return &FormatError{f.DataOffset + cur.Offset, fmt.Sprintf("tensor %q overlaps tensor %q", cur.Name, prev.Name)}
		}
	}
	return nil
}

// Value returns the raw metadata value for key.
func (f *File) Value(key string) (any, bool) {
	i, ok := f.kvIndex[key]
	if !ok {
		return nil, false
	}
	return f.KVs[i].Value, true
}

// Tensor returns the tensor info with the given name.
func (f *File) Tensor(name string) (*TensorInfo, bool) {
	i, ok := f.tIndex[name]
	if !ok {
		return nil, false
	}
	return &f.Tensors[i], true
}

// TensorReader returns a reader over the tensor's bytes, for streaming them
// somewhere (an arena) without holding the whole tensor in between.
func (f *File) TensorReader(t *TensorInfo) *io.SectionReader {
	return io.NewSectionReader(f.r, f.DataOffset+t.Offset, t.Size)
}

// ReadTensor reads the tensor's bytes into dst (len(dst) must be t.Size).
func (f *File) ReadTensor(t *TensorInfo, dst []byte) error {
	if int64(len(dst)) != t.Size {
		return fmt.Errorf("gguf: ReadTensor %q: buffer is %d bytes, tensor is %d", t.Name, len(dst), t.Size)
	}
	n, err := f.r.ReadAt(dst, f.DataOffset+t.Offset)
	if n < len(dst) {
		if err == nil || err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return fmt.Errorf("gguf: reading tensor %q: %w", t.Name, err)
	}
	return nil
}
