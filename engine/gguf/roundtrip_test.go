package gguf

import (
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
)

// allValueKVs covers every scalar type, every typed array (with and without
// elements), arrays of arrays, empty strings and non-ASCII keys.
func allValueKVs() []KV {
	return []KV{
		{"general.architecture", "llama"},
		{"general.alignment", uint32(64)},
		{"scalar.uint8", uint8(200)},
		{"scalar.int8", int8(-100)},
		{"scalar.uint16", uint16(60000)},
		{"scalar.int16", int16(-30000)},
		{"scalar.uint32", uint32(4_000_000_000)},
		{"scalar.int32", int32(-2_000_000_000)},
		{"scalar.float32", float32(1.5)},
		{"scalar.float32.nan", math.Float32frombits(0x7fc00123)},
		{"scalar.bool.true", true},
		{"scalar.bool.false", false},
		{"scalar.string", "hello"},
		{"scalar.string.empty", ""},
		{"scalar.string.unicode", "héllo 世界 🌍\x00end"},
		{"scalar.uint64", uint64(1<<63 + 5)},
		{"scalar.int64", int64(-1 << 62)},
		{"scalar.float64", -2.25},
		{"scalar.float64.negzero", math.Copysign(0, -1)},
		{"ключ.模型.🔑", "unicode key"},
		{"array.uint8", []uint8{0, 1, 255}},
		{"array.int8", []int8{-128, 0, 127}},
		{"array.uint16", []uint16{0, 65535}},
		{"array.int16", []int16{-32768, 32767, 1}},
		{"array.uint32", []uint32{0, math.MaxUint32}},
		{"array.int32", []int32{math.MinInt32, -1, math.MaxInt32}},
		{"array.float32", []float32{1, -0.5, float32(math.Inf(1)), float32(math.NaN())}},
		{"array.bool", []bool{true, false, true}},
		{"array.string", []string{"a", "", "ü", strings.Repeat("x", 300)}},
		{"array.uint64", []uint64{math.MaxUint64, 0}},
		{"array.int64", []int64{math.MinInt64, math.MaxInt64}},
		{"array.float64", []float64{math.Pi, math.Inf(-1)}},
		{"empty.uint8", []uint8{}},
		{"empty.int8", []int8{}},
		{"empty.uint16", []uint16{}},
		{"empty.int16", []int16{}},
		{"empty.uint32", []uint32{}},
		{"empty.int32", []int32{}},
		{"empty.float32", []float32{}},
		{"empty.bool", []bool{}},
		{"empty.string", []string{}},
		{"empty.uint64", []uint64{}},
		{"empty.int64", []int64{}},
		{"empty.float64", []float64{}},
		{"empty.arrays", []any{}},
		{"arrays.same", []any{[]float32{1}, []float32{2, 3}}},
		{"arrays.mixed", []any{[]int32{1, 2}, []string{"x", ""}, []uint8{}, []bool{false}}},
	}
}

type testTensor struct {
	name  string
	typ   dtype.Type
	shape []int64
}

// allTensors has 1 to 4 dimensions, plain and block types, sizes that need
// padding, and empty tensors (one between two others, sharing an offset).
var allTensors = []testTensor{
	{"token_embd.weight", dtype.F32, []int64{8}},
	{"blk.0.attn_q.weight", dtype.Q8_0, []int64{64, 3}},
	{"blk.0.ffn.f16", dtype.F16, []int64{2, 3, 4}},
	{"blk.0.q4k", dtype.Q4_K, []int64{256, 1, 2, 1}},
	{"empty.rows", dtype.F32, []int64{4, 0}},
	{"bf16.odd", dtype.BF16, []int64{5}},
	{"empty.cols", dtype.Q4_0, []int64{0, 3}},
	{"i8", dtype.I8, []int64{3}},
	{"mxfp4", dtype.MXFP4, []int64{32, 1, 1}},
	{"ünïcode.tensor", dtype.F64, []int64{1, 1, 1, 2}},
}

// buildAll writes a file with allValueKVs and allTensors and returns it
// with the data written for each tensor.
func buildAll(t testing.TB) ([]byte, [][]byte) {
	t.Helper()
	w := NewWriter()
	for _, kv := range allValueKVs() {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	var datas [][]byte
	for i, tt := range allTensors {
		data := pattern(tensorBytes(tt.typ, tt.shape), byte(i+1))
		if err := w.AddTensor(tt.name, tt.typ, tt.shape, data); err != nil {
			t.Fatal(err)
		}
		datas = append(datas, data)
	}
	return encode(t, w), datas
}

func TestRoundTripAllTypes(t *testing.T) {
	b, datas := buildAll(t)
	f := mustRead(t, b)

	if f.Version != 3 {
		t.Errorf("version %d, want 3", f.Version)
	}
	if err := compareKVs(f.KVs, allValueKVs()); err != nil {
		t.Fatal(err)
	}
	for _, kv := range allValueKVs() {
		if v, ok := f.Value(kv.Key); !ok || !sameValue(v, kv.Value) {
			t.Errorf("Value(%q) = %v, %v", kv.Key, v, ok)
		}
	}
	if f.Alignment != 64 {
		t.Errorf("alignment %d, want 64", f.Alignment)
	}
	_, headerEnd := headerFields(f)
	wantData := (headerEnd + 63) / 64 * 64
	if f.DataOffset != wantData {
		t.Errorf("data offset %d, want %d (header ends at %d)", f.DataOffset, wantData, headerEnd)
	}

	// llama.cpp requires each tensor to start where the previous one's padded
	// bytes end, and its writer pads after the last one too.
	next := int64(0)
	for i, tt := range allTensors {
		ti := &f.Tensors[i]
		want := TensorInfo{Name: tt.name, Shape: tt.shape, Type: tt.typ, Offset: next, Size: tensorBytes(tt.typ, tt.shape)}
		if err := compareTensorInfos([]TensorInfo{*ti}, []TensorInfo{want}, true); err != nil {
			t.Error(err)
		}
		next += (want.Size + 63) / 64 * 64
		if got, ok := f.Tensor(tt.name); !ok || got != ti {
			t.Errorf("Tensor(%q) did not find it", tt.name)
		}

		got := make([]byte, ti.Size)
		if err := f.ReadTensor(ti, got); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, datas[i]) {
			t.Errorf("ReadTensor(%q) returned other bytes", tt.name)
		}
		streamed, err := io.ReadAll(f.TensorReader(ti))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(streamed, datas[i]) {
			t.Errorf("TensorReader(%q) returned other bytes", tt.name)
		}
	}
	if int64(len(b)) != f.DataOffset+next {
		t.Errorf("file is %d bytes, want %d (data offset + padded tensors)", len(b), f.DataOffset+next)
	}
	if _, ok := f.Tensor("missing"); ok {
		t.Error("Tensor(missing) found something")
	}
	if err := f.ReadTensor(&f.Tensors[0], make([]byte, 3)); err == nil || !strings.Contains(err.Error(), "buffer is 3 bytes") {
		t.Errorf("ReadTensor with a short buffer: %v", err)
	}

	// The reader and writer agree on every byte: a rewrite is identical.
	if again := rewrite(t, f); !bytes.Equal(again, b) {
		t.Errorf("rewriting the parsed file changed it (%d bytes → %d)", len(b), len(again))
	}
}

func TestRoundTripDefaultAlignmentAndNoTensors(t *testing.T) {
	w := NewWriter()
	if err := w.AddKV("general.architecture", "qwen2"); err != nil {
		t.Fatal(err)
	}
	b := encode(t, w)
	f := mustRead(t, b)
	_, end := headerFields(f)
	if int64(len(b)) != end {
		t.Errorf("a file without tensors is %d bytes, want the %d of its header", len(b), end)
	}
	if f.Alignment != DefaultAlignment || f.DataOffset%DefaultAlignment != 0 || len(f.Tensors) != 0 {
		t.Errorf("alignment %d, data offset %d, %d tensors", f.Alignment, f.DataOffset, len(f.Tensors))
	}

	w = NewWriter()
	if err := w.AddTensor("one", dtype.F32, []int64{3}, pattern(12, 1)); err != nil {
		t.Fatal(err)
	}
	b = encode(t, w)
	f = mustRead(t, b)
	if f.DataOffset != 64 || f.Tensors[0].Offset != 0 || len(b) != 96 {
		t.Errorf("data offset %d, tensor offset %d, file %d bytes; want 64, 0, 96", f.DataOffset, f.Tensors[0].Offset, len(b))
	}
}

func TestOpen(t *testing.T) {
	b, datas := buildAll(t)
	path := filepath.Join(t.TempDir(), "all.gguf")
	if err := os.WriteFile(path, b, 0o644); err != nil {
		t.Fatal(err)
	}
	f, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	got := make([]byte, f.Tensors[1].Size)
	if err := f.ReadTensor(&f.Tensors[1], got); err != nil || !bytes.Equal(got, datas[1]) {
		t.Errorf("ReadTensor after Open: %v", err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}

	if err := os.WriteFile(path, b[:100], 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(path); err == nil || !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("Open of a truncated file: %v (want the path and \"truncated\")", err)
	}
	if _, err := Open(filepath.Join(t.TempDir(), "absent.gguf")); err == nil {
		t.Error("Open of a missing file succeeded")
	}
}

// TestRoundTripVocabFiles reads llama.cpp's vocabulary files, writes them
// again and checks the result parses to the same entries and is byte for
// byte the original (the version field aside: the writer always writes v3).
func TestRoundTripVocabFiles(t *testing.T) {
	paths, err := filepath.Glob(filepath.Join(testdata.VocabDir(t), "ggml-vocab-*.gguf"))
	if err != nil {
		t.Fatal(err)
	}
	if len(paths) < 10 {
		t.Fatalf("found only %d vocab files", len(paths))
	}
	for _, path := range paths {
		t.Run(filepath.Base(path), func(t *testing.T) {
			orig, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			f := mustRead(t, orig)
			out := rewrite(t, f)
			again := mustRead(t, out)
			if err := compareKVs(again.KVs, f.KVs); err != nil {
				t.Fatal(err)
			}
			if err := compareTensorInfos(again.Tensors, f.Tensors, true); err != nil {
				t.Fatal(err)
			}
			if f.Version != 3 {
				orig = append([]byte(nil), orig...)
				orig[4], orig[5], orig[6], orig[7] = 3, 0, 0, 0
			}
			if !bytes.Equal(out, orig) {
				t.Errorf("rewritten file differs from the original (%d vs %d bytes)", len(out), len(orig))
			}
		})
	}
}

func TestWriterRejects(t *testing.T) {
	kvCases := []struct {
		key   string
		value any
		want  string
	}{
		{"", uint8(1), "empty metadata key"},
		{"dup", uint8(1), "duplicate metadata key"},
		{"int", 5, "unsupported value type int"},
		{"ints", []int{5}, "unsupported value type []int"},
		{"scalar.in.arrays", []any{uint8(1)}, "not an array"},
		{"nil.in.arrays", []any{nil}, "not an array"},
		{"three.levels", []any{[]any{}}, "nested deeper"},
		{"general.alignment", int32(64), "general.alignment"},
		{"general.alignment", uint32(48), "power of two"},
		{"general.alignment", uint32(0), "power of two"},
	}
	for _, c := range kvCases {
		w := NewWriter()
		if err := w.AddKV("dup", uint8(0)); err != nil {
			t.Fatal(err)
		}
		err := w.AddKV(c.key, c.value)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddKV(%q, %#v) = %v, want an error containing %q", c.key, c.value, err, c.want)
		}
	}

	tensorCases := []struct {
		name  string
		typ   dtype.Type
		shape []int64
		size  int
		want  string
	}{
		{"", dtype.F32, []int64{1}, 4, "empty"},
		{"dup", dtype.F32, []int64{1}, 4, "already used"},
		{strings.Repeat("n", MaxNameLen+1), dtype.F32, []int64{1}, 4, "longer than"},
		{"nodims", dtype.F32, nil, 4, "0 dimensions"},
		{"fivedims", dtype.F32, []int64{1, 1, 1, 1, 1}, 4, "5 dimensions"},
		{"negative", dtype.F32, []int64{2, -1}, 0, "negative"},
		{"unknown", dtype.Type(4), []int64{1}, 4, "unknown type 4"},
		{"blocks", dtype.Q4_0, []int64{31}, 18, "not a multiple"},
		{"short", dtype.F32, []int64{2, 2}, 15, "needs 16 bytes, got 15"},
		{"overflow", dtype.F32, []int64{1 << 32, 1 << 32}, 0, "overflows"},
		{"bytes.overflow", dtype.F32, []int64{1 << 62}, 0, "overflows"},
	}
	for _, c := range tensorCases {
		w := NewWriter()
		if err := w.AddTensor("dup", dtype.F32, []int64{1}, make([]byte, 4)); err != nil {
			t.Fatal(err)
		}
		err := w.AddTensor(c.name, c.typ, c.shape, make([]byte, c.size))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("AddTensor(%q, %v, %v) = %v, want an error containing %q", c.name, c.typ, c.shape, err, c.want)
		}
	}
	if err := NewWriter().AddTensor(strings.Repeat("n", MaxNameLen), dtype.F32, []int64{1}, make([]byte, 4)); err != nil {
		t.Errorf("a %d-byte name was refused: %v", MaxNameLen, err)
	}
}
