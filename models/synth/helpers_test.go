package synth

import (
	"bytes"
	"math"
	"path/filepath"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/quant"
)

// tinyVocab writes WriteTinyVocab's vocabulary with a stray hparam of its
// own (a vocab file's hparams must not leak into the model).
func tinyVocab(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "tiny-vocab.gguf")
	if err := WriteTinyVocab(path, gguf.KV{Key: "llama.block_count", Value: uint32(32)}); err != nil {
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
	case Qwen2MoE: // the shared expert takes NFF's 512
		s.NExpert, s.NExpertUsed, s.NFFExp = 4, 2, 256
	case OLMoE: // k is normalised over NEmbd: as many kv heads as heads
		s.NHeadKV, s.NFF, s.NExpert, s.NExpertUsed, s.NFFExp = 4, 0, 4, 2, 256
	case GraniteMoE: // GraniteMoeShared, with tied embeddings as the granite-3 models
		s.NFF, s.NExpert, s.NExpertUsed, s.NFFExp, s.NFFShexp = 0, 4, 2, 256, 512
		s.TiedEmbeddings = true
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
