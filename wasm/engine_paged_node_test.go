//go:build !js

package wasm_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// pagedCache is the expertCache of the engine's load and memory answers.
type pagedCache struct {
	Slots       int     `json:"slots"`
	Experts     int     `json:"experts"`
	Layers      int     `json:"layers"`
	CacheBytes  int64   `json:"cacheBytes"`
	ExpertBytes int64   `json:"expertBytes"`
	Hits        int64   `json:"hits"`
	Misses      int64   `json:"misses"`
	HitRate     float64 `json:"hitRate"`
	BytesRead   int64   `json:"bytesRead"`
}

type pagedMemory struct {
	ArenaUsed   int64       `json:"arenaUsed"`
	ExpertCache *pagedCache `json:"expertCache"`
}

// The browser engine under Node runs a mixture of experts whose experts
// stay in the file, paged into an expert cache of a quarter of their
// bytes: the greedy ids are those of the same model with its experts
// resident (and of `hearth generate`), the load and memory answers report
// the cache (slots, hits, misses), the generation reads experts from the
// source it keeps, the arena holds less, and once the source is gone a
// generation is an error.
func TestPagedExpertsUnderNode(t *testing.T) {
	node, cli, dir := nodeAndCLI(t)
	assets := engineAssets(t)
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	const prompt = "The quick brown fox jumps over 1234 lazy dogs"
	const n = 16
	path := filepath.Join(dir, "qwen3moe-Q4_K.gguf")
	spec := synth.Spec{Arch: synth.Qwen3MoE, VocabPath: filepath.Join(testdata.VocabDir(t), "ggml-vocab-llama-bpe.gguf"),
		NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2, HeadDim: 64, NExpert: 16, NExpertUsed: 4, NFFExp: 256, Type: dtype.Q4_K, Seed: 21}
	if err := synth.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	plan, err := model.PlanExpertCache(f, 1<<40)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	budget := plan.ExpertBytes / 4

	out, err := exec.Command(cli, "generate", "-m", path, "--prompt", prompt, "-n", strconv.Itoa(n), "--temp", "0", "--ctx", "256", "--order", "wasm").Output()
	if err != nil {
		t.Fatalf("hearth generate: %v", err)
	}
	var want cliResult
	if err := json.Unmarshal(out, &want); err != nil {
		t.Fatalf("hearth generate printed %q: %v", out, err)
	}

	cmd := exec.Command(node, filepath.Join("testdata", "node_paged.mjs"), assets,
		filepath.Join(root, "web", "engine", "runtime.js"), path, strconv.FormatInt(budget, 10), strconv.Itoa(n), prompt)
	cmd.Stderr = os.Stderr
	out, err = cmd.Output()
	if err != nil {
		t.Fatalf("node: %v\n%s", err, out)
	}
	var got struct {
		Resident         struct{ ExpertCache *pagedCache } `json:"resident"`
		ResidentIDs      []int32                           `json:"residentIds"`
		ResidentMemory   pagedMemory                       `json:"residentMemory"`
		Paged            struct{ ExpertCache *pagedCache } `json:"paged"`
		PagedIDs         []int32                           `json:"pagedIds"`
		PagedMemory      pagedMemory                       `json:"pagedMemory"`
		ReadByGeneration int64                             `json:"readByGeneration"`
		LostSourceError  string                            `json:"lostSourceError"`
	}
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node printed %q: %v", out, err)
	}
	c := got.PagedMemory.ExpertCache
	if c == nil || got.Paged.ExpertCache == nil || got.Resident.ExpertCache != nil || got.ResidentMemory.ExpertCache != nil {
		t.Fatalf("expert caches: resident load %+v, memory %+v; paged load %+v, memory %+v",
			got.Resident.ExpertCache, got.ResidentMemory.ExpertCache, got.Paged.ExpertCache, c)
	}
	t.Logf("paged: %d of %d experts a layer (%d of %d bytes), %d hits, %d misses (%.0f%%), %d bytes read by the engine, %d by the source; arena %d bytes in use, resident %d",
		c.Slots, c.Experts, c.CacheBytes, c.ExpertBytes, c.Hits, c.Misses, 100*c.HitRate, c.BytesRead, got.ReadByGeneration, got.PagedMemory.ArenaUsed, got.ResidentMemory.ArenaUsed)
	switch {
	case len(want.IDs) < 4:
		t.Fatalf("hearth generate gave %d tokens; the test needs more", len(want.IDs))
	case !slices.Equal(got.ResidentIDs, want.IDs):
		t.Fatalf("resident ids %v, hearth generate --order wasm %v", got.ResidentIDs, want.IDs)
	case !slices.Equal(got.PagedIDs, want.IDs):
		t.Fatalf("paged ids %v, resident %v", got.PagedIDs, want.IDs)
	case c.Slots != 4 || c.Experts != 16 || c.Layers != 2 || c.CacheBytes > budget:
		t.Fatalf("cache %+v: want 4 slots of 16 experts in 2 layers, within %d bytes", c, budget)
	case c.Misses == 0 || c.Hits == 0 || c.BytesRead != got.ReadByGeneration:
		t.Fatalf("cache %+v: want hits and misses, and the %d bytes the source served after the load", c, got.ReadByGeneration)
	case got.PagedMemory.ArenaUsed >= got.ResidentMemory.ArenaUsed-(plan.ExpertBytes-c.CacheBytes)/2:
		t.Fatalf("the paged model's arena holds %d bytes, the resident one's %d", got.PagedMemory.ArenaUsed, got.ResidentMemory.ArenaUsed)
	case !strings.Contains(got.LostSourceError, "paging in expert"):
		t.Fatalf("with its source gone, a generation gave %q; want an error about paging", got.LostSourceError)
	}
}
