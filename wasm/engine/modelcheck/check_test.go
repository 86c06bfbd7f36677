package modelcheck

import (
	"bytes"
	"errors"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/models/synth"
)

// smallSpec is a llama model over the tiny 320-token vocabulary whose
// path vocab names.
func smallSpec(vocab string) synth.Spec {
	return synth.Spec{Arch: synth.Llama, VocabPath: vocab, NEmbd: 128, NLayer: 3, NHead: 4, NHeadKV: 2, NFF: 256, NCtx: 2048, Type: dtype.Q8_0, Seed: 3}
}

// writeSmall writes the model of smallSpec and returns its bytes.
func writeSmall(t *testing.T) (spec synth.Spec, data []byte) {
	t.Helper()
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		t.Fatal(err)
	}
	spec = smallSpec(vocab)
	var buf bytes.Buffer
	if err := synth.Write(&buf, spec); err != nil {
		t.Fatal(err)
	}
	return spec, buf.Bytes()
}

// reason returns err's Reason, failing the test when err is not an *Error.
func reason(t *testing.T, err error) (Reason, string) {
	t.Helper()
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error %v (%T) is not a *modelcheck.Error", err, err)
	}
	return e.Reason, e.Msg
}

// A text file, an empty file and a few stray bytes are not GGUF files,
// and the message quotes how the file starts.
func TestReadRefusesWhatIsNotGGUF(t *testing.T) {
	for _, c := range []struct {
		data, want string
	}{
		{"These are my notes, not a model.\n", `starts with "These are my not"`},
		{"", "only 0 bytes long"},
		{"GG", "only 2 bytes long"},
		{"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", "starts with the bytes 89 50 4e 47"},
	} {
		_, err := Read(bytes.NewReader([]byte(c.data)), int64(len(c.data)))
		r, msg := reason(t, err)
		if r != NotGGUF || !strings.Contains(msg, c.want) {
			t.Errorf("%q: %s %q; want %s saying %q", c.data, r, msg, NotGGUF, c.want)
		}
		var e *Error
		if errors.As(err, &e); !e.BadFile() {
			t.Errorf("%q: BadFile is false for a file that is not GGUF", c.data)
		}
	}
}

// A GGUF file cut short is "truncated", wherever the cut falls: in the
// tensor data (the header is whole, but tensors run past the end), in the
// tensor table, or in the metadata.
func TestReadFindsTruncatedFiles(t *testing.T) {
	_, data := writeSmall(t)
	f, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatalf("the whole file: %v", err)
	}
	cuts := map[string]int64{
		"in the tensor data":   f.DataOffset + (int64(len(data))-f.DataOffset)/2,
		"one byte short":       int64(len(data)) - 1,
		"before the data":      f.DataOffset - 1,
		"in the metadata":      200,
		"just after the magic": 6,
	}
	for what, n := range cuts {
		_, err := Read(bytes.NewReader(data[:n]), n)
		r, msg := reason(t, err)
		if r != Truncated || !strings.Contains(msg, "incomplete") {
			t.Errorf("cut %s (%d of %d bytes): %s %q; want %s", what, n, len(data), r, msg, Truncated)
		}
	}
}

// A damaged header (here a bad GGUF version) is a bad file too, but not
// a truncated one.
func TestReadNamesDamage(t *testing.T) {
	_, data := writeSmall(t)
	bad := append([]byte(nil), data...)
	bad[4] = 9 // version 9
	_, err := Read(bytes.NewReader(bad), int64(len(bad)))
	r, msg := reason(t, err)
	if r != Damaged || !strings.Contains(msg, "unsupported GGUF version 9") {
		t.Fatalf("version 9: %s %q", r, msg)
	}
}

// The estimate of a model's memory is its tensors as the arena rounds
// them, a full F32 KV cache for the session's context (the model's own,
// capped at 4096, unless asked), and one pass's activations and logits.
func TestCheckEstimatesMemory(t *testing.T) {
	spec, data := writeSmall(t)
	f, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var weights int64
	for _, ti := range f.Tensors {
		weights += (ti.Size + 63) / 64 * 64
	}
	headDim := int64(spec.NEmbd / spec.NHead)
	kvPerToken := int64(spec.NLayer) * int64(spec.NHeadKV) * 2 * headDim * 4
	for _, c := range []struct{ ctx, want int }{{0, 2048}, {100, 100}, {8192, 8192}} {
		r, err := Check(f, Options{Context: c.ctx})
		if err != nil {
			t.Fatal(err)
		}
		if r.Arch != "llama" || r.Layers != spec.NLayer || r.Vocab != 320 || r.Context != c.want {
			t.Fatalf("context %d: report %+v", c.ctx, r)
		}
		if r.WeightBytes != weights || r.KVBytes != int64(c.want)*kvPerToken {
			t.Fatalf("context %d: weights %d, KV %d; want %d and %d", c.ctx, r.WeightBytes, r.KVBytes, weights, int64(c.want)*kvPerToken)
		}
		if r.ScratchBytes < 4*320 || r.NeedBytes() != r.WeightBytes+r.KVBytes+r.ScratchBytes {
			t.Fatalf("context %d: scratch %d, need %d", c.ctx, r.ScratchBytes, r.NeedBytes())
		}
	}
	// An F16 cache halves the KV bytes.
	if r, _ := Check(f, Options{Context: 100, KVElementBytes: 2}); r.KVBytes != 100*kvPerToken/2 {
		t.Fatalf("F16 KV: %d bytes, want %d", r.KVBytes, 100*kvPerToken/2)
	}
}

// Limits: the tightest one a model passes is named in the message, with
// what the model needs; a limit it fits under is no error, and when the
// weights fit but the KV cache does not, the message says what context
// would fit.
func TestCheckRefusesTooLargeModels(t *testing.T) {
	_, data := writeSmall(t)
	f, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	r, err := Check(f, Options{})
	if err != nil {
		t.Fatal(err)
	}
	need := r.NeedBytes()
	if _, err := Check(f, Options{Limits: []Limit{{need, "exactly enough"}}}); err != nil {
		t.Fatalf("a limit of exactly what it needs: %v", err)
	}
	limits := []Limit{{4 << 30, "the 4 GiB of wasm32"}, {need - 1, "this device's half"}, {need * 2, "plenty"}}
	_, err = Check(f, Options{Limits: limits})
	reasonOf, msg := reason(t, err)
	if reasonOf != TooLarge || !strings.Contains(msg, "this device's half") || !strings.Contains(msg, FormatBytes(need)) || strings.Contains(msg, "4 GiB of wasm32") {
		t.Fatalf("one byte short: %s %q; want %s naming the tighter limit and %s", reasonOf, msg, TooLarge, FormatBytes(need))
	}
	var e *Error
	if errors.As(err, &e); e.BadFile() {
		t.Fatal("a model too large for this device is a bad file")
	}
	// Room for the weights and 1000 tokens of KV cache, not 2048.
	perToken := r.KVBytes / int64(r.Context)
	_, err = Check(f, Options{Limits: []Limit{{r.WeightBytes + r.ScratchBytes + 1000*perToken + 5, "a small device"}}})
	if _, msg := reason(t, err); !strings.Contains(msg, "With a context of at most 1000 tokens it would fit") {
		t.Fatalf("KV too large: %q", msg)
	}
}

// An architecture the engine does not run, a tensor type it cannot run,
// and an mmproj file are refused as unsupported, naming what is missing.
func TestCheckRefusesUnsupportedModels(t *testing.T) {
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		t.Fatal(err)
	}
	header := func(arch string, typ dtype.Type) *gguf.File {
		w := gguf.NewWriter()
		for _, kv := range []gguf.KV{
			{Key: "general.architecture", Value: arch},
			{Key: arch + ".block_count", Value: uint32(2)},
			{Key: arch + ".embedding_length", Value: uint32(256)},
			{Key: arch + ".feed_forward_length", Value: uint32(512)},
			{Key: arch + ".attention.head_count", Value: uint32(4)},
			{Key: arch + ".context_length", Value: uint32(1024)},
		} {
			if err := w.AddKV(kv.Key, kv.Value); err != nil {
				t.Fatal(err)
			}
		}
		n := int64(256 * 8)
		size := n / int64(typ.BlockSize()) * int64(typ.TypeSize())
		if err := w.AddTensor("token_embd.weight", typ, []int64{256, 8}, make([]byte, size)); err != nil {
			t.Fatal(err)
		}
		var buf bytes.Buffer
		if _, err := w.WriteTo(&buf); err != nil {
			t.Fatal(err)
		}
		f, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
		if err != nil {
			t.Fatal(err)
		}
		return f
	}
	for _, c := range []struct {
		arch string
		typ  dtype.Type
		want string
	}{
		{"deepseek2", dtype.Q8_0, `architecture "deepseek2" is not one this engine runs yet (it runs `},
		{"llama", dtype.IQ2_XXS, `"token_embd.weight" is stored as IQ2_XXS`},
		{"clip", dtype.F16, "an image encoder (an mmproj file)"},
	} {
		_, err := Check(header(c.arch, c.typ), Options{})
		r, msg := reason(t, err)
		if r != Unsupported || !strings.Contains(msg, c.want) {
			t.Errorf("%s with %s: %s %q; want %s saying %q", c.arch, c.typ, r, msg, Unsupported, c.want)
		}
	}
	// A supported architecture and type, but a file without the rest of
	// the model: refused before a loaded model would be given up.
	_, err := Check(header("llama", dtype.Q8_0), Options{})
	if r, msg := reason(t, err); r != Damaged || !strings.Contains(msg, "not a model this engine can load") {
		t.Fatalf("a llama header with only token_embd.weight: %s %q; want %s", r, msg, Damaged)
	}
}

// A file whose architecture needs a tensor it does not hold is refused by
// the check, naming the tensor.
func TestCheckFindsMissingTensors(t *testing.T) {
	spec, data := writeSmall(t)
	f, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := Check(f, Options{}); err != nil {
		t.Fatalf("the complete %s file: %v", spec.Arch, err)
	}
	w := gguf.NewWriter()
	for _, kv := range f.KVs {
		if kv.Key == "general.alignment" {
			continue
		}
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	const dropped = "blk.0.ffn_up.weight"
	for i := range f.Tensors {
		ti := &f.Tensors[i]
		if ti.Name == dropped {
			continue
		}
		b := make([]byte, ti.Size)
		if err := f.ReadTensor(ti, b); err != nil {
			t.Fatal(err)
		}
		if err := w.AddTensor(ti.Name, ti.Type, ti.Shape, b); err != nil {
			t.Fatal(err)
		}
	}
	var buf bytes.Buffer
	if _, err := w.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	g, err := Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	_, err = Check(g, Options{})
	if r, msg := reason(t, err); r != Damaged || !strings.Contains(msg, dropped) {
		t.Fatalf("without %s: %s %q; want %s naming it", dropped, r, msg, Damaged)
	}
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{
		512: "512 B", 2048: "2 KiB", 5 << 20: "5 MiB", 4 << 30: "4 GiB", 5<<30 + 1<<29: "5.5 GiB",
	} {
		if got := FormatBytes(n); got != want {
			t.Errorf("FormatBytes(%d) = %q, want %q", n, got, want)
		}
	}
}
