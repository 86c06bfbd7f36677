package gguf

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
)

// FuzzRead feeds arbitrary bytes to Read. Whatever it accepts must be
// internally consistent and survive a rewrite through the Writer unchanged;
// a compact read (Options.CompactStrings) must agree with a plain one.
func FuzzRead(f *testing.F) {
	f.Add(smallValidFile(f))
	all, _ := buildAll(f)
	f.Add(all)
	for _, s := range committedSeeds(f) {
		f.Add(s.data)
	}
	for _, c := range hostileCases() {
		f.Add(c.b)
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		checkCompactMatches(t, b)
		file, err := readBytes(b)
		if err != nil {
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("error %q is not a *FormatError", err)
			}
			return
		}
		checkConsistent(t, file, b)
		checkGetters(t, file)

		again := mustRead(t, rewrite(t, file))
		if err := compareKVs(again.KVs, file.KVs); err != nil {
			t.Fatalf("after a rewrite: %v", err)
		}
		if err := compareTensorInfos(again.Tensors, file.Tensors, false); err != nil {
			t.Fatalf("after a rewrite: %v", err)
		}
		for i := range file.Tensors {
			a, b := make([]byte, file.Tensors[i].Size), make([]byte, file.Tensors[i].Size)
			if file.ReadTensor(&file.Tensors[i], a) != nil || again.ReadTensor(&again.Tensors[i], b) != nil || !bytes.Equal(a, b) {
				t.Fatalf("tensor %q changed in the rewrite", file.Tensors[i].Name)
			}
		}
	})
}

// checkConsistent verifies what Read promises about an accepted file.
func checkConsistent(t *testing.T, f *File, b []byte) {
	t.Helper()
	size := int64(len(b))
	if f.Alignment <= 0 || f.Alignment&(f.Alignment-1) != 0 || f.DataOffset%f.Alignment != 0 {
		t.Fatalf("alignment %d, data offset %d", f.Alignment, f.DataOffset)
	}
	if len(f.Tensors) > 0 && f.DataOffset > size {
		t.Fatalf("data offset %d is past the end (%d bytes)", f.DataOffset, size)
	}
	for i := range f.KVs {
		if v, ok := f.Value(f.KVs[i].Key); !ok || !sameValue(v, f.KVs[i].Value) {
			t.Fatalf("Value(%q) does not find entry %d", f.KVs[i].Key, i)
		}
	}
	var used []TensorInfo
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		if got, ok := f.Tensor(ti.Name); !ok || got != ti {
			t.Fatalf("Tensor(%q) does not find tensor %d", ti.Name, i)
		}
		if ti.Name == "" || len(ti.Name) > MaxNameLen || len(ti.Shape) < 1 || len(ti.Shape) > MaxDims || !ti.Type.Known() {
			t.Fatalf("tensor %d accepted with name %q, shape %v, type %v", i, ti.Name, ti.Shape, ti.Type)
		}
		for _, d := range ti.Shape {
			if d < 0 {
				t.Fatalf("tensor %q has shape %v", ti.Name, ti.Shape)
			}
		}
		if ti.Shape[0]%int64(ti.Type.BlockSize()) != 0 {
			t.Fatalf("tensor %q: row %d is not whole %s blocks", ti.Name, ti.Shape[0], ti.Type)
		}
		if want := tensorBytes(ti.Type, ti.Shape); ti.Size != want || ti.Size < 0 {
			t.Fatalf("tensor %q %s%v: size %d, want %d", ti.Name, ti.Type, ti.Shape, ti.Size, want)
		}
		if ti.Offset < 0 || ti.Offset%f.Alignment != 0 || f.DataOffset+ti.Offset+ti.Size > size {
			t.Fatalf("tensor %q: %d bytes at data offset %d; data section starts at %d of %d", ti.Name, ti.Size, ti.Offset, f.DataOffset, size)
		}
		if ti.Size > 0 {
			used = append(used, *ti)
		}
	}
	sort.Slice(used, func(i, j int) bool { return used[i].Offset < used[j].Offset })
	for i := 1; i < len(used); i++ {
		if used[i-1].Offset+used[i-1].Size > used[i].Offset {
			t.Fatalf("tensors %q and %q overlap", used[i-1].Name, used[i].Name)
		}
	}
}

// smallValidFile is a small Writer-made file with metadata and tensors.
func smallValidFile(t testing.TB) []byte {
	t.Helper()
	w := NewWriter()
	for _, kv := range []KV{
		{"general.architecture", "llama"},
		{"llama.block_count", uint32(1)},
		{"llama.attention.layer_norm_rms_epsilon", float32(1e-5)},
		{"tokenizer.ggml.tokens", []string{"<s>", "a", "ü"}},
		{"tokenizer.ggml.token_type", []int32{3, 1, 1}},
	} {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	for i, tt := range []testTensor{
		{"token_embd.weight", dtype.F32, []int64{2, 3}},
		{"blk.0.attn_q.weight", dtype.Q8_0, []int64{32, 2}},
		{"output_norm.weight", dtype.F16, []int64{2}},
	} {
		if err := w.AddTensor(tt.name, tt.typ, tt.shape, pattern(tensorBytes(tt.typ, tt.shape), byte(i))); err != nil {
			t.Fatal(err)
		}
	}
	return encode(t, w)
}

// A seed committed under testdata/fuzz/FuzzRead, and whether Read accepts it.
type seed struct {
	name  string
	data  []byte
	valid bool
}

// committedSeeds are the generated files in testdata/fuzz/FuzzRead: small,
// each reaching a different part of the reader. (Crashers the fuzzer found
// sit beside them under their hash names.)
func committedSeeds(t testing.TB) []seed {
	t.Helper()
	nested := NewWriter()
	for _, kv := range []KV{
		{"general.alignment", uint32(8)},
		{"arrays", []any{[]int16{-1}, []string{"x"}, []bool{true}, []float64{}}},
		{"empty", []any{}},
	} {
		if err := nested.AddKV(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	if err := nested.AddTensor("q4", dtype.Q4_0, []int64{32}, pattern(18, 5)); err != nil {
		t.Fatal(err)
	}
	if err := nested.AddTensor("none", dtype.F32, []int64{0, 2}, nil); err != nil {
		t.Fatal(err)
	}
	return []seed{
		{"small-valid", smallValidFile(t), true},
		{"nested-arrays-align8", encode(t, nested), true},
		{"version2", newRaw(2, 1, 1).key("general.architecture", TypeString).str("llama").tensor("t", []uint64{4}, dtype.F32, 0).pad(32).zeros(32).b, true},
		{"empty-tensor-shares-offset", newRaw(3, 2, 0).tensor("full", []uint64{8}, dtype.F32, 0).tensor("empty", []uint64{8, 0}, dtype.F32, 0).pad(32).zeros(32).b, true},
		{"reverse-order-gap", newRaw(3, 2, 0).tensor("b", []uint64{8}, dtype.F32, 96).tensor("a", []uint64{8}, dtype.F32, 0).pad(32).zeros(128).b, true},
		{"huge-array-count", newRaw(3, 0, 1).key("k", TypeArray).u32(uint32(TypeString)).u64(1 << 63).zeros(16).b, false},
		{"overlap", newRaw(3, 2, 0).tensor("a", []uint64{16}, dtype.F32, 0).tensor("b", []uint64{8}, dtype.F32, 32).pad(32).zeros(128).b, false},
		{"bytes-overflow", newRaw(3, 1, 0).tensor("t", []uint64{1 << 62}, dtype.F32, 0).pad(32).zeros(32).b, false},
	}
}

var updateSeeds = flag.Bool("update-fuzz-seeds", false, "rewrite the generated seeds in testdata/fuzz/FuzzRead")

// TestFuzzSeedCorpus checks the committed seeds are the generated ones and
// that each is accepted or refused as labelled; -update-fuzz-seeds rewrites them.
func TestFuzzSeedCorpus(t *testing.T) {
	dir := filepath.Join("testdata", "fuzz", "FuzzRead")
	for _, s := range committedSeeds(t) {
		path := filepath.Join(dir, "seed-"+s.name)
		if *updateSeeds {
			if err := os.MkdirAll(dir, 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, encodeSeed(s.data), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -run TestFuzzSeedCorpus -update-fuzz-seeds)", err)
		}
		got, err := decodeSeed(committed)
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		if !bytes.Equal(got, s.data) {
			t.Errorf("%s is stale (run go test -run TestFuzzSeedCorpus -update-fuzz-seeds)", path)
		}
		if _, err := readBytes(got); (err == nil) != s.valid {
			t.Errorf("%s: Read error %v, want valid=%v", path, err, s.valid)
		}
	}

	// Every file in the corpus, generated or found by the fuzzer, decodes.
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := decodeSeed(b); err != nil {
			t.Errorf("%s: %v", e.Name(), err)
		}
	}
}

// encodeSeed writes one []byte in the `go test` fuzz corpus format.
func encodeSeed(b []byte) []byte {
	return []byte("go test fuzz v1\n[]byte(" + strconv.Quote(string(b)) + ")\n")
}

func decodeSeed(file []byte) ([]byte, error) {
	header, rest, ok := strings.Cut(string(file), "\n")
	if !ok || header != "go test fuzz v1" {
		return nil, fmt.Errorf("not a fuzz corpus file")
	}
	lit, ok := strings.CutPrefix(strings.TrimSpace(rest), "[]byte(")
	if !ok || !strings.HasSuffix(lit, ")") {
		return nil, fmt.Errorf("not a single []byte value")
	}
	s, err := strconv.Unquote(strings.TrimSuffix(lit, ")"))
	return []byte(s), err
}
