package gguf

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"reflect"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// encode writes w to memory.
func encode(t testing.TB, w *Writer) []byte {
	t.Helper()
	var buf bytes.Buffer
	n, err := w.WriteTo(&buf)
	if err != nil {
		t.Fatalf("WriteTo: %v", err)
	}
	if n != int64(buf.Len()) {
		t.Fatalf("WriteTo reported %d bytes, wrote %d", n, buf.Len())
	}
	return buf.Bytes()
}

// readBytes parses a file held in memory.
func readBytes(b []byte) (*File, error) { return Read(bytes.NewReader(b), int64(len(b))) }

func mustRead(t testing.TB, b []byte) *File {
	t.Helper()
	f, err := readBytes(b)
	if err != nil {
		t.Fatalf("Read: %v", err)
	}
	return f
}

// pattern returns n bytes that differ from tensor to tensor (by seed), so a
// reader that mixes tensors up is caught.
func pattern(n int64, seed byte) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7) ^ seed
	}
	return b
}

// tensorBytes is the size of a tensor of this type and shape, computed here
// from the block table rather than by the code under test.
func tensorBytes(typ dtype.Type, shape []int64) int64 {
	n := int64(1)
	for _, d := range shape {
		n *= d
	}
	return n / int64(typ.BlockSize()) * int64(typ.TypeSize())
}

// sameValue compares two metadata values exactly: same Go type, and floats
// by their bits (so NaN payloads and -0 count).
func sameValue(a, b any) bool {
	va, vb := reflect.ValueOf(a), reflect.ValueOf(b)
	if va.Type() != vb.Type() {
		return false
	}
	return sameReflect(va, vb)
}

func sameReflect(a, b reflect.Value) bool {
	switch a.Kind() {
	case reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem().Interface(), b.Elem().Interface())
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := 0; i < a.Len(); i++ {
			if !sameReflect(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Float32:
		return math.Float32bits(float32(a.Float())) == math.Float32bits(float32(b.Float()))
	case reflect.Float64:
		return math.Float64bits(a.Float()) == math.Float64bits(b.Float())
	}
	return a.Interface() == b.Interface()
}

// compareKVs reports the first difference between two metadata lists.
func compareKVs(got, want []KV) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d metadata entries, want %d", len(got), len(want))
	}
	for i := range want {
		if got[i].Key != want[i].Key {
			return fmt.Errorf("metadata %d: key %q, want %q", i, got[i].Key, want[i].Key)
		}
		if !sameValue(got[i].Value, want[i].Value) {
			return fmt.Errorf("metadata %q: %s %s, want %s %s", want[i].Key,
				typeName(got[i].Value), short(got[i].Value), typeName(want[i].Value), short(want[i].Value))
		}
	}
	return nil
}

func short(v any) string {
	s := fmt.Sprintf("%v", v)
	if len(s) > 80 {
		s = s[:80] + "…"
	}
	return s
}

// compareTensorInfos compares name, shape, type and size, and offsets too
// unless withOffsets is false (a rewrite packs tensors afresh).
func compareTensorInfos(got, want []TensorInfo, withOffsets bool) error {
	if len(got) != len(want) {
		return fmt.Errorf("%d tensors, want %d", len(got), len(want))
	}
	for i := range want {
		g, w := got[i], want[i]
		if !withOffsets {
			g.Offset, w.Offset = 0, 0
		}
		if g.Name != w.Name || g.Type != w.Type || g.Size != w.Size || g.Offset != w.Offset || !reflect.DeepEqual(g.Shape, w.Shape) {
			return fmt.Errorf("tensor %d: %+v, want %+v", i, g, w)
		}
	}
	return nil
}

// rewrite copies every entry and tensor of f through a Writer.
func rewrite(t testing.TB, f *File) []byte {
	t.Helper()
	w := NewWriter()
	for _, kv := range f.KVs {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			t.Fatalf("rewriting metadata: %v", err)
		}
	}
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		data := make([]byte, ti.Size)
		if err := f.ReadTensor(ti, data); err != nil {
			t.Fatalf("rewriting: %v", err)
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Shape, data); err != nil {
			t.Fatalf("rewriting tensor: %v", err)
		}
	}
	return encode(t, w)
}

// field is one place in a header where a field starts, and the words the
// reader's error must use when the file ends there.
type field struct {
	off   int64
	names []string
}

// headerFields lists where every header field of a parsed file starts, by
// re-deriving the encoding from the parsed values (a second, independent
// account of the layout), and returns the offset where the header ends.
func headerFields(f *File) ([]field, int64) {
	var fields []field
	off := int64(0)
	add := func(size int64, names ...string) {
		fields = append(fields, field{off, names})
		off += size
	}
	add(4, "magic")
	add(4, "version")
	add(8, "tensor count")
	add(8, "metadata count", "tensor count")
	for i, kv := range f.KVs {
		keyName := fmt.Sprintf("key of metadata entry %d", i)
		add(8, keyName, "metadata count", "tensor count")
		add(int64(len(kv.Key)), keyName, "metadata count", "tensor count")
		add(4, fmt.Sprintf("type of %q", kv.Key), "metadata count", "tensor count")
		walkValue(kv.Value, func(size int64) {
			add(size, fmt.Sprintf("value of %q", kv.Key), "metadata count", "tensor count")
		})
	}
	for i, ti := range f.Tensors {
		add(8, fmt.Sprintf("name of tensor %d", i), "tensor count")
		add(int64(len(ti.Name)), fmt.Sprintf("name of tensor %d", i), "tensor count")
		add(4, fmt.Sprintf("dimension count of tensor %q", ti.Name), "tensor count")
		for j := range ti.Shape {
			add(8, fmt.Sprintf("dimension %d of tensor %q", j, ti.Name), "tensor count")
		}
		add(4, fmt.Sprintf("type of tensor %q", ti.Name), "tensor count")
		add(8, fmt.Sprintf("offset of tensor %q", ti.Name), "tensor count")
	}
	return fields, off
}

// walkValue calls part with the size of each field of an encoded value.
func walkValue(v any, part func(size int64)) {
	rv := reflect.ValueOf(v)
	t, _, _ := typeOf(v)
	switch {
	case t == TypeString:
		part(8)
		if n := rv.Len(); n > 0 {
			part(int64(n))
		}
	case t != TypeArray:
		part(int64(t.fixedSize()))
	default:
		part(4) // element type
		part(8) // count
		for i := 0; i < rv.Len(); i++ {
			walkValue(rv.Index(i).Interface(), part)
		}
	}
}

// raw assembles hand-made (usually hostile) files field by field.
type raw struct{ b []byte }

func newRaw(version uint32, nTensors, nKV uint64) *raw {
	return (&raw{}).u32(Magic).u32(version).u64(nTensors).u64(nKV)
}

func (r *raw) u8(v uint8) *raw   { r.b = append(r.b, v); return r }
func (r *raw) u32(v uint32) *raw { r.b = binary.LittleEndian.AppendUint32(r.b, v); return r }
func (r *raw) u64(v uint64) *raw { r.b = binary.LittleEndian.AppendUint64(r.b, v); return r }
func (r *raw) str(s string) *raw { return r.u64(uint64(len(s))).bytes([]byte(s)) }
func (r *raw) bytes(b []byte) *raw {
	r.b = append(r.b, b...)
	return r
}

// key starts a metadata entry: key and value type.
func (r *raw) key(k string, t ValueType) *raw { return r.str(k).u32(uint32(t)) }

// tensor writes one tensor description.
func (r *raw) tensor(name string, dims []uint64, typ dtype.Type, off uint64) *raw {
	r.str(name).u32(uint32(len(dims)))
	for _, d := range dims {
		r.u64(d)
	}
	return r.u32(uint32(typ)).u64(off)
}

// pad zero-fills to a multiple of a.
func (r *raw) pad(a int) *raw {
	for len(r.b)%a != 0 {
		r.b = append(r.b, 0)
	}
	return r
}

func (r *raw) zeros(n int) *raw { r.b = append(r.b, make([]byte, n)...); return r }
