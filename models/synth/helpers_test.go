package synth

import (
	"bytes"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
)

// tinyVocab writes a small SentencePiece-style vocabulary GGUF (what the
// converter writes for a llama tokenizer, with 320 tokens) so tests of the
// tensor layout run fast; the real vocabularies are tested separately.
func tinyVocab(t *testing.T) string {
	t.Helper()
	const n = 320
	tokens := make([]string, n)
	scores := make([]float32, n)
	types := make([]int32, n)
	tokens[0], tokens[1], tokens[2] = "<unk>", "<s>", "</s>"
	types[0], types[1], types[2] = 2, 3, 3
	for i := 3; i < 259; i++ {
		tokens[i], types[i] = fmt.Sprintf("<0x%02X>", i-3), 6
	}
	for i := 259; i < n; i++ {
		tokens[i], scores[i], types[i] = fmt.Sprintf("▁w%d", i), -float32(i), 1
	}
	w := gguf.NewWriter()
	for _, kv := range []gguf.KV{
		{Key: "general.architecture", Value: "llama"},
		{Key: "llama.block_count", Value: uint32(32)}, // a vocab file's own hparams must not leak
		{Key: "tokenizer.ggml.model", Value: "llama"},
		{Key: "tokenizer.ggml.pre", Value: "default"},
		{Key: "tokenizer.ggml.tokens", Value: tokens},
		{Key: "tokenizer.ggml.scores", Value: scores},
		{Key: "tokenizer.ggml.token_type", Value: types},
		{Key: "tokenizer.ggml.bos_token_id", Value: uint32(1)},
		{Key: "tokenizer.ggml.eos_token_id", Value: uint32(2)},
		{Key: "tokenizer.ggml.add_bos_token", Value: true},
	} {
		if err := w.AddKV(kv.Key, kv.Value); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(t.TempDir(), "tiny-vocab.gguf")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := w.WriteTo(f); err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// smallSpec is the shape the oracle tests use: rows of 256 and 512 so every
// k-quant fits, grouped-query attention, two layers.
func smallSpec(arch, vocab string, typ dtype.Type) Spec {
	s := Spec{Arch: arch, VocabPath: vocab, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2, NFF: 512, Type: typ, Seed: 7}
	switch arch {
	case Qwen3:
		s.HeadDim = 128 // wider than NEmbd/NHead, as Qwen3 models are
	case Qwen3MoE:
		s.HeadDim, s.NFF, s.NExpert, s.NExpertUsed, s.NFFExp = 128, 0, 4, 2, 256
	}
	return s
}

// writeAndRead writes spec into memory and parses it back.
func writeAndRead(t *testing.T, spec Spec) (*gguf.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, spec); err != nil {
		t.Fatalf("Write(%s %v): %v", spec.Arch, spec.Type, err)
	}
	f, err := gguf.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("gguf.Read of the %s %v model: %v", spec.Arch, spec.Type, err)
	}
	return f, buf.Bytes()
}

// values dequantizes a tensor of f.
func values(t *testing.T, f *gguf.File, name string) []float32 {
	t.Helper()
	info, ok := f.Tensor(name)
	if !ok {
		t.Fatalf("no tensor %s", name)
	}
	raw := make([]byte, info.Size)
	if err := f.ReadTensor(info, raw); err != nil {
		t.Fatal(err)
	}
	out := make([]float32, info.Elements())
	if err := quant.Dequantize(info.Type, raw, out); err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out
}

func meanStd(v []float32) (mean, std float64) {
	for _, x := range v {
		mean += float64(x)
	}
	mean /= float64(len(v))
	for _, x := range v {
		d := float64(x) - mean
		std += d * d
	}
	return mean, math.Sqrt(std / float64(len(v)))
}
