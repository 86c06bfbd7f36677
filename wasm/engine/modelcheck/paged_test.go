//go:build !js

package modelcheck

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/arena/wazerodev"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/models/synth"
)

// pagedSpec is a mixture of experts whose experts are most of its
// weights: 16 experts of 3·128·256 Q8_0 elements in each of 4 layers.
func pagedSpec(t *testing.T) (synth.Spec, []byte) {
	dense, _ := writeSmall(t)
	spec := synth.Spec{Arch: synth.Qwen3MoE, VocabPath: dense.VocabPath, NEmbd: 128, NLayer: 4, NHead: 4, NHeadKV: 2,
		NExpert: 16, NExpertUsed: 2, NFFExp: 256, NCtx: 2048, Type: dtype.Q8_0, Seed: 6}
	var buf bytes.Buffer
	if err := synth.Write(&buf, spec); err != nil {
		t.Fatal(err)
	}
	return spec, buf.Bytes()
}

// With an expert budget the estimate counts the expert cache's slots
// instead of the experts, and holds up against the arena the engine
// loads the same way (the weights reserved at WeightSizes, the experts
// paged): no less than it uses, at most a tenth more.
func TestCheckPagedExpertsEstimate(t *testing.T) {
	_, data := pagedSpec(t)
	f, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	const nCtx, batch = 512, 32
	whole, err := Check(f, Options{Context: nCtx, Batch: batch})
	if err != nil {
		t.Fatal(err)
	}
	all, err := model.PlanExpertCache(f, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	budget := all.ExpertBytes / 4
	r, err := Check(f, Options{Context: nCtx, Batch: batch, ExpertBudget: budget})
	if err != nil {
		t.Fatal(err)
	}
	if r.Experts == nil || r.Experts.Slots != 4 || r.Experts.CacheBytes > budget {
		t.Fatalf("plan %+v: want 4 slots a layer within %d bytes", r.Experts, budget)
	}
	if saved := whole.WeightBytes - r.WeightBytes; saved < all.ExpertBytes-r.Experts.CacheBytes {
		t.Fatalf("paging saves %d bytes of weights; the experts beyond the cache are %d", saved, all.ExpertBytes-r.Experts.CacheBytes)
	}
	path := filepath.Join(t.TempDir(), "m.gguf")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	used := pagedArenaUsage(t, path, r.Experts, nCtx, batch)
	t.Logf("estimate %d bytes (weights %d, of which expert cache %d); the arena uses %d; resident: %d", r.NeedBytes(), r.WeightBytes, r.Experts.CacheBytes, used, whole.NeedBytes())
	if used > r.NeedBytes() || float64(r.NeedBytes()) > 1.1*float64(used) {
		t.Errorf("the arena uses %d bytes; the estimate %d should be at least that and at most 10%% more", used, r.NeedBytes())
	}
}

// A mixture too large for a limit with its experts resident says how
// large an expert cache would fit, and with that budget it passes; a
// budget below one expert a layer is refused as too large.
func TestCheckPagingFitsTheLimit(t *testing.T) {
	_, data := pagedSpec(t)
	f, err := Read(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	whole, err := Check(f, Options{Context: 256})
	if err != nil {
		t.Fatal(err)
	}
	limit := Limit{Bytes: whole.NeedBytes() / 2, Why: "the test's limit"}
	_, err = Check(f, Options{Context: 256, Limits: []Limit{limit}})
	var ce *Error
	if !errors.As(err, &ce) || ce.Reason != TooLarge || !strings.Contains(ce.Msg, "paged into an expert cache of at most") {
		t.Fatalf("error %v; want too large, with the expert cache that would fit", err)
	}
	// The budget the message names travels as a field, and with it the
	// model passes the same limit.
	if ce.ExpertBudget <= 0 || !strings.Contains(ce.Msg, "an expert cache of at most "+FormatBytes(ce.ExpertBudget)) {
		t.Fatalf("the error's expert budget is %d; its message: %s", ce.ExpertBudget, ce.Msg)
	}
	if r, err := Check(f, Options{Context: 256, Limits: []Limit{limit}, ExpertBudget: ce.ExpertBudget}); err != nil || r.NeedBytes() > limit.Bytes {
		t.Fatalf("with the suggested budget %d: %+v, %v; want it within %d bytes", ce.ExpertBudget, r, err, limit.Bytes)
	}
	all, err := model.PlanExpertCache(f, 1<<40)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Check(f, Options{Context: 256, Limits: []Limit{limit}, ExpertBudget: all.ExpertBytes / 4})
	if err != nil {
		t.Fatalf("with a quarter of the experts cached: %v", err)
	}
	if r.NeedBytes() > limit.Bytes {
		t.Fatalf("passed needing %d bytes, over the limit %d", r.NeedBytes(), limit.Bytes)
	}
	_, err = Check(f, Options{Context: 256, ExpertBudget: all.ExpertBytes / int64(all.Experts) / 2})
	if !errors.As(err, &ce) || ce.Reason != TooLarge || !strings.Contains(ce.Msg, "less than one expert per layer") {
		t.Fatalf("half an expert a layer: error %v; want too large, less than one expert per layer", err)
	}
	// A dense model ignores the budget.
	_, dense := writeSmall(t)
	df, err := Read(bytes.NewReader(dense), int64(len(dense)))
	if err != nil {
		t.Fatal(err)
	}
	if r, err := Check(df, Options{ExpertBudget: 1}); err != nil || r.Experts != nil {
		t.Fatalf("dense model with a budget: %+v, %v", r, err)
	}
	// A dense model too large suggests no expert budget.
	_, err = Check(df, Options{Limits: []Limit{{Bytes: 1 << 20, Why: "a tiny limit"}}})
	if !errors.As(err, &ce) || ce.Reason != TooLarge || ce.ExpertBudget != 0 {
		t.Fatalf("dense model over a limit: %v (expert budget %d); want too large, no budget", err, ce.ExpertBudget)
	}
}

// pagedArenaUsage is arenaUsage with the experts paged as plan says (nil:
// all resident): the weights reserved at WeightSizes, the file open while
// the model runs.
func pagedArenaUsage(t *testing.T, path string, plan *model.ExpertCachePlan, nCtx, batch int) int64 {
	t.Helper()
	dev, err := wazerodev.New(wazerodev.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := arena.New(dev, arena.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if err := b.Reserve(arena.ReserveSize(WeightSizes(f, plan)...)); err != nil {
		t.Fatal(err)
	}
	var opt model.LoadOptions
	if plan != nil {
		opt.ExpertBudget = plan.CacheBytes
	}
	m, err := model.LoadWith(f, b, opt)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if st, _ := m.ExpertCache(); plan != nil && st.Slots != plan.Slots {
		t.Fatalf("the model has %d slots a layer, the plan %d", st.Slots, plan.Slots)
	}
	s, err := m.NewSession(model.SessionOptions{Context: nCtx, Batch: batch})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ids := make([]int32, batch)
	for i := range ids {
		ids[i] = int32(i*7+1) % int32(m.HP.Vocab)
	}
	if _, err := s.Forward(ids); err != nil {
		t.Fatal(err)
	}
	return b.Usage().Used
}
