package main

import (
	"sync"
	"testing"
	"time"

	"github.com/vugu/vugu"
)

// pagingManager is a fakeManager that records each load's source and
// options, and reports an expert cache.
type pagingManager struct {
	*fakeManager
	srcs  []ModelSource
	opts  []LoadOptions
	cache *ExpertCacheStats
}

func (p *pagingManager) LoadSource(src ModelSource, opt LoadOptions, onProgress func(Progress)) (ModelInfo, error) {
	p.mu.Lock()
	p.srcs, p.opts = append(p.srcs, src), append(p.opts, opt)
	p.mu.Unlock()
	return p.fakeManager.LoadSource(src, opt, onProgress)
}

func (p *pagingManager) ExpertCache() (*ExpertCacheStats, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.cache, nil
}

// lastOptions is the latest load's options.
func (p *pagingManager) lastOptions() LoadOptions {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.opts[len(p.opts)-1]
}

// pagingApp is an App over a pagingManager with a first, dense model
// loaded; every later load of "big-moe.gguf" is refused as too large
// unless its options page the experts.
func pagingApp(t *testing.T) (*App, *pagingManager) {
	t.Helper()
	p := &pagingManager{fakeManager: newFakeManager()}
	a := NewApp(p, vugu.NewEventEnvImpl(&sync.RWMutex{}, make(chan bool, 1)))
	p.load = func(src ModelSource) (ModelInfo, error) {
		if src.URL != "/models/big-moe.gguf" {
			return ModelInfo{Arch: "llama", WeightType: "Q8_0"}, nil
		}
		if opt := p.lastOptions(); opt.ExpertBudget > 0 {
			return ModelInfo{Arch: "granitemoe", WeightType: "Q4_K", ExpertCache: &ExpertCacheStats{
				Slots: 8, Experts: 32, Layers: 24, CacheBytes: opt.ExpertBudget - 1000, ExpertBytes: 679e6}}, nil
		}
		return ModelInfo{}, &LoadError{Msg: "the model is too large for this device", Reason: "too-large", ModelLoaded: true, ExpertBudget: 187_654_321}
	}
	do(a, func() { a.LoadURL("/models/small.gguf") })
	settle(t, a, p.fakeManager)
	return a, p
}

// A mixture of experts refused as too large, with the expert budget that
// would fit, is offered paged; the first model stays loaded meanwhile.
// Taking the offer loads the same file with that budget, and the loaded
// model's expert cache is shown, then refreshed from the engine.
func TestTooLargeMixtureIsOfferedPaged(t *testing.T) {
	a, p := pagingApp(t)
	do(a, func() { a.LoadURL("/models/big-moe.gguf") })
	settle(t, a, p.fakeManager)
	o := a.Experts.Offer
	if o == nil || o.Budget != 187_654_321 || o.Source.URL != "/models/big-moe.gguf" {
		t.Fatalf("after the refusal the offer is %+v", o)
	}
	if got, want := o.Label(), "Run with experts paged from storage (cache 187.7 MB)"; got != want {
		t.Fatalf("the offer's button says %q, want %q", got, want)
	}
	if a.Model.Status != ModelReady || a.Model.Name() != "small.gguf" || a.Model.Error == "" || a.Experts.Cache != nil {
		t.Fatalf("after the refusal: %+v, cache %+v", a.Model, a.Experts.Cache)
	}
	do(a, a.LoadPaged)
	do(a, func() {
		if a.Experts.Offer != nil || a.Model.Status != ModelLoading {
			t.Fatalf("while the paged load runs: offer %+v, status %v", a.Experts.Offer, a.Model.Status)
		}
	})
	settle(t, a, p.fakeManager)
	if opt := p.lastOptions(); opt.ExpertBudget != 187_654_321 {
		t.Fatalf("the paged load asked for a budget of %d", opt.ExpertBudget)
	}
	c := a.Experts.Cache
	if a.Model.Status != ModelReady || a.Model.Name() != "big-moe.gguf" || c == nil || c.Slots != 8 {
		t.Fatalf("after the paged load: %+v, cache %+v", a.Model, c)
	}
	if got, want := c.Summary(), "cache 187.7 MB, 8 of 32 experts a layer in memory · no lookups yet"; got != want {
		t.Fatalf("the cache line says %q, want %q", got, want)
	}
	p.mu.Lock()
	p.cache = &ExpertCacheStats{Slots: 8, Experts: 32, Layers: 24, CacheBytes: 187_653_321, Hits: 2997, Misses: 1003, HitRate: 0.74925, BytesRead: 420_100_000}
	p.mu.Unlock()
	a.refreshExpertCache()
	if got, want := a.Experts.Cache.Summary(), "cache 187.7 MB, 8 of 32 experts a layer in memory · 74.9% hits · 420.1 MB read from storage"; got != want {
		t.Fatalf("after an answer the cache line says %q, want %q", got, want)
	}
	// An answer's stats carry its own share of the lookups, as generate
	// reports it.
	if got, want := answerStats(GenerateResult{Tokens: 12, Experts: &ExpertShare{Hits: 900, Misses: 100, BytesRead: 42_000_000}}), "12 tokens · experts 90.0% hits, 42.0 MB read"; got != want {
		t.Fatalf("the answer's stats say %q, want %q", got, want)
	}
	if got, want := answerStats(GenerateResult{Tokens: 12, Experts: &ExpertShare{}}), "12 tokens"; got != want {
		t.Fatalf("an answer without lookups: stats %q, want %q", got, want)
	}
	// A dense model in its place: no cache.
	do(a, func() { a.LoadURL("/models/small.gguf") })
	settle(t, a, p.fakeManager)
	if a.Experts.Cache != nil || p.lastOptions().ExpertBudget != 0 {
		t.Fatalf("after a dense load: cache %+v, budget %d", a.Experts.Cache, p.lastOptions().ExpertBudget)
	}
}

// Refusals that paging cannot help make no offer: another reason, or no
// budget that would fit.
func TestOnlyAFittingMixtureIsOffered(t *testing.T) {
	a, p := pagingApp(t)
	for _, le := range []*LoadError{
		{Msg: "not GGUF", Reason: "not-gguf", ModelLoaded: true},
		{Msg: "too large, dense", Reason: "too-large", ModelLoaded: true},
	} {
		p.load = func(ModelSource) (ModelInfo, error) { return ModelInfo{}, le }
		do(a, func() { a.LoadURL("/models/other.gguf") })
		settle(t, a, p.fakeManager)
		if a.Experts.Offer != nil || a.Model.Error == "" {
			t.Fatalf("%s: offer %+v, error %q", le.Msg, a.Experts.Offer, a.Model.Error)
		}
	}
}

// The setting: "auto" loads the refused mixture paged at once, "off"
// makes no offer, "size" pages every load's experts into the set cache.
func TestExpertCacheSetting(t *testing.T) {
	a, p := pagingApp(t)
	do(a, func() { a.SetExpertMode("off") })
	do(a, func() { a.LoadURL("/models/big-moe.gguf") })
	settle(t, a, p.fakeManager)
	if a.Experts.Offer != nil || a.Model.Name() != "small.gguf" {
		t.Fatalf("off: offer %+v, model %q", a.Experts.Offer, a.Model.Name())
	}

	do(a, func() { a.SetExpertMode("auto") })
	do(a, func() { a.LoadURL("/models/big-moe.gguf") })
	select { // the refusal's listing, read while the paged load that follows it runs
	case <-p.listings:
	case <-time.After(5 * time.Second):
		t.Fatal("the refused load did not end")
	}
	settle(t, a, p.fakeManager) // the paged load
	if a.Model.Name() != "big-moe.gguf" || a.Model.Status != ModelReady || a.Experts.Cache == nil || p.lastOptions().ExpertBudget != 187_654_321 {
		t.Fatalf("auto: %+v, cache %+v, budget %d", a.Model, a.Experts.Cache, p.lastOptions().ExpertBudget)
	}
	if a.Models.Notice != "big-moe.gguf is too large to hold whole here: loading it with its experts paged from storage (cache 187.7 MB)." {
		t.Fatalf("auto: the notice says %q", a.Models.Notice)
	}

	do(a, func() {
		a.SetExpertMode("size")
		a.SetExpertCacheText("0")
		if a.Experts.CacheErr == "" || a.ExpertCacheText() != "0" || a.Experts.cacheMB() != DefaultExpertCacheMB {
			t.Fatalf("a cache of 0 MB: error %q, text %q, size %d", a.Experts.CacheErr, a.ExpertCacheText(), a.Experts.cacheMB())
		}
		a.SetExpertCacheText(" 300 ")
		a.SetExpertMode("no such mode")
	})
	if a.Experts.CacheErr != "" || a.Experts.Mode != ExpertsAlways || a.ExpertCacheText() != "300" {
		t.Fatalf("size: %+v", a.Experts)
	}
	do(a, func() { a.LoadURL("/models/small.gguf") })
	settle(t, a, p.fakeManager)
	if got := p.lastOptions().ExpertBudget; got != 300e6 {
		t.Fatalf("size: the load asked for a budget of %d, want 300 MB", got)
	}
}
