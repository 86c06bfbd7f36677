package gguf

import (
	"fmt"
	"math"
)

// Meta reads typed metadata and remembers the first problem, so a model
// loader can read all its hyperparameters and check Err once:
//
//	m := f.Meta()
//	layers := m.ArchUint("block_count")
//	eps := m.ArchFloat("attention.layer_norm_rms_epsilon", 1e-5)
//	if err := m.Err(); err != nil { … }
//
// A getter given a default returns it when the key is absent; without one, an
// absent key is an error. A present key of the wrong type is always an error.
type Meta struct {
	f   *File
	err error
}

// Meta returns a typed metadata reader for f.
func (f *File) Meta() *Meta { return &Meta{f: f} }

// Err is the first problem met, or nil.
func (m *Meta) Err() error { return m.err }

// Arch is general.architecture ("llama", "qwen2" …).
func (m *Meta) Arch() string { return m.String("general.architecture") }

// Has reports whether key is present.
func (m *Meta) Has(key string) bool { _, ok := m.f.Value(key); return ok }

func (m *Meta) fail(format string, args ...any) {
	if m.err == nil {
		m.err = fmt.Errorf("gguf: "+format, args...)
	}
}

func (m *Meta) lookup(key string, hasDef bool) (any, bool) {
	v, ok := m.f.Value(key)
	if !ok && !hasDef {
		m.fail("missing metadata key %q", key)
	}
	return v, ok
}

// archKey prefixes a key with the architecture: "block_count" → "llama.block_count".
// Without a string general.architecture the key cannot be formed: that is
// the error recorded, rather than a confusing missing ".block_count".
func (m *Meta) archKey(suffix string) string {
	arch, ok := m.f.Value("general.architecture")
	s, isStr := arch.(string)
	switch {
	case !ok:
		m.fail("missing metadata key %q (needed to read %q)", "general.architecture", "<arch>."+suffix)
	case !isStr:
		m.fail("metadata %q has type %s, want string (needed to read %q)", "general.architecture", typeName(arch), "<arch>."+suffix)
	}
	return s + "." + suffix
}

// String returns a string value.
func (m *Meta) String(key string, def ...string) string {
	v, ok := m.lookup(key, len(def) > 0)
	if !ok {
		return first(def)
	}
	s, isStr := v.(string)
	if !isStr {
		m.fail("metadata %q has type %s, want string", key, typeName(v))
	}
	return s
}

// Uint returns a non-negative integer value of any stored integer type.
func (m *Meta) Uint(key string, def ...uint64) uint64 {
	v, ok := m.lookup(key, len(def) > 0)
	if !ok {
		return first(def)
	}
	u, isInt := asUint(v)
	if !isInt {
		m.fail("metadata %q is %v (type %s), want a non-negative integer", key, v, typeName(v))
		return 0
	}
	return u
}

// Int returns an integer value of any stored integer type.
func (m *Meta) Int(key string, def ...int64) int64 {
	v, ok := m.lookup(key, len(def) > 0)
	if !ok {
		return first(def)
	}
	if i, isSigned := asInt64(v); isSigned {
		return i
	}
	u, isInt := asUint(v)
	if !isInt || u > math.MaxInt64 {
		m.fail("metadata %q is %v (type %s), want an int64", key, v, typeName(v))
		return 0
	}
	return int64(u)
}

// Float returns a float value (float32, float64, or an integer).
func (m *Meta) Float(key string, def ...float64) float64 {
	v, ok := m.lookup(key, len(def) > 0)
	if !ok {
		return first(def)
	}
	switch x := v.(type) {
	case float32:
		return float64(x)
	case float64:
		return x
	}
	if i, isSigned := asInt64(v); isSigned {
		return float64(i)
	}
	if u, isInt := asUint(v); isInt {
		return float64(u)
	}
	m.fail("metadata %q is %v (type %s), want a number", key, v, typeName(v))
	return 0
}

// Bool returns a bool value.
func (m *Meta) Bool(key string, def ...bool) bool {
	v, ok := m.lookup(key, len(def) > 0)
	if !ok {
		return first(def)
	}
	b, isBool := v.(bool)
	if !isBool {
		m.fail("metadata %q has type %s, want bool", key, typeName(v))
	}
	return b
}

// Strings returns a string array (nil when absent and optional). From a
// StringArray (Options.CompactStrings) it makes a []string each call: use
// StringArray to read one without that.
func (m *Meta) Strings(key string, optional bool) []string {
	v, ok := m.lookup(key, optional)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case []string:
		return x
	case StringArray:
		return x.Strings()
	}
	m.fail("metadata %q has type %s, want an array of string", key, typeName(v))
	return nil
}

// StringArray returns a string array as a StringArray (empty when absent
// and optional): as stored when the file was read with
// Options.CompactStrings, otherwise packed from the []string (a copy).
func (m *Meta) StringArray(key string, optional bool) StringArray {
	v, ok := m.lookup(key, optional)
	if !ok {
		return StringArray{}
	}
	switch x := v.(type) {
	case StringArray:
		return x
	case []string:
		a, err := NewStringArray(x)
		if err != nil {
			m.fail("metadata %q: its strings hold more than 4 GiB of text", key)
		}
		return a
	}
	m.fail("metadata %q has type %s, want an array of string", key, typeName(v))
	return StringArray{}
}

// Float32s returns a float32 array (nil when absent and optional).
func (m *Meta) Float32s(key string, optional bool) []float32 {
	v, ok := m.lookup(key, optional)
	if !ok {
		return nil
	}
	s, isF := v.([]float32)
	if !isF {
		m.fail("metadata %q has type %s, want an array of float32", key, typeName(v))
	}
	return s
}

// Int32s returns an integer array of any stored integer element type as int32.
func (m *Meta) Int32s(key string, optional bool) []int32 {
	v, ok := m.lookup(key, optional)
	if !ok {
		return nil
	}
	var out []int32
	bad := -1
	switch x := v.(type) {
	case []int32:
		return x
	case []uint32:
		out, bad = narrowToInt32(x)
	case []int64:
		out, bad = narrowToInt32(x)
	case []uint64:
		out, bad = narrowToInt32(x)
	case []int16:
		out, bad = narrowToInt32(x)
	case []uint16:
		out, bad = narrowToInt32(x)
	case []int8:
		out, bad = narrowToInt32(x)
	case []uint8:
		out, bad = narrowToInt32(x)
	default:
		m.fail("metadata %q has type %s, want an array of integers", key, typeName(v))
		return nil
	}
	if bad >= 0 {
		m.fail("metadata %q (%s): element %d is out of the int32 range", key, typeName(v), bad)
		return nil
	}
	return out
}

// ArchString reads the string "<arch>.<suffix>".
func (m *Meta) ArchString(suffix string, def ...string) string {
	return m.String(m.archKey(suffix), def...)
}

// ArchUint reads the non-negative integer "<arch>.<suffix>".
func (m *Meta) ArchUint(suffix string, def ...uint64) uint64 {
	return m.Uint(m.archKey(suffix), def...)
}

// ArchFloat reads the number "<arch>.<suffix>".
func (m *Meta) ArchFloat(suffix string, def ...float64) float64 {
	return m.Float(m.archKey(suffix), def...)
}

// ArchBool reads the bool "<arch>.<suffix>".
func (m *Meta) ArchBool(suffix string, def ...bool) bool { return m.Bool(m.archKey(suffix), def...) }

// ArchHas reports whether "<arch>.<suffix>" is present (false, and no
// error, when the architecture itself is missing).
func (m *Meta) ArchHas(suffix string) bool {
	arch, _ := m.f.Value("general.architecture")
	s, ok := arch.(string)
	return ok && m.Has(s+"."+suffix)
}

func first[T any](def []T) T {
	var zero T
	if len(def) > 0 {
		return def[0]
	}
	return zero
}

// asInt64 converts a value of a signed integer type.
func asInt64(v any) (int64, bool) {
	switch x := v.(type) {
	case int8:
		return int64(x), true
	case int16:
		return int64(x), true
	case int32:
		return int64(x), true
	case int64:
		return x, true
	}
	return 0, false
}

// asUint converts a value of any integer type that is not negative.
func asUint(v any) (uint64, bool) {
	switch x := v.(type) {
	case uint8:
		return uint64(x), true
	case uint16:
		return uint64(x), true
	case uint32:
		return uint64(x), true
	case uint64:
		return x, true
	case int8:
		return uint64(x), x >= 0
	case int16:
		return uint64(x), x >= 0
	case int32:
		return uint64(x), x >= 0
	case int64:
		return uint64(x), x >= 0
	}
	return 0, false
}

type integer interface {
	~int8 | ~int16 | ~int32 | ~int64 | ~uint8 | ~uint16 | ~uint32 | ~uint64
}

// narrowToInt32 converts x to int32s, or returns the index of the first
// element that does not fit (and -1 when all do).
func narrowToInt32[T integer](x []T) ([]int32, int) {
	out := make([]int32, len(x))
	for i, v := range x {
		n := int32(v)
		// The value survives the round trip and keeps its sign exactly when it fits.
		if T(n) != v || (v < 0) != (n < 0) {
			return nil, i
		}
		out[i] = n
	}
	return out, -1
}
