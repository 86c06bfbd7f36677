//go:build !js

package modelcheck

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/models/synth"
)

// The estimate holds up against the engine itself: the model loaded into
// an arena (kernels.wasm under wazero) with a session whose KV cache is
// allocated whole, after a pass of a full batch, uses no more than the
// estimate, and the estimate is no more than a tenth above it.
func TestCheckEstimateMatchesTheArena(t *testing.T) {
	dense, data := writeSmall(t)
	specs := []synth.Spec{dense}
	// Mixtures of experts: qwen3moe (its files name no dense width) and
	// qwen2moe (a shared expert beside the routed ones).
	qwen3moe := synth.Spec{Arch: synth.Qwen3MoE, VocabPath: dense.VocabPath, NEmbd: 128, NLayer: 2, NHead: 4, NHeadKV: 2,
		NExpert: 8, NExpertUsed: 2, NFFExp: 192, NCtx: 2048, Type: dtype.Q8_0, Seed: 4}
	qwen2moe := synth.Spec{Arch: synth.Qwen2MoE, VocabPath: dense.VocabPath, NEmbd: 128, NLayer: 2, NHead: 4, NHeadKV: 2,
		NFF: 256, NExpert: 4, NExpertUsed: 2, NFFExp: 128, NCtx: 2048, Type: dtype.Q8_0, Seed: 5}
	specs = append(specs, qwen3moe, qwen2moe)
	for i, spec := range specs {
		if i > 0 {
			var buf bytes.Buffer
			if err := synth.Write(&buf, spec); err != nil {
				t.Fatal(err)
			}
			data = buf.Bytes()
		}
		path := filepath.Join(t.TempDir(), "m.gguf")
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
		const nCtx, batch = 512, 32
		f, err := Read(bytes.NewReader(data), int64(len(data)))
		if err != nil {
			t.Fatal(err)
		}
		r, err := Check(f, Options{Context: nCtx, Batch: batch})
		if err != nil {
			t.Fatalf("%s: %v", spec.Arch, err)
		}
		used := arenaUsage(t, path, nCtx, batch)
		t.Logf("%s: estimate %d bytes (weights %d, KV %d, scratch %d); the arena uses %d", spec.Arch, r.NeedBytes(), r.WeightBytes, r.KVBytes, r.ScratchBytes, used)
		if used > r.NeedBytes() || float64(r.NeedBytes()) > 1.1*float64(used) {
			t.Errorf("%s: the arena uses %d bytes; the estimate %d should be at least that and at most 10%% more", spec.Arch, used, r.NeedBytes())
		}
	}
}

// arenaUsage loads the model at path into an arena backend over
// kernels.wasm (wazero), as the browser engine does (weights reserved in
// one piece), opens a session of nCtx tokens whose KV cache is allocated
// whole, runs a full batch through it, and returns the arena bytes in use.
func arenaUsage(t *testing.T, path string, nCtx, batch int) int64 {
	t.Helper()
	return pagedArenaUsage(t, path, nil, nCtx, batch)
}
