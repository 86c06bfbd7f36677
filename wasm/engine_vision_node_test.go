//go:build !js

package wasm_test

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"image"
	"image/color"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
	"github.com/hearth-ai/hearth/tests/vision"
)

// nodeVisionError is a refused call as node_vision.mjs reports it.
type nodeVisionError struct {
	Message     string `json:"message"`
	Reason      string `json:"reason"`
	MMProj      bool   `json:"mmproj"`
	ModelLoaded *bool  `json:"modelLoaded"`
}

// nodeVisionResult is what testdata/node_vision.mjs prints.
type nodeVisionResult struct {
	NoVision       *nodeVisionError `json:"noVision"`
	TooLarge       *nodeVisionError `json:"tooLarge"`
	BadPair        *nodeVisionError `json:"badPair"`
	TextStillWorks bool             `json:"textStillWorks"`
	Info           struct {
		NeedBytes int64 `json:"needBytes"`
		Vision    *struct {
			Projector      string `json:"projector"`
			ImageSize      int    `json:"imageSize"`
			TokensPerImage int    `json:"tokensPerImage"`
			WeightBytes    int64  `json:"weightBytes"`
			Tiles          bool   `json:"tiles"`
		} `json:"vision"`
	} `json:"info"`
	Chat struct {
		Prompt       string `json:"prompt"`
		PromptTokens int    `json:"promptTokens"`
		Images       int    `json:"images"`
	} `json:"chat"`
	Errors   map[string]*nodeVisionError `json:"errors"`
	Prepared struct {
		PromptTokens int `json:"promptTokens"`
		Inputs       int `json:"inputs"`
	} `json:"prepared"`
	Steps []struct {
		Image, Tile, Tiles int
		Done               bool
	} `json:"steps"`
	PromptTokens int     `json:"promptTokens"`
	IDs          []int32 `json:"ids"`
	Text         string  `json:"text"`
}

// A vision pair through the real engine.wasm under Node (runtime.js's
// glue): loaded as a pair, a conversation with a PNG rendered by the
// model's chat template, its image encoded input by input and the answer
// generated greedily — the ids and the prompt's length must be those of
// `hearth generate --mmproj --image` on the prompt the engine rendered,
// for both projectors (idefics3's image cut into two tiles plus the
// overview). chat counts the image's positions before any encoding; a
// corrupt PNG, a text file and a PNG whose header claims 20000×20000
// pixels are refused with their reasons; a text-only model refuses an
// image (no-vision); an mmproj that is not one is refused, naming it,
// and the model loaded before stays; so does the pair when a memory limit
// that the text model alone fits is too small for it with its encoder
// (whose weights and working memory count), and the pair then answers.
func TestVisionPairUnderNode(t *testing.T) {
	node, cli, dir := nodeAndCLI(t)
	assets := engineAssets(t)
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "image.png")
	writeTestPNG(t, img, 60, 30)
	corrupt := filepath.Join(dir, "corrupt.png")
	good, _ := os.ReadFile(img)
	bad := slices.Clone(good)
	for i := 60; i < len(bad)-20; i += 7 {
		bad[i] ^= 0x5a
	}
	os.WriteFile(corrupt, bad, 0o644)
	notImage := filepath.Join(dir, "notes.png")
	os.WriteFile(notImage, []byte("these are my notes, not a picture\n"), 0o644)
	huge := filepath.Join(dir, "huge.png")
	os.WriteFile(huge, hugePNGHeader(20000, 20000), 0o644)

	const n = 12
	for _, spec := range []synth.MMProjSpec{
		{Projector: synth.MMProjMLP, Seed: 21},
		{Projector: synth.MMProjIdefics3, Seed: 22},
	} {
		t.Run(spec.Projector, func(t *testing.T) {
			pair, err := vision.WritePair(t.TempDir(), spec)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(node, filepath.Join("testdata", "node_vision.mjs"), assets, filepath.Join(root, "web", "engine", "runtime.js"),
				pair.Model, pair.MMProj, img, strconv.Itoa(n), "what is this?", corrupt, notImage, huge)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, out)
			}
			var got nodeVisionResult
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("node printed %q: %v", out, err)
			}
			v := got.Info.Vision
			if v == nil || v.Projector != spec.Projector || v.TokensPerImage != spec.TileTokens() || v.WeightBytes <= 0 || v.Tiles != (spec.Projector == synth.MMProjIdefics3) {
				t.Fatalf("the pair's load reported vision %+v", v)
			}
			stdout, err := exec.Command(cli, "generate", "-m", pair.Model, "--mmproj", pair.MMProj, "--image", img,
				"--prompt", got.Chat.Prompt, "-n", strconv.Itoa(n), "--temp", "0", "--ctx", "256", "--threads", "1").Output()
			if err != nil {
				t.Fatalf("hearth generate: %v", err)
			}
			var want cliResult
			if err := json.Unmarshal(stdout, &want); err != nil {
				t.Fatalf("hearth generate printed %q: %v", stdout, err)
			}
			t.Logf("prompt %q: %d positions; %d inputs encoded; ids %v", got.Chat.Prompt, got.PromptTokens, len(got.Steps), got.IDs)
			switch {
			case !strings.Contains(got.Chat.Prompt, "<__media__>") || got.Chat.Images != 1:
				t.Fatalf("chat rendered %q with %d images", got.Chat.Prompt, got.Chat.Images)
			case got.Chat.PromptTokens != want.PromptTokens || got.Prepared.PromptTokens != want.PromptTokens || got.PromptTokens != want.PromptTokens:
				t.Fatalf("chat counts %d positions, prepare %d, the generation %d; hearth generate %d",
					got.Chat.PromptTokens, got.Prepared.PromptTokens, got.PromptTokens, want.PromptTokens)
			case len(got.Steps) != got.Prepared.Inputs || !got.Steps[len(got.Steps)-1].Done:
				t.Fatalf("prepare said %d inputs; encodeNext ran %+v", got.Prepared.Inputs, got.Steps)
			case spec.Projector == synth.MMProjIdefics3 && (got.Prepared.Inputs != 3 || got.Steps[0].Tiles != 3 || got.Steps[2].Tile != 3):
				t.Fatalf("a 60×30 image for idefics3: %d inputs, steps %+v; want two tiles and the overview", got.Prepared.Inputs, got.Steps)
			case !slices.Equal(got.IDs, want.IDs):
				t.Fatalf("the browser engine generated %v, hearth generate %v", got.IDs, want.IDs)
			case got.Text != want.Text:
				t.Fatalf("text %q, hearth generate %q", got.Text, want.Text)
			}
			refusals := map[string]string{
				"corrupt": "image-corrupt", "corruptPrepare": "image-corrupt",
				"notImage": "not-image", "notImagePrepare": "not-image",
				"huge": "image-too-large", "hugePrepare": "image-too-large",
			}
			for name, reason := range refusals {
				e := got.Errors[name]
				if e == nil || e.Reason != reason || !strings.HasPrefix(e.Message, "image 1: ") {
					t.Errorf("%s: error %+v, want reason %s and a message naming image 1", name, e, reason)
				}
			}
			if e := got.Errors["huge"]; e != nil && !strings.Contains(e.Message, "20000x20000") {
				t.Errorf("the huge image's message %q does not give its size", e.Message)
			}
			if e := got.TooLarge; e == nil || e.Reason != "too-large" || !e.MMProj || !strings.Contains(e.Message, "image encoder") ||
				!strings.Contains(e.Message, "the test limit") || e.ModelLoaded == nil || !*e.ModelLoaded {
				t.Errorf("the pair over a limit the text model alone fits: %+v", e)
			}
			if e := got.NoVision; e == nil || e.Reason != "no-vision" || !strings.Contains(e.Message, "mmproj") {
				t.Errorf("a text-only model given an image: %+v", e)
			}
			if e := got.BadPair; e == nil || !e.MMProj || e.Reason != "unsupported" || !strings.Contains(e.Message, "image encoder") ||
				e.ModelLoaded == nil || !*e.ModelLoaded || !got.TextStillWorks {
				t.Errorf("a text model as the mmproj: %+v (the text model still works: %v)", e, got.TextStillWorks)
			}
		})
	}
}

// writeTestPNG writes a w×h gradient PNG.
func writeTestPNG(t *testing.T, path string, w, h int) {
	t.Helper()
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
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// hugePNGHeader is the start of a PNG whose header claims w×h pixels:
// the signature and a valid IHDR chunk (8-bit RGB), then nothing.
func hugePNGHeader(w, h uint32) []byte {
	ihdr := make([]byte, 13)
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	chunk := append([]byte("IHDR"), ihdr...)
	b.Write(chunk)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(chunk))
	return b.Bytes()
}
