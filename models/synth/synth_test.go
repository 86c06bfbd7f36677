package synth

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/internal/testdata"
)

var testTypes = []dtype.Type{dtype.F32, dtype.F16, dtype.BF16, dtype.Q8_0, dtype.Q4_0, dtype.Q4_1, dtype.Q5_0, dtype.Q5_1,
	dtype.Q2_K, dtype.Q3_K, dtype.Q4_K, dtype.Q5_K, dtype.Q6_K}

// wantTensors lists, per llama.cpp's loader (src/models/<arch>.cpp,
// load_arch_tensors), the tensors a model of s must have and their shapes.
// It is written out independently of plan() on purpose.
func wantTensors(s Spec) map[string][]int64 {
	e, v := int64(s.NEmbd), int64(320)
	hd := int64(s.HeadDim)
	if hd == 0 {
		hd = e / int64(s.NHead)
	}
	q, kv, ff := hd*int64(s.NHead), hd*int64(s.NHeadKV), int64(s.NFF)
	want := map[string][]int64{
		"token_embd.weight":  {e, v},
		"output_norm.weight": {e},
	}
	if !s.TiedEmbeddings {
		want["output.weight"] = []int64{e, v}
	}
	if s.Llama3Rope != nil {
		want["rope_freqs.weight"] = []int64{hd / 2}
	}
	for i := 0; i < s.NLayer; i++ {
		b := func(n string) string { return fmt.Sprintf("blk.%d.%s", i, n) }
		want[b("attn_norm.weight")] = []int64{e}
		want[b("ffn_norm.weight")] = []int64{e}
		want[b("attn_output.weight")] = []int64{q, e}
		if s.Arch == Phi3 {
			want[b("attn_qkv.weight")] = []int64{e, q + 2*kv}
			want[b("ffn_up.weight")] = []int64{e, 2 * ff}
			want[b("ffn_down.weight")] = []int64{ff, e}
			continue
		}
		want[b("attn_q.weight")] = []int64{e, q}
		want[b("attn_k.weight")] = []int64{e, kv}
		want[b("attn_v.weight")] = []int64{e, kv}
		if s.Arch == Qwen2 || s.Arch == Qwen2MoE {
			want[b("attn_q.bias")] = []int64{q}
			want[b("attn_k.bias")] = []int64{kv}
			want[b("attn_v.bias")] = []int64{kv}
		}
		if s.Arch == Qwen3 || s.Arch == Qwen3MoE {
			want[b("attn_q_norm.weight")] = []int64{hd}
			want[b("attn_k_norm.weight")] = []int64{hd}
		}
		if s.Arch == OLMoE { // llama.cpp's olmoe loader: both {n_embd}
			want[b("attn_q_norm.weight")] = []int64{e}
			want[b("attn_k_norm.weight")] = []int64{e}
		}
		if s.NExpert > 0 {
			x, fe := int64(s.NExpert), int64(s.NFFExp)
			if fe == 0 {
				fe = ff
			}
			want[b("ffn_gate_inp.weight")] = []int64{e, x}
			want[b("ffn_gate_exps.weight")] = []int64{e, fe, x}
			want[b("ffn_up_exps.weight")] = []int64{e, fe, x}
			want[b("ffn_down_exps.weight")] = []int64{fe, e, x}
			fs := int64(s.NFFShexp)
			if s.Arch == Qwen2MoE && fs == 0 {
				fs = ff
			}
			if fs > 0 {
				want[b("ffn_gate_shexp.weight")] = []int64{e, fs}
				want[b("ffn_up_shexp.weight")] = []int64{e, fs}
				want[b("ffn_down_shexp.weight")] = []int64{fs, e}
			}
			if s.Arch == Qwen2MoE {
				want[b("ffn_gate_inp_shexp.weight")] = []int64{e, 1}
			}
			continue
		}
		want[b("ffn_gate.weight")] = []int64{e, ff}
		want[b("ffn_up.weight")] = []int64{e, ff}
		want[b("ffn_down.weight")] = []int64{ff, e}
	}
	return want
}

// wantKeys are the hyperparameters llama.cpp's load_hparams reads for s
// (required ones, and the optional ones whose value matters), with values.
func wantKeys(s Spec) map[string]any {
	a := s.Arch
	hkv := s.NHeadKV
	if hkv == 0 {
		hkv = s.NHead
	}
	eps := float32(1e-5)
	if a == Qwen2 || a == Qwen3 || a == Qwen3MoE || a == Qwen2MoE || a == Granite || a == GraniteMoE {
		eps = 1e-6
	}
	want := map[string]any{
		"general.architecture":                  a,
		a + ".context_length":                   uint32(4096),
		a + ".embedding_length":                 uint32(s.NEmbd),
		a + ".block_count":                      uint32(s.NLayer),
		a + ".attention.head_count":             uint32(s.NHead),
		a + ".attention.head_count_kv":          uint32(hkv),
		a + ".attention.layer_norm_rms_epsilon": eps,
	}
	if s.NFF > 0 {
		want[a+".feed_forward_length"] = uint32(s.NFF)
	}
	if s.NFF == 0 && (a == OLMoE || a == GraniteMoE) { // their experts are sized by it
		want[a+".feed_forward_length"] = uint32(s.NFFExp)
	}
	if s.HeadDim != 0 {
		want[a+".attention.key_length"] = uint32(s.HeadDim)
		want[a+".attention.value_length"] = uint32(s.HeadDim)
	}
	if s.NExpert > 0 {
		want[a+".expert_count"] = uint32(s.NExpert)
		want[a+".expert_used_count"] = uint32(s.NExpertUsed)
	}
	if a == Qwen3MoE || a == Qwen2MoE {
		want[a+".expert_feed_forward_length"] = uint32(s.NFFExp)
	}
	switch {
	case s.NFFShexp > 0:
		want[a+".expert_shared_feed_forward_length"] = uint32(s.NFFShexp)
	case a == Qwen2MoE:
		want[a+".expert_shared_feed_forward_length"] = uint32(s.NFF)
	}
	if a == Granite || a == GraniteMoE {
		g := DefaultGraniteScales()
		if s.Granite != nil {
			g = *s.Granite
		}
		want[a+".embedding_scale"] = g.EmbeddingScale
		want[a+".residual_scale"] = g.ResidualScale
		want[a+".attention.scale"] = g.AttentionScale
		want[a+".logit_scale"] = g.LogitScale
		want[a+".vocab_size"] = uint32(320)
		want[a+".rope.dimension_count"] = uint32(s.NEmbd / s.NHead)
	}
	return want
}

// moeLayoutTypes are the types the later architectures are checked in: the
// layout does not depend on the type beyond which tensors stay F32, and every
// type's encoding is checked on the first five, so a few suffice.
var moeLayoutTypes = []dtype.Type{dtype.F32, dtype.BF16, dtype.Q8_0, dtype.Q4_K}

func TestEveryArchAndTypeMatchesLlamaCppLayout(t *testing.T) {
	vocab := tinyVocab(t)
	for _, arch := range Archs() {
		types := testTypes
		if arch == Qwen2MoE || arch == OLMoE || arch == Granite || arch == GraniteMoE {
			types = moeLayoutTypes
		}
		for _, typ := range types {
			spec := smallSpec(arch, vocab, typ)
			t.Run(arch+"/"+typ.String(), func(t *testing.T) {
				f, _ := writeAndRead(t, spec)
				want := wantTensors(spec)
				var got []string
				for _, info := range f.Tensors {
					got = append(got, info.Name)
					shape, ok := want[info.Name]
					if !ok {
						t.Errorf("unexpected tensor %s", info.String())
						continue
					}
					if !slices.Equal(info.Shape, shape) {
						t.Errorf("%s has shape %v, llama.cpp wants %v", info.Name, info.Shape, shape)
					}
					wantType := typ
					// Vectors, the router and qwen2moe's shared-expert gate
					// stay F32, as llama-quantize leaves them.
					if len(info.Shape) == 1 || strings.HasSuffix(info.Name, "ffn_gate_inp.weight") || strings.HasSuffix(info.Name, "ffn_gate_inp_shexp.weight") {
						wantType = dtype.F32
					}
					if info.Type != wantType {
						t.Errorf("%s is %v, want %v", info.Name, info.Type, wantType)
					}
				}
				for name := range want {
					if !slices.Contains(got, name) {
						t.Errorf("missing tensor %s", name)
					}
				}
				for key, v := range wantKeys(spec) {
					if got, ok := f.Value(key); !ok || got != v {
						t.Errorf("metadata %s = %v (%T), want %v (%T)", key, got, got, v, v)
					}
				}
				m := f.Meta()
				if base := m.ArchFloat("rope.freq_base"); base <= 0 {
					t.Errorf("rope.freq_base = %v", base)
				}
				if err := m.Err(); err != nil {
					t.Error(err)
				}
			})
		}
	}
}

func TestTokenizerMetadataIsCopied(t *testing.T) {
	vocab := tinyVocab(t)
	src, err := gguf.Open(vocab)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, _ := writeAndRead(t, smallSpec(Qwen2, vocab, dtype.F32))
	n := 0
	for _, kv := range src.KVs {
		if !strings.HasPrefix(kv.Key, "tokenizer.") {
			continue
		}
		n++
		got, ok := f.Value(kv.Key)
		if !ok || !reflect.DeepEqual(got, kv.Value) {
			t.Errorf("%s not copied: got %.60v", kv.Key, got)
		}
	}
	if n == 0 {
		t.Fatal("the vocabulary had no tokenizer keys")
	}
	// The vocabulary file's own hyperparameters must not leak in.
	if v, _ := f.Value("llama.block_count"); v != nil {
		t.Errorf("llama.block_count = %v leaked from the vocabulary into a qwen2 model", v)
	}
}

func TestWeightScales(t *testing.T) {
	vocab := tinyVocab(t)
	spec := smallSpec(Llama, vocab, dtype.F32)
	f, _ := writeAndRead(t, spec)
	for _, c := range []struct {
		name      string
		mean, std float64
	}{
		{"token_embd.weight", 0, embeddingStd},
		{"blk.0.attn_q.weight", 0, 1 / math.Sqrt(256)},
		{"blk.1.attn_output.weight", 0, 1 / math.Sqrt(256)},
		{"blk.0.ffn_down.weight", 0, 1 / math.Sqrt(512)},
		{"output.weight", 0, logitStd / math.Sqrt(256)},
		{"blk.0.attn_norm.weight", 1, normJitter},
	} {
		mean, std := meanStd(values(t, f, c.name))
		if math.Abs(mean-c.mean) > 0.1*c.std+0.02 || math.Abs(std-c.std) > 0.1*c.std {
			t.Errorf("%s: mean %.4f std %.4f, want mean %.4f std %.4f", c.name, mean, std, c.mean, c.std)
		}
	}

	// Tied: small embeddings, output norm scaled up to keep the logit spread.
	spec.TiedEmbeddings = true
	f, _ = writeAndRead(t, spec)
	_, embStd := meanStd(values(t, f, "token_embd.weight"))
	outMean, _ := meanStd(values(t, f, "output_norm.weight"))
	if spread := embStd * outMean * math.Sqrt(256); math.Abs(spread-logitStd) > 0.2 {
		t.Errorf("tied: embedding std %.4f × output norm %.3f × sqrt(256) = %.3f, want a logit spread of %v", embStd, outMean, spread, logitStd)
	}
}

func TestSameSeedSameFileAndSameWeightsAcrossTypes(t *testing.T) {
	vocab := tinyVocab(t)
	spec := smallSpec(Llama, vocab, dtype.F32)
	_, a := writeAndRead(t, spec)
	_, b := writeAndRead(t, spec)
	if !bytes.Equal(a, b) {
		t.Error("two writes of the same spec differ")
	}
	spec.Seed++
	_, c := writeAndRead(t, spec)
	if bytes.Equal(a, c) {
		t.Error("a different seed gave the same file")
	}
	spec.Seed--

	// The F16 file holds the F32 file's numbers, rounded.
	f32, _ := writeAndRead(t, spec)
	spec.Type = dtype.F16
	f16, _ := writeAndRead(t, spec)
	x, y := values(t, f32, "blk.1.ffn_up.weight"), values(t, f16, "blk.1.ffn_up.weight")
	for i := range x {
		if d := math.Abs(float64(x[i] - y[i])); d > 1e-3*math.Abs(float64(x[i]))+1e-7 {
			t.Fatalf("element %d: F32 %v vs F16 %v", i, x[i], y[i])
		}
	}
}

func TestTypeOverrides(t *testing.T) {
	vocab := tinyVocab(t)
	spec := smallSpec(Llama, vocab, dtype.Q4_K)
	spec.Types = map[string]dtype.Type{
		"output.weight":         dtype.Q6_K,
		"token_embd.weight":     dtype.Q8_0,
		"blk.*.ffn_down.weight": dtype.Q6_K,
		"blk.1.ffn_down.weight": dtype.Q5_K, // exact beats pattern
	}
	f, _ := writeAndRead(t, spec)
	for name, want := range map[string]dtype.Type{
		"output.weight": dtype.Q6_K, "token_embd.weight": dtype.Q8_0,
		"blk.0.ffn_down.weight": dtype.Q6_K, "blk.1.ffn_down.weight": dtype.Q5_K,
		"blk.0.ffn_up.weight": dtype.Q4_K, "blk.0.attn_norm.weight": dtype.F32,
	} {
		info, _ := f.Tensor(name)
		if info == nil || info.Type != want {
			t.Errorf("%s: got %v, want %v", name, info, want)
		}
	}
	if ft, _ := f.Value("general.file_type"); ft != uint32(15) {
		t.Errorf("general.file_type = %v, want 15 (mostly Q4_K)", ft)
	}
	if qv, _ := f.Value("general.quantization_version"); qv != uint32(2) {
		t.Errorf("general.quantization_version = %v, want 2", qv)
	}
}

func TestLlama3RopeFactors(t *testing.T) {
	vocab := tinyVocab(t)
	spec := smallSpec(Llama, vocab, dtype.F32)
	spec.TiedEmbeddings = true
	spec.RopeBase = 500000
	spec.Llama3Rope = &Llama3Rope{Factor: 32, LowFreqFactor: 1, HighFreqFactor: 4, OrigCtx: 512}
	f, _ := writeAndRead(t, spec)
	if _, ok := f.Tensor("output.weight"); ok {
		t.Error("tied embeddings but output.weight written")
	}
	factors := values(t, f, "rope_freqs.weight")
	if len(factors) != 32 {
		t.Fatalf("%d factors, want head_dim/2 = 32", len(factors))
	}
	// Wavelength of pair i is 2π·500000^(i/32): under 512/4 = 128 for i ≤ 4
	// (factor 1), over 512 for i ≥ 7 (factor 32), blended between.
	for i, f := range factors {
		wavelen := 2 * math.Pi * math.Pow(500000, float64(i)/32)
		switch {
		case wavelen < 128 && f != 1:
			t.Errorf("factor %d (wavelength %.0f) = %v, want 1", i, wavelen, f)
		case wavelen > 512 && f != 32:
			t.Errorf("factor %d (wavelength %.0f) = %v, want 32", i, wavelen, f)
		case wavelen >= 128 && wavelen <= 512 && (f <= 1 || f >= 32):
			t.Errorf("factor %d (wavelength %.0f) = %v, want a blend strictly between 1 and 32", i, wavelen, f)
		}
		if i > 0 && f < factors[i-1] {
			t.Errorf("factors not increasing at %d: %v after %v", i, f, factors[i-1])
		}
	}
}

func TestBadSpecsAreRejected(t *testing.T) {
	vocab := tinyVocab(t)
	base := smallSpec(Llama, vocab, dtype.F32)
	for _, c := range []struct {
		name  string
		edit  func(*Spec)
		wants string
	}{
		{"unknown arch", func(s *Spec) { s.Arch = "gpt5" }, "unknown architecture"},
		{"no vocab", func(s *Spec) { s.VocabPath = "" }, "no vocabulary"},
		{"missing vocab", func(s *Spec) { s.VocabPath = vocab + ".nope" }, "vocabulary"},
		{"zero layers", func(s *Spec) { s.NLayer = 0 }, "NLayer"},
		{"heads vs kv heads", func(s *Spec) { s.NHeadKV = 3 }, "key/value heads"},
		{"odd head width", func(s *Spec) { s.HeadDim = 63 }, "odd"},
		{"k-quant row too short", func(s *Spec) { s.NEmbd, s.HeadDim, s.Type = 128, 32, dtype.Q4_K }, "block size"},
		{"activation type", func(s *Spec) { s.Type = dtype.Q8_K }, "not a weight type"},
		{"override of nothing", func(s *Spec) { s.Types = map[string]dtype.Type{"blk.*.ffn_gate_exps.weight": dtype.F16} }, "names no matrix"},
		{"override of a vector", func(s *Spec) { s.Types = map[string]dtype.Type{"output_norm.weight": dtype.F16} }, "stays F32"},
		{"qwen2 head width", func(s *Spec) { s.Arch, s.HeadDim = Qwen2, 128 }, "NHead*HeadDim"},
		{"llama3 rope on qwen3", func(s *Spec) { s.Arch, s.Llama3Rope = Qwen3, &Llama3Rope{32, 1, 4, 8192} }, "llama3"},
		{"bad llama3 rope", func(s *Spec) { s.Llama3Rope = &Llama3Rope{32, 4, 1, 8192} }, "llama3"},
		{"experts on phi3", func(s *Spec) { s.Arch, s.NExpert, s.NExpertUsed = Phi3, 4, 2 }, "experts"},
		{"qwen3moe without experts", func(s *Spec) { s.Arch = Qwen3MoE }, "NExpert"},
		{"too many experts used", func(s *Spec) { s.NExpert, s.NExpertUsed = 4, 5 }, "NExpertUsed"},
		{"experts used without experts", func(s *Spec) { s.NExpertUsed = 2 }, "without experts"},
		{"llama expert width", func(s *Spec) { s.NExpert, s.NExpertUsed, s.NFFExp = 4, 2, 256 }, "one FFN width"},
	} {
		t.Run(c.name, func(t *testing.T) {
			s := base
			c.edit(&s)
			err := Write(&bytes.Buffer{}, s)
			if err == nil || !strings.Contains(err.Error(), c.wants) {
				t.Errorf("got error %v, want one mentioning %q", err, c.wants)
			}
		})
	}
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteErrors(t *testing.T) {
	vocab := tinyVocab(t)
	if err := Write(failingWriter{}, smallSpec(Llama, vocab, dtype.F32)); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write to a failing writer: %v", err)
	}
	path := t.TempDir() + "/no/such/dir/model.gguf"
	if err := WriteFile(path, smallSpec(Llama, vocab, dtype.F32)); err == nil {
		t.Errorf("WriteFile into a missing folder succeeded")
	}
}

func TestWriteFileAndTensors(t *testing.T) {
	vocab := tinyVocab(t)
	spec := smallSpec(Phi3, vocab, dtype.Q8_0)
	path := t.TempDir() + "/phi3.gguf"
	if err := WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	infos, err := Tensors(spec)
	if err != nil {
		t.Fatal(err)
	}
	if len(infos) != len(f.Tensors) {
		t.Fatalf("Tensors lists %d, the file has %d", len(infos), len(f.Tensors))
	}
	for i, info := range infos {
		got := f.Tensors[i]
		if info.Name != got.Name || info.Type != got.Type || !slices.Equal(info.Shape, got.Shape) {
			t.Errorf("Tensors()[%d] = %v, file has %v", i, info.String(), got.String())
		}
	}
}

// TestRealVocabularies takes the tokenizer of each vocabulary the oracle
// tests use: the vocabulary size follows the token list, and every
// tokenizer.* entry arrives unchanged.
func TestRealVocabularies(t *testing.T) {
	dir := testdata.VocabDir(t)
	for _, c := range []struct {
		vocab, arch string
		nVocab      int64
	}{
		{"llama-spm", Llama, 32000},
		{"llama-bpe", Llama, 128256},
		{"qwen2", Qwen2, 151936},
		{"phi-3", Phi3, 32064},
	} {
		path := filepath.Join(dir, "ggml-vocab-"+c.vocab+".gguf")
		spec := smallSpec(c.arch, path, dtype.F32)
		infos, err := Tensors(spec)
		if err != nil {
			t.Fatal(err)
		}
		if got := infos[0].Shape; infos[0].Name != "token_embd.weight" || got[1] != c.nVocab {
			t.Errorf("%s: first tensor %v, want token_embd.weight with %d rows", c.vocab, infos[0].String(), c.nVocab)
		}
	}
	// One full write with a real vocabulary (the smallest).
	path := filepath.Join(dir, "ggml-vocab-llama-spm.gguf")
	src, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	f, _ := writeAndRead(t, smallSpec(Llama, path, dtype.Q4_0))
	for _, kv := range src.KVs {
		if strings.HasPrefix(kv.Key, "tokenizer.") {
			if got, _ := f.Value(kv.Key); !reflect.DeepEqual(got, kv.Value) {
				t.Errorf("%s differs from the vocabulary's", kv.Key)
			}
		}
	}
}
