package synth

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
)

func writeMMProjAndRead(t *testing.T, spec MMProjSpec) (*gguf.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := WriteMMProj(&buf, spec); err != nil {
		t.Fatalf("WriteMMProj(%s): %v", spec.Projector, err)
	}
	f, err := gguf.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatalf("gguf.Read of the %s mmproj: %v", spec.Projector, err)
	}
	return f, buf.Bytes()
}

// expectedMMTensors spells out, from llama.cpp's clip loader, the tensors a
// file with the given encoder must hold (names and shapes, row length
// first), independently of mmPlan.
func expectedMMTensors(projector string, img, patch, d, ff, layers, out, hidden, scale int) map[string][]int64 {
	e, f, p := int64(d), int64(ff), int64(patch)
	n := int64(img/patch) * int64(img/patch)
	want := map[string][]int64{"v.patch_embd.weight": {p, p, 3, e}}
	if projector == MMProjMLP {
		want["v.class_embd"] = []int64{e}
		want["v.position_embd.weight"] = []int64{e, n + 1}
		want["v.pre_ln.weight"], want["v.pre_ln.bias"] = []int64{e}, []int64{e}
		want["mm.0.weight"], want["mm.0.bias"] = []int64{e, int64(hidden)}, []int64{int64(hidden)}
		want["mm.2.weight"], want["mm.2.bias"] = []int64{int64(hidden), int64(out)}, []int64{int64(out)}
	} else {
		want["v.patch_embd.bias"] = []int64{e}
		want["v.position_embd.weight"] = []int64{e, n}
		want["v.post_ln.weight"], want["v.post_ln.bias"] = []int64{e}, []int64{e}
		want["mm.model.fc.weight"] = []int64{e * int64(scale*scale), int64(out)}
	}
	for i := range layers {
		b := fmt.Sprintf("v.blk.%d.", i)
		for _, x := range []string{"attn_q", "attn_k", "attn_v", "attn_out"} {
			want[b+x+".weight"], want[b+x+".bias"] = []int64{e, e}, []int64{e}
		}
		for _, x := range []string{"ln1", "ln2"} {
			want[b+x+".weight"], want[b+x+".bias"] = []int64{e}, []int64{e}
		}
		want[b+"ffn_up.weight"], want[b+"ffn_up.bias"] = []int64{e, f}, []int64{f}
		want[b+"ffn_down.weight"], want[b+"ffn_down.bias"] = []int64{f, e}, []int64{e}
	}
	return want
}

func checkMMTensors(t *testing.T, f *gguf.File, want map[string][]int64) {
	t.Helper()
	if len(f.Tensors) != len(want) {
		var names []string
		for _, ti := range f.Tensors {
			names = append(names, ti.Name)
		}
		t.Errorf("%d tensors, want %d: %s", len(f.Tensors), len(want), strings.Join(names, " "))
	}
	for name, shape := range want {
		ti, ok := f.Tensor(name)
		if !ok {
			t.Errorf("missing tensor %s", name)
			continue
		}
		if !slices.Equal(ti.Shape, shape) {
			t.Errorf("%s: shape %v, want %v", name, ti.Shape, shape)
		}
	}
}

func checkKV(t *testing.T, f *gguf.File, key string, want any) {
	t.Helper()
	got, ok := f.Value(key)
	if !ok {
		t.Errorf("missing key %s", key)
		return
	}
	if fmt.Sprintf("%T %v", got, got) != fmt.Sprintf("%T %v", want, want) {
		t.Errorf("%s = %T %v, want %T %v", key, got, got, want, want)
	}
}

func TestMMProjMLPFile(t *testing.T) {
	spec := MMProjSpec{Projector: MMProjMLP, ImageSize: 48, PatchSize: 8, NEmbd: 32, NFF: 96, NLayer: 3, NHead: 2,
		ProjDim: 40, MLPHidden: 24, Seed: 3}
	f, _ := writeMMProjAndRead(t, spec)
	checkKV(t, f, "general.architecture", "clip")
	checkKV(t, f, "clip.projector_type", "mlp")
	checkKV(t, f, "clip.has_vision_encoder", true)
	checkKV(t, f, "clip.use_gelu", false) // CLIP's quick GELU
	checkKV(t, f, "clip.vision.image_size", uint32(48))
	checkKV(t, f, "clip.vision.patch_size", uint32(8))
	checkKV(t, f, "clip.vision.embedding_length", uint32(32))
	checkKV(t, f, "clip.vision.feed_forward_length", uint32(96))
	checkKV(t, f, "clip.vision.block_count", uint32(3))
	checkKV(t, f, "clip.vision.attention.head_count", uint32(2))
	checkKV(t, f, "clip.vision.projection_dim", uint32(40))
	checkKV(t, f, "clip.vision.attention.layer_norm_epsilon", float32(1e-5))
	checkKV(t, f, "clip.vision.image_mean", []float32{0.48145466, 0.4578275, 0.40821073})
	checkKV(t, f, "clip.vision.image_std", []float32{0.26862954, 0.26130258, 0.27577711})
	if _, ok := f.Value("clip.vision.projector.scale_factor"); ok {
		t.Error("an mlp file carries idefics3's scale factor")
	}
	checkMMTensors(t, f, expectedMMTensors(MMProjMLP, 48, 8, 32, 96, 3, 40, 24, 0))
}

func TestMMProjIdefics3File(t *testing.T) {
	spec := MMProjSpec{Projector: MMProjIdefics3, ImageSize: 64, PatchSize: 8, NEmbd: 48, NFF: 80, NLayer: 2, NHead: 3,
		ProjDim: 56, ScaleFactor: 4, LongestEdge: 192, Activation: ActQuickGELU, Seed: 3}
	f, _ := writeMMProjAndRead(t, spec)
	checkKV(t, f, "general.architecture", "clip")
	checkKV(t, f, "clip.projector_type", "idefics3")
	checkKV(t, f, "clip.use_gelu", false) // asked for quick GELU
	checkKV(t, f, "clip.vision.projector.scale_factor", uint32(4))
	checkKV(t, f, "clip.vision.preproc_image_size", uint32(192))
	checkKV(t, f, "clip.vision.attention.layer_norm_epsilon", float32(1e-6))
	checkKV(t, f, "clip.vision.image_mean", []float32{0.5, 0.5, 0.5})
	checkMMTensors(t, f, expectedMMTensors(MMProjIdefics3, 64, 8, 48, 80, 2, 56, 0, 4))
	if got := spec.TileTokens(); got != 4 { // (64/8/4)²
		t.Errorf("TileTokens = %d, want 4", got)
	}
}

// TestMMProjDefaults: the zero spec of each projector is a complete file,
// with the activation each encoder family uses.
func TestMMProjDefaults(t *testing.T) {
	for _, c := range []struct {
		proj string
		gelu bool
	}{{MMProjMLP, false}, {MMProjIdefics3, true}} {
		f, _ := writeMMProjAndRead(t, MMProjSpec{Projector: c.proj})
		checkKV(t, f, "clip.use_gelu", c.gelu)
		checkKV(t, f, "clip.vision.projection_dim", uint32(64))
		if c.proj == MMProjIdefics3 {
			checkKV(t, f, "clip.vision.preproc_image_size", uint32(64))
		}
	}
}

// TestMMProjWllamaDetection: wllama tells the mmproj blob from the text
// model's by finding general.architecture = "clip" (a 4-byte string)
// within the first 128 KiB, the length 24 bytes after the key starts.
func TestMMProjWllamaDetection(t *testing.T) {
	_, raw := writeMMProjAndRead(t, smolVLMShapeSmall())
	head := raw[:min(len(raw), 128<<10)]
	i := bytes.Index(head, []byte("general.architecture"))
	if i < 0 || i+36 > len(head) {
		t.Fatalf("general.architecture not in the first 128 KiB")
	}
	if n := binary.LittleEndian.Uint64(head[i+24:]); n != 4 || string(head[i+32:i+36]) != "clip" {
		t.Errorf("after the key: length %d, value %q; want 4, \"clip\"", n, head[i+32:i+36])
	}
}

// smolVLMShapeSmall is SmolVLM-256M's file kind at a test's size.
func smolVLMShapeSmall() MMProjSpec {
	s := SmolVLM256MMMProj()
	s.ImageSize, s.NEmbd, s.NFF, s.NLayer, s.NHead, s.ProjDim, s.LongestEdge = 64, 64, 128, 1, 2, 64, 128
	return s
}

func TestMMProjDeterministicAndSeeded(t *testing.T) {
	spec := MMProjSpec{Projector: MMProjIdefics3, Seed: 5}
	_, a := writeMMProjAndRead(t, spec)
	_, b := writeMMProjAndRead(t, spec)
	if !bytes.Equal(a, b) {
		t.Fatal("the same spec wrote different bytes")
	}
	spec.Seed = 6
	_, c := writeMMProjAndRead(t, spec)
	if bytes.Equal(a, c) {
		t.Fatal("a different seed wrote the same bytes")
	}
}

// TestMMProjWeightScales: matrices keep their input's magnitude (std
// 1/sqrt(fan_in)), norm weights sit near 1, biases are small.
func TestMMProjWeightScales(t *testing.T) {
	spec := MMProjSpec{Projector: MMProjMLP, NEmbd: 128, NFF: 256, ProjDim: 96, Type: dtype.Q8_0, Seed: 9}
	f, _ := writeMMProjAndRead(t, spec)
	for _, c := range []struct {
		name      string
		mean, std float64
	}{
		{"v.patch_embd.weight", 0, 1 / math.Sqrt(3*8*8)},
		{"v.blk.0.attn_q.weight", 0, 1 / math.Sqrt(128)},
		{"v.blk.1.ffn_down.weight", 0, 1 / math.Sqrt(256)},
		{"mm.2.weight", 0, 1 / math.Sqrt(96)},
		{"v.blk.0.ln1.weight", 1, normJitter},
		{"v.position_embd.weight", 0, mmPosStd},
	} {
		v := values(t, f, c.name)
		mean, std := meanStd(v)
		// Four standard errors of each estimate (plus Q8_0's rounding).
		n := float64(len(v))
		if math.Abs(mean-c.mean) > 4*c.std/math.Sqrt(n)+1e-3 || math.Abs(std-c.std) > 4*c.std/math.Sqrt(2*n)+0.01*c.std {
			t.Errorf("%s: mean %.4f std %.4f, want about %.4f and %.4f", c.name, mean, std, c.mean, c.std)
		}
	}
	for _, ti := range f.Tensors {
		want := dtype.F32
		if len(ti.Shape) == 2 && ti.Name != "v.position_embd.weight" {
			want = dtype.Q8_0
		}
		if ti.Type != want {
			t.Errorf("%s is %v, want %v", ti.Name, ti.Type, want)
		}
	}
}

func TestMMProjBadSpecs(t *testing.T) {
	for _, c := range []struct {
		spec MMProjSpec
		want string
	}{
		{MMProjSpec{Projector: "ldp"}, "unknown projector"},
		{MMProjSpec{Projector: MMProjMLP, ImageSize: 30}, "not a multiple of PatchSize"},
		{MMProjSpec{Projector: MMProjMLP, NHead: 3}, "does not divide"},
		{MMProjSpec{Projector: MMProjMLP, NFF: 64}, "swapped"},
		{MMProjSpec{Projector: MMProjMLP, NLayer: 1}, "at least 2"},
		{MMProjSpec{Projector: MMProjMLP, ScaleFactor: 2}, "for idefics3"},
		{MMProjSpec{Projector: MMProjIdefics3, MLPHidden: 8}, "for mlp"},
		{MMProjSpec{Projector: MMProjIdefics3, ScaleFactor: 3}, "not a multiple of ScaleFactor"},
		{MMProjSpec{Projector: MMProjIdefics3, LongestEdge: 16}, "below ImageSize"},
		{MMProjSpec{Projector: MMProjMLP, NEmbd: -4}, "NEmbd must be positive"},
		{MMProjSpec{Projector: MMProjMLP, ImageStd: [3]float32{1, 0, 1}}, "ImageStd[1]"},
		{MMProjSpec{Projector: MMProjMLP, Activation: 9}, "Activation"},
		{MMProjSpec{Projector: MMProjMLP, NEmbd: 48, NFF: 80, Type: dtype.Q4_K}, "do not fit"},
		{MMProjSpec{Projector: MMProjMLP, ImageSize: 16384, PatchSize: 16}, "limit of 8192"},
	} {
		var buf bytes.Buffer
		err := WriteMMProj(&buf, c.spec)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want one mentioning %q", c.spec, err, c.want)
		}
		if buf.Len() != 0 {
			t.Errorf("%+v: %d bytes written despite the error", c.spec, buf.Len())
		}
	}
}

// TestSmolVLM256MShape checks the full-size helper's shape without drawing
// its weights.
func TestSmolVLM256MShape(t *testing.T) {
	spec := SmolVLM256MMMProj()
	ts, err := MMProjTensors(spec)
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]gguf.TensorInfo{}
	for _, ti := range ts {
		byName[ti.Name] = ti
	}
	for name, shape := range map[string][]int64{
		"v.patch_embd.weight":    {16, 16, 3, 768},
		"v.position_embd.weight": {768, 1024},
		"v.blk.11.ffn_up.weight": {768, 3072},
		"mm.model.fc.weight":     {768 * 16, 576},
	} {
		if ti, ok := byName[name]; !ok || !slices.Equal(ti.Shape, shape) {
			t.Errorf("%s: %v (present %v), want %v", name, ti.Shape, ok, shape)
		}
	}
	if _, ok := byName["v.blk.12.ln1.weight"]; ok {
		t.Error("a 13th block")
	}
	if got := spec.TileTokens(); got != 64 {
		t.Errorf("tokens per 512-px tile: %d, want 64", got)
	}
	if text := SmolVLM256MText("v.gguf"); text.NEmbd != spec.ProjDim {
		t.Errorf("text width %d, projector output %d", text.NEmbd, spec.ProjDim)
	}
}

// TestPairedTextModel writes a text model over a vocabulary with SmolVLM's
// image tokens added, paired with an idefics3 file.
func TestPairedTextModel(t *testing.T) {
	dir := t.TempDir()
	base := filepath.Join(dir, "base.gguf")
	if err := WriteTinyVocab(base); err != nil {
		t.Fatal(err)
	}
	voc := filepath.Join(dir, "vocab.gguf")
	extra := append(Idefics3Tokens(2), "<s>") // "<s>" is there already
	if err := WriteVocabWithTokens(voc, base, extra...); err != nil {
		t.Fatal(err)
	}
	vf, err := gguf.Open(voc)
	if err != nil {
		t.Fatal(err)
	}
	defer vf.Close()
	m := vf.Meta()
	tokens, types, scores := m.Strings("tokenizer.ggml.tokens", false), m.Int32s("tokenizer.ggml.token_type", false), m.Float32s("tokenizer.ggml.scores", false)
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	const added = 4 + 4
	if len(tokens) != 320+added || len(types) != len(tokens) || len(scores) != len(tokens) {
		t.Fatalf("%d tokens, %d types, %d scores; want %d each", len(tokens), len(types), len(scores), 320+added)
	}
	if tokens[320] != "\n" || tokens[322] != "<fake_token_around_image>" || tokens[len(tokens)-1] != "<row_2_col_2>" || types[321] != 4 {
		t.Errorf("added tokens: %q, types %v", tokens[320:], types[320:])
	}

	mm := MMProjSpec{Projector: MMProjIdefics3, ProjDim: 48}
	text := PairedTextSpec(mm, voc)
	f, _ := writeAndReadText(t, text)
	emb, ok := f.Tensor("token_embd.weight")
	if !ok || !slices.Equal(emb.Shape, []int64{48, 320 + added}) {
		t.Errorf("token_embd.weight %v, want [48 %d]", emb.Shape, 320+added)
	}

	if err := WriteVocabWithTokens(filepath.Join(dir, "x.gguf"), base, ""); err == nil {
		t.Error("an empty token was accepted")
	}
	if err := WriteVocabWithTokens(filepath.Join(dir, "y.gguf"), filepath.Join(dir, "missing.gguf"), "a"); err == nil {
		t.Error("a missing vocabulary was accepted")
	}
}

func writeAndReadText(t *testing.T, spec Spec) (*gguf.File, []byte) {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, spec); err != nil {
		t.Fatalf("Write: %v", err)
	}
	f, err := gguf.Read(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	return f, buf.Bytes()
}

// TestTinyVocabASCII: only ASCII bytes are byte tokens, "▁" is a token,
// added tokens come last, and the text after an image gets no space prefix.
func TestTinyVocabASCII(t *testing.T) {
	path := filepath.Join(t.TempDir(), "v.gguf")
	if err := WriteTinyVocabASCII(path, "<global-img>", "<s>"); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	m := f.Meta()
	tokens, types := m.Strings("tokenizer.ggml.tokens", false), m.Int32s("tokenizer.ggml.token_type", false)
	prefix := m.Bool("tokenizer.ggml.add_space_prefix", true)
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	if len(tokens) != 321 || tokens[320] != "<global-img>" || types[320] != 4 {
		t.Fatalf("%d tokens, last %q type %d; want 321, <global-img>, 4", len(tokens), tokens[len(tokens)-1], types[len(types)-1])
	}
	if tokens[3+0x7f] != "<0x7F>" || types[3+0x7f] != 6 || tokens[131] != "▁" || types[132] != 1 {
		t.Errorf("ids 130–132: %q %q %q, types %v", tokens[130], tokens[131], tokens[132], types[130:133])
	}
	for i, tok := range tokens {
		if types[i] == 6 && tok >= "<0x80>" {
			t.Errorf("id %d is the high byte token %s", i, tok)
		}
	}
	if prefix {
		t.Error("add_space_prefix is not false")
	}
	if err := WriteTinyVocabASCII(filepath.Join(t.TempDir(), "x.gguf"), ""); err == nil {
		t.Error("an empty token was accepted")
	}
}
