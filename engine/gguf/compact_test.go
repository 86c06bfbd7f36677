package gguf

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
)

func readCompact(b []byte) (*File, error) {
	return ReadWith(bytes.NewReader(b), int64(len(b)), Options{CompactStrings: true})
}

// sameAsPlain reports whether a value of a compact File is the value of a
// plain one: a StringArray (also inside an array of arrays) holding the
// []string's strings, anything else the same.
func sameAsPlain(compact, plain any) bool {
	switch x := compact.(type) {
	case StringArray:
		p, ok := plain.([]string)
		if !ok || len(p) != x.Len() {
			return false
		}
		for i, s := range p {
			if x.At(i) != s {
				return false
			}
		}
		return true
	case []any:
		p, ok := plain.([]any)
		if !ok || len(p) != len(x) {
			return false
		}
		for i := range x {
			if !sameAsPlain(x[i], p[i]) {
				return false
			}
		}
		return true
	}
	return sameValue(compact, plain)
}

// checkCompactMatches reads b both ways: the same error, or the same
// entries once the StringArrays are expanded, and no []string left in the
// compact one.
func checkCompactMatches(t *testing.T, b []byte) {
	t.Helper()
	plain, perr := readBytes(b)
	compact, cerr := readCompact(b)
	if (perr == nil) != (cerr == nil) || (perr != nil && perr.Error() != cerr.Error()) {
		t.Fatalf("plain read: %v; compact read: %v", perr, cerr)
	}
	if perr != nil {
		return
	}
	if len(compact.KVs) != len(plain.KVs) {
		t.Fatalf("compact read: %d entries, plain %d", len(compact.KVs), len(plain.KVs))
	}
	for i, kv := range compact.KVs {
		if kv.Key != plain.KVs[i].Key || !sameAsPlain(kv.Value, plain.KVs[i].Value) {
			t.Fatalf("compact read: entry %d is %q %s %s, plain %q %s %s", i, kv.Key, typeName(kv.Value), short(kv.Value),
				plain.KVs[i].Key, typeName(plain.KVs[i].Value), short(plain.KVs[i].Value))
		}
		if holdsStringSlice(kv.Value) {
			t.Fatalf("compact read kept %q as a []string", kv.Key)
		}
	}
}

func holdsStringSlice(v any) bool {
	switch x := v.(type) {
	case []string:
		return true
	case []any:
		for _, e := range x {
			if holdsStringSlice(e) {
				return true
			}
		}
	}
	return false
}

func TestStringArray(t *testing.T) {
	for _, list := range [][]string{nil, {}, {""}, {"", "", ""}, {"a", "", "bc", "ü世🌍", strings.Repeat("x", 300)}} {
		a, err := NewStringArray(list)
		if err != nil {
			t.Fatal(err)
		}
		if a.Len() != len(list) {
			t.Fatalf("%q: Len %d", list, a.Len())
		}
		total := 0
		for i, s := range list {
			if a.At(i) != s {
				t.Errorf("%q: At(%d) = %q", list, i, a.At(i))
			}
			total += len(s)
		}
		if a.TextBytes() != total {
			t.Errorf("%q: TextBytes %d, want %d", list, a.TextBytes(), total)
		}
		if got := a.Strings(); len(got) != len(list) || (len(list) > 0 && !sameValue(got, list)) {
			t.Errorf("%q: Strings() = %q", list, got)
		}
		if !strings.Contains(a.String(), "StringArray") {
			t.Errorf("String() = %q", a.String())
		}
	}
	var zero StringArray
	if zero.Len() != 0 || len(zero.Strings()) != 0 {
		t.Error("the zero StringArray is not empty")
	}
	// Taking a string allocates nothing: it is a substring of the text.
	a, _ := NewStringArray([]string{"hello", "world"})
	if n := testing.AllocsPerRun(100, func() { _ = a.At(1) }); n != 0 {
		t.Errorf("At allocates %.0f times", n)
	}
}

// TestCompactRoundTrip: every value type read compact is the plain read with
// string arrays as StringArrays; the getters read both forms; a Writer
// writes a compact File back byte for byte.
func TestCompactRoundTrip(t *testing.T) {
	b, _ := buildAll(t)
	checkCompactMatches(t, b)
	f, err := readCompact(b)
	if err != nil {
		t.Fatal(err)
	}
	v, _ := f.Value("array.string")
	arr, ok := v.(StringArray)
	if !ok {
		t.Fatalf("array.string is %T, want a StringArray", v)
	}
	want := []string{"a", "", "ü", strings.Repeat("x", 300)}
	if !sameValue(arr.Strings(), want) {
		t.Errorf("array.string = %q", arr.Strings())
	}
	mixed, _ := f.Value("arrays.mixed")
	if inner, ok := mixed.([]any)[1].(StringArray); !ok || !sameValue(inner.Strings(), []string{"x", ""}) {
		t.Errorf("arrays.mixed[1] = %#v, want a StringArray of x and \"\"", mixed.([]any)[1])
	}

	m := f.Meta()
	if got := m.Strings("array.string", false); !sameValue(got, want) {
		t.Errorf("Strings on a StringArray = %q", got)
	}
	if got := m.StringArray("array.string", false); !sameValue(got.Strings(), want) {
		t.Errorf("StringArray = %q", got.Strings())
	}
	if got := m.StringArray("empty.string", false); got.Len() != 0 {
		t.Errorf("empty.string has %d strings", got.Len())
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}

	// Plain files: StringArray packs the []string; wrong types and absent
	// keys fail as the other getters do.
	plain := mustRead(t, b)
	pm := plain.Meta()
	if got := pm.StringArray("array.string", false); !sameValue(got.Strings(), want) {
		t.Errorf("StringArray on a []string = %q", got.Strings())
	}
	if got := pm.StringArray("absent", true); got.Len() != 0 || pm.Err() != nil {
		t.Errorf("optional absent key: %d strings, %v", got.Len(), pm.Err())
	}
	for _, key := range []string{"array.int32", "scalar.string", "absent"} {
		m := plain.Meta()
		if got := m.StringArray(key, false); got.Len() != 0 || m.Err() == nil || !strings.Contains(m.Err().Error(), key) {
			t.Errorf("StringArray(%q): %d strings, error %v", key, got.Len(), m.Err())
		}
	}

	if !bytes.Equal(rewrite(t, f), rewrite(t, plain)) {
		t.Error("a compact File writes different bytes than a plain one")
	}
}

// TestCompactTruncatedAndHostile: the compact reader fails where the plain
// one does, with the same error, and allocates as little.
func TestCompactTruncatedAndHostile(t *testing.T) {
	b, _ := buildAll(t)
	for cut := 0; cut < len(b); cut += 5 {
		checkCompactMatches(t, b[:cut])
	}
	for _, c := range hostileCases() {
		checkCompactMatches(t, c.b)
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		_, err := readCompact(c.b)
		runtime.ReadMemStats(&after)
		var fe *FormatError
		if !errors.As(err, &fe) {
			t.Errorf("%s: compact read gave %v, not a *FormatError", c.name, err)
		}
		if n := after.TotalAlloc - before.TotalAlloc; len(c.b) < 10<<10 && n > maxReadAlloc {
			t.Errorf("%s: compact read of %d bytes allocated %d", c.name, len(c.b), n)
		}
	}
}

// TestCompactVocabFiles reads llama.cpp's vocabulary files compact: the
// same entries as a plain read, the same bytes when written back, and far
// less heap (the point of it).
func TestCompactVocabFiles(t *testing.T) {
	dir := testdata.VocabDir(t)
	for _, name := range []string{"qwen2", "llama-spm"} {
		path := filepath.Join(dir, "ggml-vocab-"+name+".gguf")
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		checkCompactMatches(t, orig)

		plainHeap := heapHolding(t, path, Options{})
		compactHeap := heapHolding(t, path, Options{CompactStrings: true})
		f, err := OpenWith(path, Options{CompactStrings: true})
		if err != nil {
			t.Fatal(err)
		}
		strs, text := 0, 0
		for _, kv := range f.KVs {
			if a, ok := kv.Value.(StringArray); ok {
				strs += a.Len()
				text += a.TextBytes()
			}
		}
		out := rewrite(t, f)
		f.Close()
		if f.Version == 3 && !bytes.Equal(out, orig) {
			t.Errorf("%s: a compact File writes %d bytes, not the original %d", name, len(out), len(orig))
		}
		// Plain: a 16-byte header per string besides the text; compact: 4.
		t.Logf("%s: %d strings, %d bytes of text: heap %.2f MB plain, %.2f MB compact", name, strs, text, mib(plainHeap), mib(compactHeap))
		if limit := int64(text) + 4*int64(strs) + 1<<20; compactHeap > limit || compactHeap >= plainHeap-10*int64(strs) {
			t.Errorf("%s: compact File holds %d bytes on the heap (plain %d); want under %d", name, compactHeap, plainHeap, limit)
		}
	}
}

// heapHolding is the live heap a File read with opt takes, without the file
// contents that the other metadata (scores, token types) hold alike.
func heapHolding(t *testing.T, path string, opt Options) int64 {
	t.Helper()
	before := liveHeap()
	f, err := OpenWith(path, opt)
	if err != nil {
		t.Fatal(err)
	}
	f.Close()
	held := liveHeap() - before
	for _, kv := range f.KVs {
		switch x := kv.Value.(type) {
		case []float32:
			held -= 4 * int64(len(x))
		case []int32:
			held -= 4 * int64(len(x))
		}
	}
	runtime.KeepAlive(f)
	return held
}

func liveHeap() int64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
