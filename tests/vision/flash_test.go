//go:build !js

package vision

import (
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/models/synth"
)

// flashF32Config is llama.cpp's flash attention over an F32 cache on both
// sides: the text model's one-chunk and tiled kernels with float32 values
// (the F16 cache of defaultConfig accumulates its values in halves).
var flashF32Config = oracleConfig{"f32 cache, flash attention", "f32", "on",
	[]string{"--order", "wllama", "--flash-attn"}, 1e-5}

// A text of at least compute.FlashTileRows tokens after the image is one
// batch of that many query rows, for which ggml's CPU flash attention
// takes its tiled kernel (the short prompts of TestHearthMatchesOracle
// only reach its one-chunk kernel); the generated tokens are one-row
// batches again. `hearth generate --flash-attn` matches llama.cpp's
// defaults and flash attention over an F32 cache on such a prompt.
// Measured max |Δ log p| (269 positions): 1.1e-6 with either cache; with
// the one-chunk kernel forced for every batch, 3.1e-3 (F32 cache); without
// --flash-attn, 2.1e-3 (F16 cache).
func TestHearthFlashAttentionTiledPrompt(t *testing.T) {
	dir := t.TempDir()
	pair, err := WritePair(dir, synth.MMProjSpec{Projector: synth.MMProjMLP, Seed: 11})
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Repeat("what is this? a picture of what, and why? ", 6)
	o := Start(t)
	for _, cfg := range []oracleConfig{defaultConfig, flashF32Config} {
		what := "mlp png-48x36, long prompt, " + cfg.name
		req := Request{Model: pair.Model, MMProj: pair.MMProj, Image: testPNG(t, 48, 36, false), Text: text, N: 16,
			CacheType: cfg.cacheType, FlashAttn: cfg.flashAttn}
		want, err := o.Run(req)
		if err != nil {
			t.Fatalf("%s: the oracle: %v", what, err)
		}
		if len(want.Tokens) != 16 {
			t.Fatalf("%s: the oracle gave %d tokens", what, len(want.Tokens))
		}
		got := hearthGenerate(t, dir, req, cfg.hearth...)
		if got.PromptTokens < 64+16 {
			t.Fatalf("%s: the prompt has %d positions; the text after the image must reach the tiled kernel's 64 rows", what, got.PromptTokens)
		}
		compareWithOracle(t, what, got, want, cfg.tol)
	}
}
