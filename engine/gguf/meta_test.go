package gguf

import (
	"math"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// getterResult is what a Meta getter must return for a present key, or
// that it must fail (ok false).
type getterResult struct {
	got any
	ok  bool
}

// expectedGetters works out, from the stored value alone, every getter's result.
func expectedGetters(v any) map[string]getterResult {
	res := map[string]getterResult{}
	var signed, isSigned = int64(0), false
	var unsigned, isUnsigned = uint64(0), false
	switch x := v.(type) {
	case int8:
		signed, isSigned = int64(x), true
	case int16:
		signed, isSigned = int64(x), true
	case int32:
		signed, isSigned = int64(x), true
	case int64:
		signed, isSigned = x, true
	case uint8:
		unsigned, isUnsigned = uint64(x), true
	case uint16:
		unsigned, isUnsigned = uint64(x), true
	case uint32:
		unsigned, isUnsigned = uint64(x), true
	case uint64:
		unsigned, isUnsigned = x, true
	}
	s, isStr := v.(string)
	res["String"] = getterResult{s, isStr}
	b, isBool := v.(bool)
	res["Bool"] = getterResult{b, isBool}
	switch {
	case isUnsigned:
		res["Uint"] = getterResult{unsigned, true}
		res["Int"] = getterResult{int64(unsigned), unsigned <= math.MaxInt64}
		res["Float"] = getterResult{float64(unsigned), true}
	case isSigned:
		res["Uint"] = getterResult{uint64(signed), signed >= 0}
		res["Int"] = getterResult{signed, true}
		res["Float"] = getterResult{float64(signed), true}
	default:
		res["Uint"] = getterResult{uint64(0), false}
		res["Int"] = getterResult{int64(0), false}
		switch x := v.(type) {
		case float32:
			res["Float"] = getterResult{float64(x), true}
		case float64:
			res["Float"] = getterResult{x, true}
		default:
			res["Float"] = getterResult{float64(0), false}
		}
	}
	strs, isStrs := v.([]string)
	res["Strings"] = getterResult{strs, isStrs}
	fs, isF32s := v.([]float32)
	res["Float32s"] = getterResult{fs, isF32s}

	// Int32s: any integer array whose every element fits an int32.
	rv := reflect.ValueOf(v)
	var ints []int32
	intsOK := false
	if rv.Kind() == reflect.Slice {
		switch rv.Type().Elem().Kind() {
		case reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			intsOK = true
			for i := 0; i < rv.Len(); i++ {
				x := rv.Index(i).Int()
				intsOK = intsOK && x >= math.MinInt32 && x <= math.MaxInt32
				ints = append(ints, int32(x))
			}
		case reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
			intsOK = true
			for i := 0; i < rv.Len(); i++ {
				x := rv.Index(i).Uint()
				intsOK = intsOK && x <= math.MaxInt32
				ints = append(ints, int32(x))
			}
		}
	}
	if !intsOK {
		ints = nil
	}
	res["Int32s"] = getterResult{ints, intsOK}
	return res
}

// callGetters runs every getter on key, each with a fresh Meta, and returns
// the values and errors; the Arch variants are used when arch is non-empty
// and key starts with it.
func callGetters(f *File, key string) map[string]getterCall {
	calls := map[string]func(m *Meta) any{
		"String":   func(m *Meta) any { return m.String(key) },
		"Bool":     func(m *Meta) any { return m.Bool(key) },
		"Uint":     func(m *Meta) any { return m.Uint(key) },
		"Int":      func(m *Meta) any { return m.Int(key) },
		"Float":    func(m *Meta) any { return m.Float(key) },
		"Strings":  func(m *Meta) any { return m.Strings(key, false) },
		"Float32s": func(m *Meta) any { return m.Float32s(key, false) },
		"Int32s":   func(m *Meta) any { return m.Int32s(key, false) },
	}
	out := map[string]getterCall{}
	for name, call := range calls {
		m := f.Meta()
		v := call(m)
		out[name] = getterCall{v, m.Err()}
	}
	return out
}

type getterCall struct {
	v   any
	err error
}

// checkGetters compares every getter on every key of f with expectedGetters.
func checkGetters(t testing.TB, f *File) {
	t.Helper()
	arch, _ := f.Value("general.architecture")
	archStr, _ := arch.(string)
	for _, kv := range f.KVs {
		want := expectedGetters(kv.Value)
		for name, c := range callGetters(f, kv.Key) {
			w := want[name]
			if w.ok != (c.err == nil) {
				t.Errorf("%s(%q) on %s %s: error %v, want ok=%v", name, kv.Key, typeName(kv.Value), short(kv.Value), c.err, w.ok)
				continue
			}
			if !w.ok {
				if msg := c.err.Error(); !strings.Contains(msg, strconv.Quote(kv.Key)) || !strings.Contains(msg, typeName(kv.Value)) {
					t.Errorf("%s(%q): error %q does not name the key and type %s", name, kv.Key, msg, typeName(kv.Value))
				}
				if !reflect.ValueOf(c.v).IsZero() {
					t.Errorf("%s(%q) failed but returned %v, not the zero value", name, kv.Key, short(c.v))
				}
				continue
			}
			if !sameGetterValue(c.v, w.got) {
				t.Errorf("%s(%q) = %v, want %v", name, kv.Key, short(c.v), short(w.got))
			}
		}
		if archStr != "" && strings.HasPrefix(kv.Key, archStr+".") {
			suffix := strings.TrimPrefix(kv.Key, archStr+".")
			m := f.Meta()
			got := []any{m.ArchString(suffix), m.ArchUint(suffix), m.ArchFloat(suffix), m.ArchBool(suffix), m.ArchHas(suffix)}
			d := f.Meta()
			want := []any{d.String(kv.Key), d.Uint(kv.Key), d.Float(kv.Key), d.Bool(kv.Key), true}
			if !sameValue(got, want) || (m.Err() == nil) != (d.Err() == nil) {
				t.Errorf("Arch getters on %q: %v (%v), direct getters %v (%v)", suffix, got, m.Err(), want, d.Err())
			}
		}
	}
}

func sameGetterValue(got, want any) bool {
	gv, wv := reflect.ValueOf(got), reflect.ValueOf(want)
	if gv.Kind() == reflect.Slice && wv.Kind() == reflect.Slice && gv.Len() == 0 && wv.Len() == 0 {
		return gv.Type() == wv.Type()
	}
	return sameValue(got, want)
}

func TestMetaGettersOnEveryType(t *testing.T) {
	b, _ := buildAll(t)
	f := mustRead(t, b)
	checkGetters(t, f)

	// Values chosen to sit on the edges of each conversion.
	w := NewWriter()
	edge := []KV{
		{"general.architecture", "qwen2"},
		{"qwen2.block_count", uint32(24)},
		{"qwen2.neg", int32(-5)},
		{"qwen2.big", uint64(math.MaxUint64)},
		{"qwen2.eps", float32(1e-6)},
		{"qwen2.flag", true},
		{"fits.uint32", []uint32{0, math.MaxInt32}},
		{"over.uint32", []uint32{0, math.MaxInt32 + 1}},
		{"fits.int64", []int64{math.MinInt32, math.MaxInt32}},
		{"under.int64", []int64{math.MinInt32 - 1}},
		{"over.uint64", []uint64{1 << 63}},
		{"fits.int8", []int8{-128, 127}},
		{"fits.uint16", []uint16{65535}},
		{"floats.not.ints", []float32{1}},
		{"strings.not.ints", []string{"1"}},
		{"bools.not.ints", []bool{true}},
		{"arrays.not.ints", []any{[]int32{1}}},
		{"empty.int32s", []int32{}},
		{"empty.uint8s", []uint8{}},
	}
	for _, kv := range edge {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	checkGetters(t, mustRead(t, encode(t, w)))
}

func metaFile(t *testing.T, kvs ...KV) *File {
	t.Helper()
	w := NewWriter()
	for _, kv := range kvs {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	return mustRead(t, encode(t, w))
}

func TestMetaDefaultsAndMissingKeys(t *testing.T) {
	f := metaFile(t, KV{"general.architecture", "llama"}, KV{"llama.context_length", uint32(4096)})

	m := f.Meta()
	if got := m.String("absent.s", "dflt"); got != "dflt" {
		t.Errorf("String default = %q", got)
	}
	if got := m.Uint("absent.u", 7); got != 7 {
		t.Errorf("Uint default = %d", got)
	}
	if got := m.Int("absent.i", -7); got != -7 {
		t.Errorf("Int default = %d", got)
	}
	if got := m.Float("absent.f", 0.25); got != 0.25 {
		t.Errorf("Float default = %v", got)
	}
	if got := m.Bool("absent.b", true); !got {
		t.Error("Bool default = false")
	}
	if m.Strings("absent.ss", true) != nil || m.Float32s("absent.fs", true) != nil || m.Int32s("absent.is", true) != nil {
		t.Error("optional absent arrays are not nil")
	}
	if got := m.ArchUint("context_length", 1); got != 4096 {
		t.Errorf("ArchUint(context_length) = %d, want the stored 4096 over the default", got)
	}
	if got := m.ArchFloat("rope.freq_base", 10000); got != 10000 {
		t.Errorf("ArchFloat default = %v", got)
	}
	if m.ArchHas("rope.freq_base") || !m.ArchHas("context_length") || !m.Has("general.architecture") || m.Has("absent") {
		t.Error("Has/ArchHas disagree with the file")
	}
	if m.Arch() != "llama" {
		t.Errorf("Arch = %q", m.Arch())
	}
	if err := m.Err(); err != nil {
		t.Fatalf("defaults recorded an error: %v", err)
	}

	// Each getter without a default fails on a missing key, naming it.
	missing := map[string]func(m *Meta){
		"String":      func(m *Meta) { m.String("no.string") },
		"Uint":        func(m *Meta) { m.Uint("no.uint") },
		"Int":         func(m *Meta) { m.Int("no.int") },
		"Float":       func(m *Meta) { m.Float("no.float") },
		"Bool":        func(m *Meta) { m.Bool("no.bool") },
		"Strings":     func(m *Meta) { m.Strings("no.strings", false) },
		"Float32s":    func(m *Meta) { m.Float32s("no.float32s", false) },
		"Int32s":      func(m *Meta) { m.Int32s("no.int32s", false) },
		"ArchUint":    func(m *Meta) { m.ArchUint("block_count") },
		"ArchString":  func(m *Meta) { m.ArchString("name") },
		"ArchFloat":   func(m *Meta) { m.ArchFloat("eps") },
		"ArchBool":    func(m *Meta) { m.ArchBool("causal") },
		"ArchMissing": func(m *Meta) { m.ArchUint("embedding_length") },
	}
	wantKey := map[string]string{
		"String": "no.string", "Uint": "no.uint", "Int": "no.int", "Float": "no.float", "Bool": "no.bool",
		"Strings": "no.strings", "Float32s": "no.float32s", "Int32s": "no.int32s",
		"ArchUint": "llama.block_count", "ArchString": "llama.name", "ArchFloat": "llama.eps",
		"ArchBool": "llama.causal", "ArchMissing": "llama.embedding_length",
	}
	for name, call := range missing {
		m := f.Meta()
		call(m)
		err := m.Err()
		if err == nil || !strings.Contains(err.Error(), "missing metadata key "+strconv.Quote(wantKey[name])) {
			t.Errorf("%s on a missing key: %v, want it to name %q", name, err, wantKey[name])
		}
	}
}

func TestMetaWrongTypes(t *testing.T) {
	f := metaFile(t,
		KV{"general.architecture", "llama"},
		KV{"llama.block_count", "twelve"},
		KV{"s", uint32(3)},
		KV{"neg", int8(-1)},
		KV{"huge", uint64(math.MaxUint64)},
		KV{"arr", []string{"x"}},
		KV{"nums", []float64{1}},
	)
	cases := []struct {
		call func(m *Meta)
		want []string
	}{
		{func(m *Meta) { m.String("s") }, []string{`"s"`, "uint32", "want string"}},
		{func(m *Meta) { m.Bool("s") }, []string{`"s"`, "uint32", "want bool"}},
		{func(m *Meta) { m.Uint("neg") }, []string{`"neg"`, "-1", "int8", "non-negative"}},
		{func(m *Meta) { m.Int("huge") }, []string{`"huge"`, "uint64", "int64"}},
		{func(m *Meta) { m.Float("arr") }, []string{`"arr"`, "array of string", "number"}},
		{func(m *Meta) { m.Strings("s", false) }, []string{`"s"`, "uint32", "array of string"}},
		{func(m *Meta) { m.Float32s("nums", false) }, []string{`"nums"`, "array of float64", "array of float32"}},
		{func(m *Meta) { m.Int32s("arr", false) }, []string{`"arr"`, "array of string", "array of integers"}},
		{func(m *Meta) { m.ArchUint("block_count", 5) }, []string{`"llama.block_count"`, "string"}},
		// A default does not excuse a present value of the wrong type.
		{func(m *Meta) { m.String("s", "d") }, []string{`"s"`, "uint32"}},
	}
	for i, c := range cases {
		m := f.Meta()
		c.call(m)
		err := m.Err()
		if err == nil {
			t.Errorf("case %d: no error", i)
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("case %d: %q does not contain %q", i, err, w)
			}
		}
	}
}

func TestMetaStickyFirstError(t *testing.T) {
	f := metaFile(t, KV{"general.architecture", "llama"}, KV{"a", "str"}, KV{"n", uint32(9)})
	m := f.Meta()
	if got := m.Uint("a"); got != 0 {
		t.Errorf("failed Uint returned %d", got)
	}
	first := m.Err()
	if first == nil || !strings.Contains(first.Error(), `"a"`) {
		t.Fatalf("first error %v", first)
	}
	m.String("missing")
	m.Bool("n")
	if got := m.Uint("n"); got != 9 {
		t.Errorf("a later good read returned %d, want 9", got)
	}
	if m.Err() != first {
		t.Errorf("error changed to %v, want the first %v", m.Err(), first)
	}
}

func TestMetaArchitectureMissing(t *testing.T) {
	for _, f := range []*File{
		metaFile(t, KV{"llama.block_count", uint32(2)}),
		metaFile(t, KV{"general.architecture", uint8(1)}, KV{"llama.block_count", uint32(2)}),
	} {
		m := f.Meta()
		if m.ArchHas("block_count") {
			t.Error("ArchHas without an architecture is true")
		}
		if m.Err() != nil {
			t.Errorf("ArchHas recorded %v", m.Err())
		}
		m.ArchUint("block_count", 3)
		if err := m.Err(); err == nil || !strings.Contains(err.Error(), `"general.architecture"`) || !strings.Contains(err.Error(), "block_count") {
			t.Errorf("ArchUint without an architecture: %v", err)
		}
	}
}

func TestMetaInt32sConversions(t *testing.T) {
	f := metaFile(t,
		KV{"u8", []uint8{0, 255}},
		KV{"i8", []int8{-128, 127}},
		KV{"u16", []uint16{65535}},
		KV{"i16", []int16{-32768}},
		KV{"u32", []uint32{math.MaxInt32}},
		KV{"i32", []int32{math.MinInt32}},
		KV{"i64", []int64{math.MinInt32, math.MaxInt32, -1}},
		KV{"u64", []uint64{0, math.MaxInt32}},
		KV{"u32.over", []uint32{1, 2, math.MaxInt32 + 1}},
		KV{"i64.over", []int64{math.MaxInt32 + 1}},
		KV{"i64.under", []int64{0, math.MinInt32 - 1}},
		KV{"u64.over", []uint64{math.MaxUint64}},
		KV{"u64.wraps", []uint64{1 << 32}},
	)
	good := map[string][]int32{
		"u8": {0, 255}, "i8": {-128, 127}, "u16": {65535}, "i16": {-32768},
		"u32": {math.MaxInt32}, "i32": {math.MinInt32}, "i64": {math.MinInt32, math.MaxInt32, -1}, "u64": {0, math.MaxInt32},
	}
	for key, want := range good {
		m := f.Meta()
		if got := m.Int32s(key, false); !reflect.DeepEqual(got, want) || m.Err() != nil {
			t.Errorf("Int32s(%q) = %v, %v; want %v", key, got, m.Err(), want)
		}
	}
	bad := map[string]string{"u32.over": "element 2", "i64.over": "element 0", "i64.under": "element 1", "u64.over": "element 0", "u64.wraps": "element 0"}
	for key, want := range bad {
		m := f.Meta()
		got := m.Int32s(key, false)
		err := m.Err()
		if got != nil || err == nil || !strings.Contains(err.Error(), strconv.Quote(key)) || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "int32 range") {
			t.Errorf("Int32s(%q) = %v, %v; want nil and an error naming the key, %s and the int32 range", key, got, err, want)
		}
	}
}
