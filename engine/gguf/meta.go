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
func (m *Meta) archKey(suffix string) string {
	arch, _ := m.f.Value("general.architecture")
	s, _ := arch.(string)
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
		m.fail("metadata %q is %T, want string", key, v)
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
		m.fail("metadata %q is %v (%T), want a non-negative integer", key, v, v)
	}
	return u
}

// Int returns an integer value of any stored integer type.
func (m *Meta) Int(key string, def ...int64) int64 {
	v, ok := m.lookup(key, len(def) > 0)
	if !ok {
		return first(def)
	}
	switch x := v.(type) {
	case int8:
		return int64(x)
	case int16:
		return int64(x)
	case int32:
		return int64(x)
	case int64:
		return x
	}
	u, isInt := asUint(v)
	if !isInt || u > math.MaxInt64 {
		m.fail("metadata %q is %v (%T), want an integer", key, v, v)
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
	if u, isInt := asUint(v); isInt {
		return float64(u)
	}
	m.fail("metadata %q is %v (%T), want a number", key, v, v)
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
		m.fail("metadata %q is %T, want bool", key, v)
	}
	return b
}

// Strings returns a string array (nil when absent and optional).
func (m *Meta) Strings(key string, optional bool) []string {
	v, ok := m.lookup(key, optional)
	if !ok {
		return nil
	}
	s, isStrs := v.([]string)
	if !isStrs {
		m.fail("metadata %q is %T, want an array of strings", key, v)
	}
	return s
}

// Float32s returns a float32 array (nil when absent and optional).
func (m *Meta) Float32s(key string, optional bool) []float32 {
	v, ok := m.lookup(key, optional)
	if !ok {
		return nil
	}
	s, isF := v.([]float32)
	if !isF {
		m.fail("metadata %q is %T, want an array of float32", key, v)
	}
	return s
}

// Int32s returns an integer array of any stored integer element type as int32.
func (m *Meta) Int32s(key string, optional bool) []int32 {
	v, ok := m.lookup(key, optional)
	if !ok {
		return nil
	}
	switch x := v.(type) {
	case []int32:
		return x
	case []uint32, []int64, []uint64, []int16, []uint16, []int8, []uint8:
		out, good := toInt32s(x)
		if good {
			return out
		}
	}
	m.fail("metadata %q is %T, want an array of int32", key, v)
	return nil
}

// ArchString, ArchUint, ArchFloat, ArchBool read "<arch>.<suffix>".
func (m *Meta) ArchString(suffix string, def ...string) string {
	return m.String(m.archKey(suffix), def...)
}
func (m *Meta) ArchUint(suffix string, def ...uint64) uint64 { return m.Uint(m.archKey(suffix), def...) }
func (m *Meta) ArchFloat(suffix string, def ...float64) float64 {
	return m.Float(m.archKey(suffix), def...)
}
func (m *Meta) ArchBool(suffix string, def ...bool) bool { return m.Bool(m.archKey(suffix), def...) }

// ArchHas reports whether "<arch>.<suffix>" is present.
func (m *Meta) ArchHas(suffix string) bool { return m.Has(m.archKey(suffix)) }

func first[T any](def []T) T {
	var zero T
	if len(def) > 0 {
		return def[0]
	}
	return zero
}

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

func toInt32s(v any) ([]int32, bool) {
	var out []int32
	put := func(n int, at func(int) int64) bool {
		out = make([]int32, n)
		for i := range out {
			x := at(i)
			if x < math.MinInt32 || x > math.MaxInt32 {
				return false
			}
			out[i] = int32(x)
		}
		return true
	}
	var ok bool
	switch x := v.(type) {
	case []uint32:
		ok = put(len(x), func(i int) int64 { return int64(x[i]) })
	case []int64:
		ok = put(len(x), func(i int) int64 { return x[i] })
	case []uint64:
		ok = put(len(x), func(i int) int64 {
			if x[i] > math.MaxInt64 {
				return math.MaxInt64
			}
			return int64(x[i])
		})
	case []int16:
		ok = put(len(x), func(i int) int64 { return int64(x[i]) })
	case []uint16:
		ok = put(len(x), func(i int) int64 { return int64(x[i]) })
	case []int8:
		ok = put(len(x), func(i int) int64 { return int64(x[i]) })
	case []uint8:
		ok = put(len(x), func(i int) int64 { return int64(x[i]) })
	}
	return out, ok
}
