package vision_test

import (
	"math"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/vision"
	"github.com/hearth-ai/hearth/models/synth"
)

// Load reads the hyperparameters the file states.
func TestLoadParams(t *testing.T) {
	spec := synth.MMProjSpec{Projector: synth.MMProjIdefics3, ImageSize: 48, PatchSize: 8, NEmbd: 32, NFF: 80,
		NLayer: 3, NHead: 2, ScaleFactor: 3, ProjDim: 24, LongestEdge: 96, Type: dtype.F16, Seed: 3}
	b := compute.NewReference(1)
	defer b.Close()
	e, err := vision.Load(mmprojFile(t, spec), b)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Close()
	p := e.Params
	if p.Projector != vision.ProjectorIdefics3 || p.ImageSize != 48 || p.PatchSize != 8 || p.NEmbd != 32 ||
		p.NFF != 80 || p.NLayer != 3 || p.NHead != 2 || p.ScaleFactor != 3 || p.PreprocImageSize != 96 ||
		!p.GELU || p.Eps != 1e-6 || p.ImageMean != [3]float32{0.5, 0.5, 0.5} || p.ImageStd != [3]float32{0.5, 0.5, 0.5} {
		t.Fatalf("Params = %+v", p)
	}
	if e.Tokens() != 4 || e.TextEmbd() != 24 || e.InputSize() != 3*48*48 {
		t.Fatalf("Tokens %d, TextEmbd %d, InputSize %d; want 4, 24, %d", e.Tokens(), e.TextEmbd(), e.InputSize(), 3*48*48)
	}
	if !e.FlashAttention {
		t.Fatal("Load leaves flash attention off; llama.cpp's clip code uses it on a CPU")
	}
	mlp, err := vision.Load(mmprojFile(t, synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 1}), b)
	if err != nil {
		t.Fatal(err)
	}
	if mlp.Params.GELU || mlp.Params.ScaleFactor != 1 || mlp.Tokens() != 16 || mlp.Params.Eps != 1e-5 {
		t.Fatalf("mlp: GELU %v, scale %d, %d tokens, eps %g; want quick GELU, 1, 16, 1e-5", mlp.Params.GELU, mlp.Params.ScaleFactor, mlp.Tokens(), mlp.Params.Eps)
	}
}

// Bad files get errors that name the problem.
func TestLoadErrors(t *testing.T) {
	mlp := mmprojFile(t, synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 1})
	ide := mmprojFile(t, synth.MMProjSpec{Projector: synth.MMProjIdefics3, Seed: 2})
	cases := []struct {
		name string
		file func() *gguf.File
		want string
	}{
		{"missing block tensor", func() *gguf.File { return rewrite(t, mlp, "v.blk.1.attn_k.weight", nil) }, `"v.blk.1.attn_k.weight"`},
		{"missing class embedding", func() *gguf.File { return rewrite(t, mlp, "v.class_embd", nil) }, `"v.class_embd"`},
		{"missing projector", func() *gguf.File { return rewrite(t, ide, "mm.model.fc.weight", nil) }, `"mm.model.fc.weight"`},
		{"missing mm.2", func() *gguf.File { return rewrite(t, mlp, "mm.2.bias", nil) }, `"mm.2.bias"`},
		{"unsupported projector", func() *gguf.File {
			return rewrite(t, mlp, "", map[string]any{"clip.projector_type": "qwen2vl_merger"})
		}, `projector type "qwen2vl_merger" is not supported`},
		{"not an mmproj", func() *gguf.File {
			return rewrite(t, mlp, "", map[string]any{"general.architecture": "llama"})
		}, `general.architecture is "llama"`},
		{"missing image size", func() *gguf.File {
			return rewrite(t, mlp, "", map[string]any{"clip.vision.image_size": uint32(0)})
		}, "image_size must be positive"},
		{"image size not whole patches", func() *gguf.File {
			return rewrite(t, mlp, "", map[string]any{"clip.vision.image_size": uint32(36)})
		}, "not a whole number of 8-pixel patches"},
		{"wrong position table", func() *gguf.File {
			return rewrite(t, mlp, "", map[string]any{"clip.vision.image_size": uint32(40)})
		}, `"v.position_embd.weight" has shape`},
		{"heads", func() *gguf.File {
			return rewrite(t, mlp, "", map[string]any{"clip.vision.attention.head_count": uint32(5)})
		}, "does not divide into 5 heads"},
		{"scale factor", func() *gguf.File {
			return rewrite(t, ide, "", map[string]any{"clip.vision.projector.scale_factor": uint32(3)})
		}, "not a multiple of the scale factor 3"},
		{"silu", func() *gguf.File {
			return rewrite(t, mlp, "", map[string]any{"clip.use_silu": true})
		}, "clip.use_silu"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			b := compute.NewReference(1)
			defer b.Close()
			e, err := vision.Load(c.file(), b)
			if err == nil {
				e.Close()
				t.Fatalf("Load succeeded; want an error mentioning %s", c.want)
			}
			t.Log(err)
			if !strings.Contains(err.Error(), c.want) {
				t.Fatalf("Load: %v\nwant an error mentioning %s", err, c.want)
			}
		})
	}
}

// Encode refuses input of the wrong size or with non-finite values.
func TestEncodeBadInput(t *testing.T) {
	b := compute.NewReference(1)
	defer b.Close()
	e, err := vision.Load(mmprojFile(t, synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 1}), b)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Encode(make([]float32, 10)); err == nil || !strings.Contains(err.Error(), "takes 3072 floats") {
		t.Fatalf("Encode of 10 floats: %v", err)
	}
	img := make([]float32, e.InputSize())
	img[5] = float32(math.NaN())
	if _, err := e.Encode(img); err == nil || !strings.Contains(err.Error(), "pixel value 5 is NaN") {
		t.Fatalf("Encode with a NaN: %v", err)
	}
	img[5] = 0
	if _, err := e.Encode(img); err != nil {
		t.Fatalf("Encode of a blank image: %v", err)
	}
}
