//go:build !js

package wasm_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/internal/chromium"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/models/synth"
)

// pagedAnswer is the part of load's and memory's answers about paged
// experts.
type pagedAnswer struct {
	Info struct {
		Storage     string      `json:"storage"`
		ExpertCache *pagedCache `json:"expertCache"`
	} `json:"info"`
}

// Paged experts in a real browser, through the product's worker
// (web/engine/worker.js) and OPFS: a mixture of experts loaded with an
// expertBudget of a quarter of its experts' bytes generates the ids it
// generates with its experts resident, and memory reports the cache's
// hits and misses. The worker keeps the model's source open while the
// paged model is loaded (without it the generation fails) and lets it go
// when the model is replaced (here by the same file, paged again) or
// unloaded: a second worker then loads the file, and deleteModel removes
// it.
func TestPagedExpertsInChromium(t *testing.T) {
	if _, err := chromium.Path(); err != nil {
		t.Fatal("this test drives headless Chromium: ", err)
	}
	assets := engineAssets(t)
	dir := t.TempDir()
	vocab := filepath.Join(dir, "vocab.gguf")
	if err := synth.WriteTinyVocab(vocab); err != nil {
		t.Fatal(err)
	}
	modelPath := filepath.Join(dir, "moe.gguf")
	spec := synth.Spec{Arch: synth.Qwen3MoE, VocabPath: vocab, NEmbd: 128, NLayer: 2, NHead: 4, NHeadKV: 2,
		NExpert: 16, NExpertUsed: 4, NFFExp: 128, Type: dtype.Q8_0, Seed: 17}
	if err := synth.WriteFile(modelPath, spec); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := model.PlanExpertCache(f, 1<<40)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	budget := plan.ExpertBytes / 4
	data, err := os.ReadFile(modelPath)
	if err != nil {
		t.Fatal(err)
	}
	srv := startStoreServer(t, assets, data)

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	page := startChromium(t, ctx)
	if err := chromedp.Do(page, chromedp.Navigate(srv.base+"/page.html")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(page, chromedp.Poll[bool]("window.hearthTestReady === true", chromedp.WithPollingTimeout(30*time.Second))); err != nil {
		t.Fatal("the test page did not start: ", err)
	}
	url := srv.base + "/model/good.gguf"
	prompt := []int32{1, 260, 301, 7, 42, 99, 5}
	const n = 12
	w := pageCall[int](t, page, "open")
	paged := map[string]any{"nCtx": 128, "expertBudget": budget}

	// Resident (downloaded into OPFS), then unloaded.
	r := pageCall[pagedAnswer](t, page, "load", w, url, map[string]any{"nCtx": 128})
	if r.Info.Storage != "opfs" || r.Info.ExpertCache != nil {
		t.Fatalf("resident load: storage %q, expert cache %+v", r.Info.Storage, r.Info.ExpertCache)
	}
	want := pageCall[[]int32](t, page, "generate", w, prompt, n)
	pageCall[bool](t, page, "unload", w)

	// Paged from the OPFS file.
	r = pageCall[pagedAnswer](t, page, "load", w, url, paged)
	c := r.Info.ExpertCache
	if r.Info.Storage != "opfs" || c == nil || c.Slots != 4 || c.Experts != 16 || c.CacheBytes > budget {
		t.Fatalf("paged load: storage %q, expert cache %+v; want 4 of 16 experts a layer from OPFS", r.Info.Storage, c)
	}
	if got := pageCall[[]int32](t, page, "generate", w, prompt, n); !slices.Equal(got, want) {
		t.Fatalf("paged ids %v, resident %v", got, want)
	}
	mem := pageCall[pagedMemory](t, page, "memory", w)
	if m := mem.ExpertCache; m == nil || m.Misses == 0 || m.Hits == 0 || m.BytesRead == 0 || m.HitRate <= 0 || m.HitRate >= 1 {
		t.Fatalf("memory's expert cache after a generation: %+v", m)
	}
	t.Logf("paged in Chromium: %+v", *mem.ExpertCache)

	// Loading the same file again replaces the paged model; the new one
	// pages as well.
	r = pageCall[pagedAnswer](t, page, "load", w, url, map[string]any{"nCtx": 128, "expertBudget": budget, "replace": true})
	if r.Info.ExpertCache == nil {
		t.Fatal("a paged model replaced by the same file: no expert cache")
	}
	if got := pageCall[[]int32](t, page, "generate", w, prompt, n); !slices.Equal(got, want) {
		t.Fatalf("after a replace: paged ids %v, resident %v", got, want)
	}

	// Unloaded, the file is free again: a second worker loads it, and
	// once that one has unloaded it, deleteModel removes it.
	pageCall[bool](t, page, "unload", w)
	w2 := pageCall[int](t, page, "open")
	pageCall[pagedAnswer](t, page, "load", w2, url, paged)
	if got := pageCall[[]int32](t, page, "generate", w2, prompt, n); !slices.Equal(got, want) {
		t.Fatalf("a second worker: paged ids %v, resident %v", got, want)
	}
	pageCall[bool](t, page, "unload", w2)
	if !pageCall[bool](t, page, "deleteModel", w, url) {
		t.Fatal("deleteModel after unloading the paged models answered false")
	}
	if files := pageCall[[]storedFile](t, page, "files"); len(files) != 1 {
		t.Fatalf("after deleteModel OPFS holds %+v, want the index alone", files)
	}
}
