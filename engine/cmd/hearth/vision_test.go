package main

import (
	"bytes"
	"image"
	"image/color"
	"image/png"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/multimodal"
	"github.com/hearth-ai/hearth/models/synth"
)

// visionPair writes a synthetic text model and mmproj of spec, over a
// vocabulary with SmolVLM's image tokens, and a w×h PNG; it returns the
// three paths.
func visionPair(t *testing.T, spec synth.MMProjSpec, w, h int) (textPath, mmprojPath, imagePath string) {
	t.Helper()
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocabASCII(vocab, synth.Idefics3Tokens(4)...); err != nil {
		t.Fatal(err)
	}
	textPath, mmprojPath, imagePath = filepath.Join(dir, "text.gguf"), filepath.Join(dir, "mmproj.gguf"), filepath.Join(dir, "image.png")
	if err := synth.WriteFile(textPath, synth.PairedTextSpec(spec, vocab)); err != nil {
		t.Fatal(err)
	}
	if err := synth.WriteMMProjFile(mmprojPath, spec); err != nil {
		t.Fatal(err)
	}
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	for y := range h {
		for x := range w {
			img.Set(x, y, color.NRGBA{uint8(4 * x), uint8(4 * y), 90, 255})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(imagePath, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return textPath, mmprojPath, imagePath
}

// chunkShape is a chunk's kind and size: "text:3", "image:16".
func chunkShape(chunks []multimodal.Chunk) []string {
	out := make([]string, len(chunks))
	for i, c := range chunks {
		kind := "text"
		if c.Embd != nil {
			kind = "image"
		}
		out[i] = kind + ":" + itoa(c.N)
	}
	return out
}

func itoa(n int) string {
	if n < 10 {
		return string(rune('0' + n))
	}
	return itoa(n/10) + string(rune('0'+n%10))
}

// A SmolVLM-style image becomes mtmd's chunks: text runs merged (BOS with
// the first tile's markup, the row separator "\n" with the next tile's),
// each tile and the overview an image chunk of TileTokens rows.
func TestIdefics3PromptChunks(t *testing.T) {
	spec := synth.MMProjSpec{Projector: synth.MMProjIdefics3, Seed: 5}
	textPath, mmprojPath, imagePath := visionPair(t, spec, 30, 60) // 32×64: one column, two rows
	mf := modelFlags{path: textPath, threads: 1}
	l, err := mf.load()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	vf := visionFlags{mmproj: mmprojPath, image: imagePath, maxPixels: 1 << 20, flash: true}
	chunks, err := vf.imageChunks(l, "hi")
	if err != nil {
		t.Fatal(err)
	}
	n := itoa(spec.TileTokens())
	want := []string{"text:3", "image:" + n, "text:3", "image:" + n, "text:3", "image:" + n, "text:3"}
	if got := chunkShape(chunks); !slices.Equal(got, want) {
		t.Fatalf("chunks %v, want %v", got, want)
	}
	texts := func(ids []int32) []string {
		var s []string
		for _, id := range ids {
			s = append(s, string(l.tok.PieceSpecial(id)))
		}
		return s
	}
	for i, w := range [][]string{
		{"<s>", "<fake_token_around_image>", "<row_1_col_1>"},
		{"\n", "<fake_token_around_image>", "<row_2_col_1>"},
		{"\n\n", "<fake_token_around_image>", "<global-img>"},
		{"<fake_token_around_image>", "h", "i"},
	} {
		if got := texts(chunks[2*i].IDs); !slices.Equal(got, w) {
			t.Errorf("text chunk %d is %q, want %q", i, got, w)
		}
	}
	if chunks[0].IDs[0] != l.tok.BOS() {
		t.Errorf("the prompt starts with %d, not BOS %d", chunks[0].IDs[0], l.tok.BOS())
	}
}

// The image goes where the prompt's marker is (first when there is none);
// two markers for one image are an error.
func TestImageAtMarker(t *testing.T) {
	spec := synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 6}
	textPath, mmprojPath, imagePath := visionPair(t, spec, 40, 20)
	mf := modelFlags{path: textPath, threads: 1}
	l, err := mf.load()
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	vf := visionFlags{mmproj: mmprojPath, image: imagePath, maxPixels: 1 << 20, flash: true}
	n := itoa(spec.TileTokens())
	for _, c := range []struct {
		prompt string
		want   []string
	}{
		{"ab<__media__>cde", []string{"text:3", "image:" + n, "text:3"}},
		{"abcd", []string{"text:1", "image:" + n, "text:4"}},
		{"abcd<__media__>", []string{"text:5", "image:" + n}},
	} {
		chunks, err := vf.imageChunks(l, c.prompt)
		if err != nil {
			t.Fatal(err)
		}
		if got := chunkShape(chunks); !slices.Equal(got, c.want) {
			t.Errorf("%q: chunks %v, want %v", c.prompt, got, c.want)
		}
	}
	if _, err := vf.imageChunks(l, "<__media__>a<__media__>"); err == nil || !strings.Contains(err.Error(), "2 image markers") {
		t.Errorf("two markers: %v", err)
	}
}

// The vision flags' usage errors exit with status 2 and nothing on stdout;
// a generation with an image prints ids, text and log-probabilities.
func TestGenerateWithImage(t *testing.T) {
	spec := synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 7}
	textPath, mmprojPath, imagePath := visionPair(t, spec, 32, 32)
	for _, args := range [][]string{
		{"--image", imagePath},
		{"--mmproj", mmprojPath, "--image", imagePath, "--tokens", "1,2"},
		{"--mmproj", mmprojPath, "--image", imagePath, "--prompt", "x", "--max-image-pixels", "0"},
		{"--mmproj", mmprojPath, "--image", imagePath, "--prompt", "x", "--kv-type", "q8"},
	} {
		out, errs, code := runCLI(append([]string{"generate", "-m", textPath}, args...)...)
		if code != exitUsage || out != "" || errs == "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	var res generateResult
	ok(t, &res, "generate", "-m", textPath, "--mmproj", mmprojPath, "--image", imagePath, "--prompt", "what?", "-n", "5", "--logprobs", "--threads", "1")
	if len(res.IDs) != 5 || len(res.Logprobs) != 5 || res.PromptTokens != 1+spec.TileTokens()+5 {
		t.Fatalf("result %+v", res)
	}
	for i, lp := range res.Logprobs {
		if !(lp <= 0) {
			t.Errorf("log-probability %d is %v", i, lp)
		}
	}
	// Greedy: every chosen token is the most likely, so its probability
	// is at least 1/vocabulary.
	if res.Logprobs[0] < -6 {
		t.Errorf("the greedy token has log-probability %v", res.Logprobs[0])
	}
}
