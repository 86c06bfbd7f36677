//go:build !js

package vision

import (
	"bytes"
	"image"
	"image/color"
	"image/jpeg"
	"image/png"
	"math"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/models/synth"
)

// writePair writes the pair of spec into a temporary directory.
func writePair(t *testing.T, spec synth.MMProjSpec) (model, mmproj string) {
	t.Helper()
	p, err := WritePair(t.TempDir(), spec)
	if err != nil {
		t.Fatal(err)
	}
	return p.Model, p.MMProj
}

// testPNG draws a w×h picture: colour gradients with a bright disc, or its
// negative, so two images differ everywhere.
func testPNG(t *testing.T, w, h int, negative bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := png.Encode(&buf, testImage(w, h, negative)); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// testJPEG is testPNG's picture as a JPEG.
func testJPEG(t *testing.T, w, h int, negative bool) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := jpeg.Encode(&buf, testImage(w, h, negative), &jpeg.Options{Quality: 90}); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func testImage(w, h int, negative bool) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			r, g, b := uint8(255*x/w), uint8(255*y/h), uint8(255*(x+y)/(w+h))
			dx, dy := float64(x-w/3), float64(y-h/2)
			if math.Hypot(dx, dy) < float64(min(w, h))/4 {
				r, g, b = 250, 240, 60
			}
			if negative {
				r, g, b = 255-r, 255-g, 255-b
			}
			img.Set(x, y, color.NRGBA{r, g, b, 255})
		}
	}
	return img
}

// healthy fails unless the continuation looks like a working model's:
// finite, non-positive log-probabilities (Run checks finiteness) and more
// than one distinct token.
func healthy(t *testing.T, what string, r *Result) {
	t.Helper()
	distinct := map[int]bool{}
	for _, tok := range r.Tokens {
		distinct[tok.ID] = true
		if tok.Logprob > 1e-6 {
			t.Errorf("%s: token %d has log-probability %v > 0", what, tok.ID, tok.Logprob)
		}
	}
	if len(distinct) < 2 {
		t.Errorf("%s: the continuation repeats one token: %v", what, r.IDs())
	}
}

func logprobsDiffer(a, b *Result) bool {
	if !slices.Equal(a.IDs(), b.IDs()) {
		return true
	}
	for i := range a.Tokens {
		if math.Abs(a.Tokens[i].Logprob-b.Tokens[i].Logprob) > 1e-4 {
			return true
		}
	}
	return false
}

// TestOracleLLaVA runs a synthetic LLaVA-style pair (CLIP encoder, mlp
// projector) on a PNG of another size and aspect than the encoder's: the
// same request twice gives the same tokens and log-probabilities, the
// continuation is healthy, and a different image changes the answer (so
// the image reached the text model).
func TestOracleLLaVA(t *testing.T) {
	spec := synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 11}
	model, mmproj := writePair(t, spec)
	o := Start(t)
	req := Request{Model: model, MMProj: mmproj, Image: testPNG(t, 48, 36, false), Text: "what is this?"}
	first, err := o.Run(req)
	if err != nil {
		t.Fatal(err)
	}
	if !first.HasImageInput {
		t.Error("wllama reports no image input for the pair")
	}
	healthy(t, "llava", first)
	// BOS, one position per patch, then the text: one token per character
	// (the vocabulary has only byte tokens and "▁", and no space prefix).
	if want := 1 + spec.TileTokens() + len(req.Text); first.PromptTokens != want {
		t.Errorf("prompt of %d tokens, want BOS + %d image positions + %d text tokens = %d",
			first.PromptTokens, spec.TileTokens(), len(req.Text), want)
	}
	t.Logf("llava: prompt %d tokens, ids %v, libllama %q", first.PromptTokens, first.IDs(), first.Libllama)

	second, err := o.Run(req)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first.IDs(), second.IDs()) {
		t.Fatalf("the same request gave %v, then %v", first.IDs(), second.IDs())
	}
	for i := range first.Tokens {
		if first.Tokens[i].Logprob != second.Tokens[i].Logprob {
			t.Errorf("token %d: log-probability %v, then %v", i, first.Tokens[i].Logprob, second.Tokens[i].Logprob)
		}
	}

	req.Image = testPNG(t, 48, 36, true)
	other, err := o.Run(req)
	if err != nil {
		t.Fatal(err)
	}
	healthy(t, "llava, negative image", other)
	if !logprobsDiffer(first, other) {
		t.Errorf("a different image gave the same answer %v: the image did not reach the model", other.IDs())
	}
}

// TestOracleIdefics3 runs a synthetic SmolVLM-style pair (SigLIP encoder,
// pixel shuffle, linear projector) on a PNG that the preprocessor cuts into
// 2×1 tiles plus the overview, then on a JPEG of the negative picture.
func TestOracleIdefics3(t *testing.T) {
	spec := synth.MMProjSpec{Projector: synth.MMProjIdefics3, Seed: 12}
	model, mmproj := writePair(t, spec)
	o := Start(t)
	req := Request{Model: model, MMProj: mmproj, Image: testPNG(t, 60, 30, false), Text: "what is this?"}
	first, err := o.Run(req)
	if err != nil {
		t.Fatalf("wllama %s did not run the idefics3 pair: %v", WllamaVersion, err)
	}
	if !first.HasImageInput {
		t.Error("wllama reports no image input for the pair")
	}
	healthy(t, "idefics3", first)
	// The 60×30 picture becomes 64×32, two 32-px tiles in one row, each
	// after "<fake_token_around_image><row_1_col_C>" (2 tokens); then
	// "\n\n<fake_token_around_image><global-img>" (3), the overview and
	// "<fake_token_around_image>" (1); BOS first, the text last.
	if want := 1 + 2*(2+spec.TileTokens()) + 3 + spec.TileTokens() + 1 + len(req.Text); first.PromptTokens != want {
		t.Errorf("prompt of %d tokens, want %d (BOS, 2 tiles and the overview of %d positions with their markup, %d text tokens)",
			first.PromptTokens, want, spec.TileTokens(), len(req.Text))
	}
	t.Logf("idefics3: prompt %d tokens, ids %v", first.PromptTokens, first.IDs())

	second, err := o.Run(req)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(first.IDs(), second.IDs()) {
		t.Fatalf("the same request gave %v, then %v", first.IDs(), second.IDs())
	}
	req.Image = testJPEG(t, 60, 30, true)
	other, err := o.Run(req)
	if err != nil {
		t.Fatal(err)
	}
	healthy(t, "idefics3, negative JPEG", other)
	if !logprobsDiffer(first, other) {
		t.Errorf("a different image gave the same answer %v: the image did not reach the model", other.IDs())
	}
}
