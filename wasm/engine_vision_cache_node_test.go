//go:build !js

package wasm_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"testing"

	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
	"github.com/hearth-ai/hearth/tests/vision"
)

// nodeCacheGen is one generation as node_vision_cache.mjs reports it.
type nodeCacheGen struct {
	Prepared struct {
		PromptTokens  int `json:"promptTokens"`
		Inputs        int `json:"inputs"`
		Pending       int `json:"pending"`
		ImagesCached  int `json:"imagesCached"`
		ImagesEncoded int `json:"imagesEncoded"`
	} `json:"prepared"`
	Steps []struct {
		Image, Tile, Tiles, Input, Inputs int
		Done, Kept                        bool
	} `json:"steps"`
	PromptTokens int     `json:"promptTokens"`
	IDs          []int32 `json:"ids"`
	Text         string  `json:"text"`
	ImageCache   *struct {
		Images   int   `json:"images"`
		Bytes    int64 `json:"bytes"`
		MaxBytes int64 `json:"maxBytes"`
		Layouts  int   `json:"layouts"`
		Hits     int64 `json:"hits"`
		Misses   int64 `json:"misses"`
	} `json:"imageCache"`
}

type nodeCacheInfo struct {
	Vision *struct {
		TokensPerImage  int   `json:"tokensPerImage"`
		ImageCacheBytes int64 `json:"imageCacheBytes"`
	} `json:"vision"`
	Embd int `json:"embd"`
}

// A picture is encoded once under Node's engine.wasm: the second
// generation of the same conversation (the picture's bytes sent again)
// takes its embeddings from the pair's cache — no input pending, none
// encoded — and gives the first's ids, which are `hearth generate`'s; a
// follow-up question about it encodes nothing either; chat counts it the
// same before and after. The pair loaded again starts with an empty
// cache; with imageCacheBytes 0 every generation encodes, and answers the
// same. Both projectors (idefics3: two tiles and the overview).
func TestVisionCacheUnderNode(t *testing.T) {
	node, cli, dir := nodeAndCLI(t)
	assets := engineAssets(t)
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	img := filepath.Join(dir, "image.png")
	writeTestPNG(t, img, 60, 30)
	const n = 10
	for _, spec := range []synth.MMProjSpec{
		{Projector: synth.MMProjMLP, Seed: 51},
		{Projector: synth.MMProjIdefics3, Seed: 52},
	} {
		t.Run(spec.Projector, func(t *testing.T) {
			pair, err := vision.WritePair(t.TempDir(), spec)
			if err != nil {
				t.Fatal(err)
			}
			cmd := exec.Command(node, filepath.Join("testdata", "node_vision_cache.mjs"), assets, filepath.Join(root, "web", "engine", "runtime.js"),
				pair.Model, pair.MMProj, img, strconv.Itoa(n), "what is this?")
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("node: %v\n%s", err, out)
			}
			var got struct {
				Info       nodeCacheInfo `json:"info"`
				OffInfo    nodeCacheInfo `json:"offInfo"`
				ChatBefore struct {
					PromptTokens int    `json:"promptTokens"`
					Prompt       string `json:"prompt"`
				} `json:"chatBefore"`
				ChatAfter struct {
					PromptTokens int `json:"promptTokens"`
				} `json:"chatAfter"`
				First, Second, FollowUp, Reloaded, Off1, Off2 nodeCacheGen
			}
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("node printed %q: %v", out, err)
			}
			stdout, err := exec.Command(cli, "generate", "-m", pair.Model, "--mmproj", pair.MMProj, "--image", img,
				"--prompt", got.ChatBefore.Prompt, "-n", strconv.Itoa(n), "--temp", "0", "--ctx", "256", "--threads", "1").Output()
			if err != nil {
				t.Fatalf("hearth generate: %v", err)
			}
			var want cliResult
			if err := json.Unmarshal(stdout, &want); err != nil {
				t.Fatalf("hearth generate printed %q: %v", stdout, err)
			}
			inputs := 1
			if spec.Projector == synth.MMProjIdefics3 {
				inputs = 3
			}
			v := got.Info.Vision
			if v == nil || v.ImageCacheBytes != 64<<20 || got.OffInfo.Vision == nil || got.OffInfo.Vision.ImageCacheBytes != 0 {
				t.Fatalf("the loads report vision %+v, then (imageCacheBytes 0) %+v", v, got.OffInfo.Vision)
			}
			runBytes := int64(4 * inputs * v.TokensPerImage * got.Info.Embd)
			f, s := got.First, got.Second
			t.Logf("first: %d inputs encoded, ids %v; second: %d pending, %d cached", len(f.Steps), f.IDs, s.Prepared.Pending, s.Prepared.ImagesCached)

			// The first generation encodes the picture and keeps it.
			switch {
			case f.Prepared.Inputs != inputs || f.Prepared.Pending != inputs || f.Prepared.ImagesEncoded != 1 || f.Prepared.ImagesCached != 0:
				t.Fatalf("the first prepare: %+v", f.Prepared)
			case len(f.Steps) != inputs || !f.Steps[inputs-1].Done || !f.Steps[inputs-1].Kept || (inputs > 1 && f.Steps[0].Kept):
				t.Fatalf("the first generation's steps %+v: want %d, the image kept after its last", f.Steps, inputs)
			case f.ImageCache == nil || f.ImageCache.Images != 1 || f.ImageCache.Bytes != runBytes || f.ImageCache.Misses != 1:
				t.Fatalf("after the first generation the cache is %+v; want one image of %d bytes", f.ImageCache, runBytes)
			case !slices.Equal(f.IDs, want.IDs) || f.Text != want.Text || f.PromptTokens != want.PromptTokens:
				t.Fatalf("the first generation: ids %v (%d positions), hearth generate %v (%d)", f.IDs, f.PromptTokens, want.IDs, want.PromptTokens)
			}
			// The same conversation again: nothing encoded, the same ids.
			switch {
			case s.Prepared.Pending != 0 || s.Prepared.ImagesCached != 1 || s.Prepared.ImagesEncoded != 0 || s.Prepared.Inputs != inputs || len(s.Steps) != 0:
				t.Fatalf("the second prepare: %+v, steps %+v; want the image from the cache", s.Prepared, s.Steps)
			case !slices.Equal(s.IDs, f.IDs) || s.Text != f.Text || s.PromptTokens != f.PromptTokens:
				t.Fatalf("the second generation gave %v (%d positions), the first %v (%d)", s.IDs, s.PromptTokens, f.IDs, f.PromptTokens)
			case s.ImageCache.Hits != f.ImageCache.Hits+1 || s.ImageCache.Images != 1:
				t.Fatalf("the cache after the second generation: %+v (before %+v)", s.ImageCache, f.ImageCache)
			}
			if got.ChatBefore.PromptTokens != f.PromptTokens || got.ChatAfter.PromptTokens != f.PromptTokens {
				t.Fatalf("chat counted %d positions before and %d after; the prompt has %d", got.ChatBefore.PromptTokens, got.ChatAfter.PromptTokens, f.PromptTokens)
			}
			if fu := got.FollowUp; fu.Prepared.Pending != 0 || fu.Prepared.ImagesCached != 1 || len(fu.Steps) != 0 || fu.PromptTokens <= f.PromptTokens || len(fu.IDs) == 0 {
				t.Fatalf("the follow-up question: %+v, %d positions, ids %v", fu.Prepared, fu.PromptTokens, fu.IDs)
			}
			// Loaded again: the cache went with the old pair.
			if r := got.Reloaded; r.Prepared.ImagesCached != 0 || r.Prepared.Pending != inputs || len(r.Steps) != inputs || !slices.Equal(r.IDs, f.IDs) {
				t.Fatalf("after loading the pair again: %+v, %d steps, ids %v", r.Prepared, len(r.Steps), r.IDs)
			}
			// Without a cache: both generations encode, and agree.
			for i, g := range []nodeCacheGen{got.Off1, got.Off2} {
				if g.Prepared.ImagesCached != 0 || len(g.Steps) != inputs || g.Steps[inputs-1].Kept || !slices.Equal(g.IDs, f.IDs) ||
					g.ImageCache == nil || g.ImageCache.Images != 0 || g.ImageCache.MaxBytes != 0 {
					t.Fatalf("generation %d with imageCacheBytes 0: %+v, steps %+v, ids %v, cache %+v", i+1, g.Prepared, g.Steps, g.IDs, g.ImageCache)
				}
			}
		})
	}
}
