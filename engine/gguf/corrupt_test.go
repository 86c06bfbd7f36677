package gguf

import (
	"errors"
	"fmt"
	"math"
	"runtime"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// maxReadAlloc bounds what one Read of a small (< 10 KB) file may allocate,
// whatever the file claims: counts and lengths are checked against the bytes
// really present before anything is allocated for them.
const maxReadAlloc = 1 << 20

// readMeasured parses b, turning a panic into an error, and reports the
// bytes allocated meanwhile.
func readMeasured(b []byte) (f *File, err error, allocated uint64) {
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	func() {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("PANIC: %v", p)
			}
		}()
		f, err = readBytes(b)
	}()
	runtime.ReadMemStats(&after)
	return f, err, after.TotalAlloc - before.TotalAlloc
}

// checkHostile requires a *FormatError containing want, and a bounded allocation.
func checkHostile(t *testing.T, name string, b []byte, want ...string) {
	t.Helper()
	_, err, allocated := readMeasured(b)
	if err == nil {
		t.Errorf("%s: Read succeeded", name)
		return
	}
	var fe *FormatError
	if !errors.As(err, &fe) {
		t.Errorf("%s: error %q is not a *FormatError", name, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("%s: error %q does not contain %q", name, err, w)
		}
	}
	if len(b) < 10<<10 && allocated > maxReadAlloc {
		t.Errorf("%s: Read of %d bytes allocated %d bytes", name, len(b), allocated)
	}
}

// TestTruncatedEverywhere cuts a valid file at every byte: each cut before
// the end of the last tensor's bytes must fail and say the file is
// truncated; cuts in the final padding leave a valid file.
func TestTruncatedEverywhere(t *testing.T) {
	b, _ := buildAll(t)
	f := mustRead(t, b)
	last := &f.Tensors[len(f.Tensors)-1]
	dataEnd := f.DataOffset + last.Offset + last.Size
	fields, headerEnd := headerFields(f)

	// Every field boundary: the error names the field that is cut off (or
	// a count that the remaining bytes can no longer hold).
	for _, fl := range fields {
		_, err, _ := readMeasured(b[:fl.off])
		if err == nil {
			t.Errorf("cut at field %q (offset %d): Read succeeded", fl.names[0], fl.off)
			continue
		}
		named := false
		for _, n := range fl.names {
			named = named || strings.Contains(err.Error(), n)
		}
		if !named || !strings.Contains(err.Error(), "truncated") {
			t.Errorf("cut at field %q (offset %d): error %q names none of %q or lacks \"truncated\"", fl.names[0], fl.off, err, fl.names)
		}
	}

	var maxAlloc uint64
	for cut := 0; cut < len(b); cut++ {
		got, err, allocated := readMeasured(b[:cut])
		maxAlloc = max(maxAlloc, allocated)
		if int64(cut) >= dataEnd {
			if err != nil {
				t.Errorf("cut at %d, in the final padding: %v", cut, err)
			} else if err := compareKVs(got.KVs, f.KVs); err != nil {
				t.Errorf("cut at %d: %v", cut, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("cut at %d of %d: Read succeeded", cut, len(b))
			continue
		}
		msg := err.Error()
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("cut at %d: %q is not a *FormatError", cut, msg)
		}
		if !strings.Contains(msg, "truncated") {
			t.Errorf("cut at %d: %q does not say truncated", cut, msg)
		}
		switch {
		case int64(cut) < headerEnd:
			if fe != nil && fe.Offset > int64(cut) {
				t.Errorf("cut at %d: error offset %d is past the cut", cut, fe.Offset)
			}
		case int64(cut) < f.DataOffset:
			if !strings.Contains(msg, "data section") {
				t.Errorf("cut at %d, before the data section: %q", cut, msg)
			}
		default:
			// The first tensor, in file order, that no longer fits is named.
			dataLen := int64(cut) - f.DataOffset
			for _, ti := range f.Tensors {
				if ti.Offset > dataLen || ti.Offset+ti.Size > dataLen {
					if !strings.Contains(msg, fmt.Sprintf("tensor %q", ti.Name)) || !strings.Contains(msg, "past the end") {
						t.Errorf("cut at %d, inside the data: %q does not name tensor %q", cut, msg, ti.Name)
					}
					break
				}
			}
		}
		if allocated > maxReadAlloc {
			t.Errorf("cut at %d: Read allocated %d bytes", cut, allocated)
		}
	}
	t.Logf("%d-byte file, %d fields: most allocated by one Read of a truncation: %d bytes", len(b), len(fields), maxAlloc)
}

// kvFile is a file of one tensor-less metadata entry whose type and value
// bytes are given raw.
func kvFile(key string, t ValueType, value *raw) []byte {
	return newRaw(3, 0, 1).key(key, t).bytes(value.b).b
}

// tensorFile is a file with metadata and one tensor description, then data.
func tensorFile(name string, dims []uint64, typ dtype.Type, off uint64, dataLen int) []byte {
	r := newRaw(3, 1, 1).key("general.architecture", TypeString).str("llama")
	return r.tensor(name, dims, typ, off).pad(32).zeros(dataLen).b
}

// hostileCase is a file Read must refuse, and words its error must contain.
type hostileCase struct {
	name string
	b    []byte
	want []string
}

// hostileCases lie about every count, length, type, shape and offset the
// format has (they also seed FuzzRead).
func hostileCases() []hostileCase {
	const huge = uint64(1) << 63
	const all = math.MaxUint64
	rw := func() *raw { return &raw{} }

	return []hostileCase{
		// Preamble.
		{"empty file", nil, []string{"magic", "truncated"}},
		{"bad magic", rw().bytes([]byte("GGUX")).u32(3).u64(0).u64(0).b, []string{"bad magic"}},
		{"version 0", newRaw(0, 0, 0).b, []string{"unsupported GGUF version 0"}},
		{"version 1", newRaw(1, 0, 0).b, []string{"version 1 is not supported"}},
		{"version 4", newRaw(4, 0, 0).b, []string{"unsupported GGUF version 4"}},
		{"big-endian version 3", newRaw(3<<24, 0, 0).b, []string{"big-endian"}},
		{"big-endian version 2", newRaw(2<<24, 0, 0).b, []string{"big-endian"}},
		{"tensor count 2^63", newRaw(3, huge, 0).b, []string{"tensor count is 9223372036854775808", "truncated"}},
		{"tensor count 2^64-1", newRaw(3, all, 0).b, []string{"tensor count"}},
		{"tensor count 1e6", newRaw(3, 1e6, 0).zeros(1000).b, []string{"tensor count is 1000000"}},
		{"metadata count 2^63", newRaw(3, 0, huge).b, []string{"metadata count is 9223372036854775808"}},
		{"metadata count 2^64-1", newRaw(3, 0, all).zeros(100).b, []string{"metadata count"}},

		// Keys.
		{"key length 2^63", newRaw(3, 0, 1).u64(huge).zeros(20).b, []string{"key of metadata entry 0 length 9223372036854775808", "limit"}},
		{"key length 2^64-1", newRaw(3, 0, 1).u64(all).zeros(20).b, []string{"key of metadata entry 0 length"}},
		{"key length past the end", newRaw(3, 0, 1).u64(1000).zeros(20).b, []string{"key of metadata entry 0 length 1000", "truncated"}},
		{"empty key", newRaw(3, 0, 1).key("", TypeUint8).u8(1).b, []string{"empty key"}},
		{"duplicate key", newRaw(3, 0, 2).key("a", TypeUint8).u8(1).key("a", TypeUint8).u8(2).b, []string{`duplicate metadata key "a"`}},

		// Value types.
		{"value type 13", kvFile("k", 13, rw().u64(0)), []string{`value of "k" has unknown value type 13`}},
		{"value type 2^32-1", kvFile("k", math.MaxUint32, rw().u64(0)), []string{"unknown value type 4294967295"}},
		{"array element type 13", kvFile("k", TypeArray, rw().u32(13).u64(1).u64(0)), []string{`value of "k" has unknown element type 13`}},
		{"array element type 2^32-1", kvFile("k", TypeArray, rw().u32(math.MaxUint32).u64(0)), []string{"unknown element type 4294967295"}},
		{"arrays three deep", kvFile("k", TypeArray, rw().u32(uint32(TypeArray)).u64(1).u32(uint32(TypeArray)).u64(1).u32(uint32(TypeUint8)).u64(0)), []string{"nested deeper"}},
		{"empty arrays three deep (found by FuzzRead)", kvFile("k", TypeArray, rw().u32(uint32(TypeArray)).u64(1).u32(uint32(TypeArray)).u64(0)), []string{"nested deeper"}},
		{"bool 2", kvFile("k", TypeBool, rw().u8(2)), []string{`value of "k": bool value 2`}},
		{"bool 255", kvFile("k", TypeBool, rw().u8(255)), []string{"bool value 255"}},
		{"bool array with 2", kvFile("k", TypeArray, rw().u32(uint32(TypeBool)).u64(3).u8(1).u8(0).u8(2)), []string{`value of "k"[2]: bool value 2`}},
		{"bool in an array of arrays", kvFile("k", TypeArray, rw().u32(uint32(TypeArray)).u64(1).u32(uint32(TypeBool)).u64(1).u8(7)), []string{"bool value 7"}},

		// Counts and lengths inside values.
		{"uint8 array count 2^63", kvFile("k", TypeArray, rw().u32(uint32(TypeUint8)).u64(huge).zeros(64)), []string{`value of "k" element count is 9223372036854775808`}},
		{"float64 array count 2^61 (times 8 wraps to 0)", kvFile("k", TypeArray, rw().u32(uint32(TypeFloat64)).u64(1<<61).zeros(64)), []string{"element count is 2305843009213693952"}},
		{"uint64 array count 2^64-1", kvFile("k", TypeArray, rw().u32(uint32(TypeUint64)).u64(all).zeros(64)), []string{"element count"}},
		{"string array count 2^63", kvFile("k", TypeArray, rw().u32(uint32(TypeString)).u64(huge).zeros(64)), []string{"element count"}},
		{"array-of-arrays count 2^63", kvFile("k", TypeArray, rw().u32(uint32(TypeArray)).u64(huge).zeros(64)), []string{"element count"}},
		{"string array count just over", kvFile("k", TypeArray, rw().u32(uint32(TypeString)).u64(9).zeros(64)), []string{"element count is 9", "truncated"}},
		{"inner array count 2^63", kvFile("k", TypeArray, rw().u32(uint32(TypeArray)).u64(1).u32(uint32(TypeInt32)).u64(huge).zeros(64)), []string{"element count is 9223372036854775808"}},
		{"string length 2^62", kvFile("k", TypeString, rw().u64(1<<62).zeros(64)), []string{`value of "k" length 4611686018427387904`}},
		{"string length past the end", kvFile("k", TypeString, rw().u64(65).zeros(64)), []string{`value of "k" length 65`, "truncated"}},
		{"string array element length 2^64-1", kvFile("k", TypeArray, rw().u32(uint32(TypeString)).u64(2).str("ok").u64(all).zeros(16)), []string{`value of "k" length 18446744073709551615`}},

		// general.alignment.
		{"alignment int32", kvFile("general.alignment", TypeInt32, rw().u32(64)), []string{"general.alignment has type int32, want uint32"}},
		{"alignment uint64", kvFile("general.alignment", TypeUint64, rw().u64(64)), []string{"general.alignment has type uint64"}},
		{"alignment string", kvFile("general.alignment", TypeString, rw().str("64")), []string{"general.alignment has type string"}},
		{"alignment array", kvFile("general.alignment", TypeArray, rw().u32(uint32(TypeUint32)).u64(1).u32(64)), []string{"general.alignment has type array of uint32"}},
		{"alignment 0", kvFile("general.alignment", TypeUint32, rw().u32(0)), []string{"general.alignment 0 is not a power of two"}},
		{"alignment 3", kvFile("general.alignment", TypeUint32, rw().u32(3)), []string{"general.alignment 3 is not a power of two"}},
		{"alignment 48", kvFile("general.alignment", TypeUint32, rw().u32(48)), []string{"general.alignment 48 is not a power of two"}},
		{"alignment 2^31+1", kvFile("general.alignment", TypeUint32, rw().u32(1<<31+1)), []string{"not a power of two"}},

		// Tensor names.
		{"tensor name length 2^63", newRaw(3, 1, 0).u64(huge).zeros(64).b, []string{"name of tensor 0 length 9223372036854775808"}},
		{"tensor name past the end", newRaw(3, 1, 0).u64(100).zeros(64).b, []string{"name of tensor 0 length 100", "truncated"}},
		{"empty tensor name", tensorFile("", []uint64{1}, dtype.F32, 0, 32), []string{"tensor 0 has an empty name"}},
		{"tensor name of 64 bytes", tensorFile(strings.Repeat("x", 64), []uint64{1}, dtype.F32, 0, 32), []string{"name is 64 bytes, longer than the 63"}},
		{"duplicate tensor names", newRaw(3, 2, 0).tensor("t", []uint64{8}, dtype.F32, 0).tensor("t", []uint64{8}, dtype.F32, 32).pad(32).zeros(64).b, []string{`duplicate tensor name "t"`}},

		// Shapes.
		{"0 dimensions", tensorFile("t", nil, dtype.F32, 0, 32), []string{`tensor "t" has 0 dimensions`}},
		{"5 dimensions", tensorFile("t", []uint64{1, 1, 1, 1, 1}, dtype.F32, 0, 32), []string{`tensor "t" has 5 dimensions`}},
		{"2^32-1 dimensions", newRaw(3, 1, 0).str("t").u32(math.MaxUint32).zeros(64).b, []string{"has 4294967295 dimensions"}},
		{"dimension 2^63", tensorFile("t", []uint64{huge}, dtype.F32, 0, 32), []string{`tensor "t": dimension 0 = 9223372036854775808 overflows`}},
		{"dimension 2^64-1", tensorFile("t", []uint64{1, all}, dtype.F32, 0, 32), []string{"dimension 1 = 18446744073709551615 overflows"}},
		{"dimensions 2^32 x 2^32", tensorFile("t", []uint64{1 << 32, 1 << 32}, dtype.F32, 0, 32), []string{"dimension 1 = 4294967296 overflows"}},
		{"dimensions overflow at the fourth", tensorFile("t", []uint64{1 << 31, 1 << 31, 1, 2}, dtype.F32, 0, 32), []string{"dimension 3 = 2 overflows"}},
		{"F32 of 2^62 elements (bytes overflow)", tensorFile("t", []uint64{1 << 62}, dtype.F32, 0, 32), []string{"size in bytes overflows"}},
		{"F64 of 2^61 x 2 (bytes overflow)", tensorFile("t", []uint64{1 << 61, 2}, dtype.F64, 0, 32), []string{"size in bytes overflows"}},
		{"Q8_0 of 2^63-32 elements (bytes overflow)", tensorFile("t", []uint64{1<<63 - 32}, dtype.Q8_0, 0, 32), []string{"size in bytes overflows"}},
		{"Q4_0 row of 31", tensorFile("t", []uint64{31}, dtype.Q4_0, 0, 32), []string{"row length 31 is not a multiple of the Q4_0 block size 32"}},
		{"huge zero-free shape within int64", tensorFile("t", []uint64{1 << 20, 1 << 20}, dtype.F32, 0, 32), []string{"past the end"}},

		// Tensor types.
		{"tensor type 4", tensorFile("t", []uint64{1}, 4, 0, 32), []string{`tensor "t" has unknown type 4`}},
		{"tensor type 5", tensorFile("t", []uint64{1}, 5, 0, 32), []string{"unknown type 5"}},
		{"tensor type 31", tensorFile("t", []uint64{1}, 31, 0, 32), []string{"unknown type 31"}},
		{"tensor type 33", tensorFile("t", []uint64{1}, 33, 0, 32), []string{"unknown type 33"}},
		{"tensor type 1000", tensorFile("t", []uint64{1}, 1000, 0, 32), []string{"unknown type 1000"}},
		{"tensor type 2^32-1", tensorFile("t", []uint64{1}, math.MaxUint32, 0, 32), []string{"unknown type 4294967295"}},

		// Placement.
		{"offset 1", tensorFile("t", []uint64{1}, dtype.F32, 1, 64), []string{`tensor "t" offset 1 is not aligned to 32`}},
		{"offset 16", tensorFile("t", []uint64{1}, dtype.F32, 16, 64), []string{"offset 16 is not aligned to 32"}},
		{"offset 32 with alignment 64", newRaw(3, 1, 1).key("general.alignment", TypeUint32).u32(64).tensor("t", []uint64{1}, dtype.F32, 32).pad(64).zeros(128).b, []string{"offset 32 is not aligned to 64"}},
		{"offset 2^63", tensorFile("t", []uint64{1}, dtype.F32, huge, 32), []string{`tensor "t": offset 9223372036854775808 overflows`}},
		{"offset 2^62", tensorFile("t", []uint64{1}, dtype.F32, 1<<62, 32), []string{`tensor "t"`, "past the end"}},
		{"offset at the end", tensorFile("t", []uint64{1}, dtype.F32, 32, 32), []string{"past the end"}},
		{"tensor longer than the data", tensorFile("t", []uint64{16}, dtype.F32, 0, 32), []string{`tensor "t" (64 bytes at data offset 0) extends past the end`}},
		{"no data section", newRaw(3, 1, 0).tensor("t", []uint64{1}, dtype.F32, 0).b, []string{"data section", "truncated"}},
		{"same offset", newRaw(3, 2, 0).tensor("a", []uint64{8}, dtype.F32, 0).tensor("b", []uint64{8}, dtype.F32, 0).pad(32).zeros(64).b, []string{"overlaps"}},
		{"partial overlap", newRaw(3, 2, 0).tensor("a", []uint64{16}, dtype.F32, 0).tensor("b", []uint64{8}, dtype.F32, 32).pad(32).zeros(128).b, []string{`tensor "b" overlaps tensor "a"`}},
		{"overlap out of file order", newRaw(3, 3, 0).tensor("c", []uint64{8}, dtype.F32, 64).tensor("a", []uint64{32}, dtype.F32, 0).tensor("b", []uint64{1}, dtype.F32, 96).pad(32).zeros(256).b, []string{`tensor "c" overlaps tensor "a"`}},
	}
}

func TestHostileFiles(t *testing.T) {
	for _, c := range hostileCases() {
		checkHostile(t, c.name, c.b, c.want...)
	}

	if _, err := Read(nil, -1); err == nil || !strings.Contains(err.Error(), "negative file size") {
		t.Errorf("Read with size -1: %v", err)
	}
}

// TestLenientButSafe: layouts llama.cpp's writer never makes but that hold
// no contradiction are accepted, with every tensor where the file says.
func TestLenientButSafe(t *testing.T) {
	cases := []struct {
		name string
		b    []byte
	}{
		{"version 2", newRaw(2, 1, 1).key("general.architecture", TypeString).str("llama").tensor("t", []uint64{8}, dtype.F32, 0).pad(32).zeros(32).b},
		// An empty tensor first in sorted order or after a non-empty one at the same offset.
		{"empty tensor sharing an offset", newRaw(3, 3, 0).tensor("full", []uint64{8}, dtype.F32, 0).tensor("empty", []uint64{8, 0}, dtype.F32, 0).tensor("inside", []uint64{0}, dtype.F32, 0).pad(32).zeros(32).b},
		{"tensors in reverse order with a gap", newRaw(3, 2, 0).tensor("b", []uint64{8}, dtype.F32, 96).tensor("a", []uint64{8}, dtype.F32, 0).pad(32).zeros(128).b},
		{"zero tensors and zero metadata", newRaw(3, 0, 0).b},
	}
	for _, c := range cases {
		f, err, allocated := readMeasured(c.b)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if allocated > maxReadAlloc {
			t.Errorf("%s: allocated %d bytes", c.name, allocated)
		}
		for _, ti := range f.Tensors {
			if f.DataOffset+ti.Offset+ti.Size > int64(len(c.b)) {
				t.Errorf("%s: tensor %q is past the end", c.name, ti.Name)
			}
		}
	}
}
