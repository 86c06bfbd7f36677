//go:build !js

package vision

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"hash/crc32"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/engine/chat"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// The hearth CLI, built once per test binary into a temporary folder.
var (
	cliOnce sync.Once
	cliPath string
	cliErr  error
)

func hearthCLI(t testing.TB) string {
	t.Helper()
	cliOnce.Do(func() {
		root, err := testdata.RepoRoot()
		if err != nil {
			cliErr = err
			return
		}
		dir, err := os.MkdirTemp("", "hearth-vision-cli-")
		if err != nil {
			cliErr = err
			return
		}
		cliPath = filepath.Join(dir, "hearth")
		goTool := filepath.Join(runtime.GOROOT(), "bin", "go")
		if _, err := os.Stat(goTool); err != nil {
			goTool = "go"
		}
		cmd := exec.Command(goTool, "build", "-o", cliPath, "./engine/cmd/hearth")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			cliErr = fmt.Errorf("building the hearth CLI: %v\n%s", err, out)
		}
	})
	if cliErr != nil {
		t.Fatal(cliErr)
	}
	return cliPath
}

// hearthAnswer is what `hearth generate --logprobs` prints.
type hearthAnswer struct {
	IDs          []int     `json:"ids"`
	Text         string    `json:"text"`
	PromptTokens int       `json:"prompt_tokens"`
	Logprobs     []float64 `json:"logprobs"`
}

// runHearth runs the CLI and returns its stdout, stderr and exit error.
func runHearth(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, hearthCLI(t), args...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err = cmd.Run()
	return out.String(), errb.String(), err
}

// hearthGenerate asks the CLI for the greedy continuation the oracle
// request describes (the image's bytes written to a file in dir).
func hearthGenerate(t *testing.T, dir string, req Request, extra ...string) *hearthAnswer {
	t.Helper()
	img := filepath.Join(dir, "image")
	if err := os.WriteFile(img, req.Image, 0o644); err != nil {
		t.Fatal(err)
	}
	args := append([]string{"generate", "-m", req.Model, "--mmproj", req.MMProj, "--image", img,
		"--prompt", req.Text, "-n", strconv.Itoa(req.N), "--temp", "0", "--threads", "1", "--logprobs"}, extra...)
	stdout, stderr, err := runHearth(t, args...)
	if err != nil {
		t.Fatalf("hearth generate: %v\n%s", err, stderr)
	}
	var a hearthAnswer
	if err := json.Unmarshal([]byte(stdout), &a); err != nil {
		t.Fatalf("hearth generate printed %q: %v", stdout, err)
	}
	return &a
}

// compareWithOracle checks hearth's answer against wllama's: the same
// prompt length, the same ids, log-probabilities within tol.
func compareWithOracle(t *testing.T, what string, got *hearthAnswer, want *Result, tol float64) {
	t.Helper()
	if got.PromptTokens != want.PromptTokens {
		t.Errorf("%s: hearth's prompt has %d positions, llama.cpp's %d", what, got.PromptTokens, want.PromptTokens)
	}
	if !slices.Equal(got.IDs, want.IDs()) {
		t.Fatalf("%s: hearth generated %v, llama.cpp %v", what, got.IDs, want.IDs())
	}
	worst := 0.0
	for i, tok := range want.Tokens {
		d := math.Abs(got.Logprobs[i] - tok.Logprob)
		worst = max(worst, d)
		if d > tol {
			t.Errorf("%s: token %d (id %d): log-probability %.6f, llama.cpp %.6f (|Δ| > %g)", what, i, tok.ID, got.Logprobs[i], tok.Logprob, tol)
		}
	}
	t.Logf("%s: %d positions, ids %v, max |Δ log p| %.2g", what, got.PromptTokens, got.IDs, worst)
}

// oracleConfig is one way of running both sides.
type oracleConfig struct {
	name      string
	cacheType string   // Request.CacheType
	flashAttn string   // Request.FlashAttn
	hearth    []string // the CLI flags that match
	tol       float64  // the log-probability tolerance
}

var (
	// plainConfig turns flash attention off on both sides (wllama applies
	// one setting to the text model and the encoder) with an F32 cache:
	// the text model then computes as Hearth's does, and the encoders run
	// their plain graphs. Hearth computes in --order wllama, the
	// arithmetic of llama.cpp compiled to wasm as wllama builds it (its
	// quantizers, its SIMD128 dot products, libm's expf in softmax and
	// silu, no fused multiply-adds: compute.OrderWllama). Measured max
	// |Δ log p| on the cases below, F32, Q8_0 and F16 pairs alike:
	// 3.9e-7 … 1.6e-6 (idefics3 png-30x60), the chat-parts cases 1.2e-6 —
	// float32 noise in the log-probabilities. A sweep of 3 seeds × 7
	// images × both projectors gave ≤ 1.3e-6 for Q8_0 and F16 pairs with
	// either cache, and one F32 outlier, 4.3e-5 (mlp seed 12 png-48x36;
	// not found: libm's tanhf/expf behind ggml's GELU tables are a
	// candidate). With the default x86 order the Q8_0 pairs gave other
	// greedy tokens and the F16 pairs 0.7–1.7e-3.
	plainConfig = oracleConfig{"f32 cache, no flash attention", "f32", "off",
		[]string{"--order", "wllama", "--encoder-flash-attn=false"}, 1e-5}
	// f16CacheConfig is plainConfig with llama.cpp's F16 cache on both
	// sides. Measured: 4.6e-7 … 7.8e-7 on the cases below.
	f16CacheConfig = oracleConfig{"f16 cache, no flash attention", "f16", "off",
		[]string{"--order", "wllama", "--encoder-flash-attn=false", "--kv-type", "f16"}, 1e-5}
	// defaultConfig is llama.cpp's defaults: F16 cache and flash attention
	// in the text model and the encoder. Hearth computes the text model's
	// attention as ggml's CPU flash attention too (--flash-attn: the
	// one-chunk kernel for these short prompts, F16 keys and values, an
	// accumulator in halves). Measured max |Δ log p|: mlp png-48x36
	// 7.4e-7, idefics3 png-60x30 3.9e-7 (without --flash-attn, Hearth's
	// plain attention: 3.4e-3 and 2.3e-3); the Q8_0 and F16 pairs
	// 3.7e-7 … 5.9e-7 with the same ids (without it, the Q8_0 pairs'
	// greedy tokens changed).
	defaultConfig = oracleConfig{"llama.cpp defaults (f16 cache, flash attention)", "", "",
		[]string{"--order", "wllama", "--kv-type", "f16", "--flash-attn"}, 1e-5}
)

// `hearth generate --mmproj --image` gives llama.cpp's greedy continuation
// (16 ids exactly, log-probabilities close: see plainConfig) on synthetic
// pairs of both projector types: mlp on a PNG at the encoder's size, a PNG
// of another size and aspect and a JPEG; idefics3 on a PNG cut into two
// tiles plus the overview, a square JPEG and a PNG of two rows of tiles;
// two of them again with an F16 cache and with llama.cpp's default
// settings; and pairs of Q8_0 and of F16 weights (text model and mmproj),
// with either cache and with llama.cpp's defaults. A Q8_0 pair is the strictest check of the
// arithmetic: a last-bit difference in an activation can move it across a
// quantization step, which changed greedy tokens (mlp seed 21 png-32x32:
// |Δ log p| 0.99) while Hearth quantized activations as llama.cpp's x86
// build does.
func TestHearthMatchesOracle(t *testing.T) {
	type image struct {
		name string
		data func(t *testing.T) []byte
		cfgs []oracleConfig
	}
	all := []oracleConfig{plainConfig, f16CacheConfig, defaultConfig}
	plain := []oracleConfig{plainConfig}
	cases := []struct {
		name   string
		spec   synth.MMProjSpec
		images []image
	}{
		{"mlp", synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 11}, []image{
			{"png-32x32", func(t *testing.T) []byte { return testPNG(t, 32, 32, false) }, plain},
			{"png-48x36", func(t *testing.T) []byte { return testPNG(t, 48, 36, false) }, all},
			{"jpeg-20x50", func(t *testing.T) []byte { return testJPEG(t, 20, 50, true) }, plain},
		}},
		{"idefics3", synth.MMProjSpec{Projector: synth.MMProjIdefics3, Seed: 12}, []image{
			{"png-60x30", func(t *testing.T) []byte { return testPNG(t, 60, 30, false) }, all},
			{"jpeg-40x40", func(t *testing.T) []byte { return testJPEG(t, 40, 40, true) }, plain},
			{"png-30x60", func(t *testing.T) []byte { return testPNG(t, 30, 60, false) }, plain}, // two rows: a "\n" between them
		}},
		{"mlp-q8_0", synth.MMProjSpec{Projector: synth.MMProjMLP, Type: dtype.Q8_0, Seed: 21}, []image{
			{"png-32x32", func(t *testing.T) []byte { return testPNG(t, 32, 32, false) }, all},
			{"png-48x36", func(t *testing.T) []byte { return testPNG(t, 48, 36, false) }, plain},
			{"jpeg-20x50", func(t *testing.T) []byte { return testJPEG(t, 20, 50, true) }, plain},
		}},
		{"idefics3-q8_0", synth.MMProjSpec{Projector: synth.MMProjIdefics3, Type: dtype.Q8_0, Seed: 12}, []image{
			{"png-50x34", func(t *testing.T) []byte { return testPNG(t, 50, 34, false) }, all},
			{"jpeg-40x40", func(t *testing.T) []byte { return testJPEG(t, 40, 40, true) }, plain},
			{"png-30x60", func(t *testing.T) []byte { return testPNG(t, 30, 60, false) }, plain},
		}},
		{"mlp-f16", synth.MMProjSpec{Projector: synth.MMProjMLP, Type: dtype.F16, Seed: 11}, []image{
			{"png-48x36", func(t *testing.T) []byte { return testPNG(t, 48, 36, false) }, all},
		}},
		{"idefics3-f16", synth.MMProjSpec{Projector: synth.MMProjIdefics3, Type: dtype.F16, Seed: 12}, []image{
			{"jpeg-40x40", func(t *testing.T) []byte { return testJPEG(t, 40, 40, true) }, all},
		}},
	}
	o := Start(t)
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			pair, err := WritePair(dir, c.spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, img := range c.images {
				for _, cfg := range img.cfgs {
					what := c.name + " " + img.name + ", " + cfg.name
					req := Request{Model: pair.Model, MMProj: pair.MMProj, Image: img.data(t), Text: "what is this?", N: 16,
						CacheType: cfg.cacheType, FlashAttn: cfg.flashAttn}
					want, err := o.Run(req)
					if err != nil {
						t.Fatalf("%s: the oracle: %v", what, err)
					}
					if len(want.Tokens) != 16 {
						t.Fatalf("%s: the oracle gave %d tokens", what, len(want.Tokens))
					}
					compareWithOracle(t, what, hearthGenerate(t, dir, req, cfg.hearth...), want, cfg.tol)
				}
			}
		})
	}
}

// A corrupt image, a file that is not an image and an image too large to
// decode each end the CLI with an error on stderr that names the problem,
// and nothing on stdout; so do an mmproj that is the text model and an
// mmproj without its image.
func TestHearthImageErrors(t *testing.T) {
	dir := t.TempDir()
	pair, err := WritePair(dir, synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	good := testPNG(t, 32, 32, false)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name   string
		args   []string
		stderr []string
	}{
		{"corrupt", []string{"--mmproj", pair.MMProj, "--image", write("corrupt.png", good[:len(good)/2])}, []string{"corrupt.png", "png"}},
		{"not an image", []string{"--mmproj", pair.MMProj, "--image", write("notes.txt", []byte("these are not pixels, just some words\n"))}, []string{"notes.txt", "not"}},
		{"huge", []string{"--mmproj", pair.MMProj, "--image", write("huge.png", hugePNGHeader(100000, 100000))}, []string{"huge.png", "10000000000"}},
		{"over the set limit", []string{"--mmproj", pair.MMProj, "--image", write("good.png", good), "--max-image-pixels", "1000"}, []string{"good.png", "1000"}},
		{"mmproj is the text model", []string{"--mmproj", pair.Model, "--image", write("good.png", good)}, []string{"clip"}},
		{"no image", []string{"--mmproj", pair.MMProj}, []string{"--image and --mmproj go together"}},
		{"missing file", []string{"--mmproj", pair.MMProj, "--image", filepath.Join(dir, "absent.png")}, []string{"absent.png"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			args := append([]string{"generate", "-m", pair.Model, "--prompt", "what is this?", "-n", "4"}, c.args...)
			stdout, stderr, err := runHearth(t, args...)
			if err == nil {
				t.Fatalf("hearth succeeded: %s", stdout)
			}
			if stdout != "" {
				t.Errorf("stdout holds %q", stdout)
			}
			for _, want := range c.stderr {
				if !strings.Contains(stderr, want) {
					t.Errorf("stderr %q does not mention %q", stderr, want)
				}
			}
		})
	}
}

// hugePNGHeader is the start of a PNG that claims w×h pixels: a signature
// and a valid IHDR chunk, no pixel data.
func hugePNGHeader(w, h uint32) []byte {
	var ihdr [13]byte
	binary.BigEndian.PutUint32(ihdr[0:], w)
	binary.BigEndian.PutUint32(ihdr[4:], h)
	ihdr[8], ihdr[9] = 8, 2 // 8-bit RGB
	var b bytes.Buffer
	b.WriteString("\x89PNG\r\n\x1a\n")
	binary.Write(&b, binary.BigEndian, uint32(len(ihdr)))
	body := append([]byte("IHDR"), ihdr[:]...)
	b.Write(body)
	binary.Write(&b, binary.BigEndian, crc32.ChecksumIEEE(body))
	return b.Bytes()
}

// engine/chat renders image parts as llama.cpp does: a conversation
// [image, text] rendered by engine/chat with the template, its marker
// left for the CLI to replace with the image, gives the oracle's prompt
// and continuation with the same template — for a template that reads
// typed parts (the pass-through) and one that prints content as a string
// (llama.cpp then joins the parts with "\n", one more token here).
func TestChatPartsMatchOracle(t *testing.T) {
	dir := t.TempDir()
	pair, err := WritePair(dir, synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	o := Start(t)
	msgs := []chat.Message{{Role: "user", Parts: []chat.Part{chat.ImagePart(), chat.TextPart("what is this?")}}}
	for _, c := range []struct {
		name, template string
	}{
		{"typed parts", PassThroughTemplate},
		{"string content", `{%- for message in messages -%}{{- message['content'] -}}{%- endfor -%}`},
	} {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := chat.Parse(c.template)
			if err != nil {
				t.Fatal(err)
			}
			// BOS comes from the tokenizer, as llama.cpp adds it.
			prompt, err := tmpl.Render(msgs, chat.Options{})
			if err != nil {
				t.Fatal(err)
			}
			// wllama renders the same conversation with the template itself.
			req := Request{Model: pair.Model, MMProj: pair.MMProj, Image: testPNG(t, 32, 32, false), Text: "what is this?", N: 16,
				Template: c.template, CacheType: plainConfig.cacheType, FlashAttn: plainConfig.flashAttn}
			want, err := o.Run(req)
			if err != nil {
				t.Fatal(err)
			}
			req.Text = prompt // hearth takes the rendered prompt, marker and all
			compareWithOracle(t, fmt.Sprintf("%s (rendered %q)", c.name, prompt), hearthGenerate(t, dir, req, plainConfig.hearth...), want, plainConfig.tol)
		})
	}
}
