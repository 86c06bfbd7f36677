package main

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Paging a mixture of experts' experts from storage. A mixture of experts
// too large for the device with all its experts in memory may still run
// with them left in the file (the browser's storage, or the picked file)
// and read on demand into an expert cache that keeps the most recently
// used (the engine's expertBudget). When the engine refuses such a model
// it says which cache would fit; the model manager then offers to load
// it that way (or does so at once, or never, as the setting says), and
// while a paged model is loaded it shows the cache: its size, the experts
// it holds, its hit rate and what it has read, refreshed after each
// answer.

// ExpertCacheStats is a paged model's expert cache as the engine reports
// it.
type ExpertCacheStats struct {
	Slots   int // experts a layer the cache holds
	Experts int // experts a layer the model has
	Layers  int // layers with experts
	// CacheBytes is the cache's memory; ExpertBytes is the size of all the
	// experts, left in the file.
	CacheBytes, ExpertBytes int64
	Hits, Misses            int64   // expert lookups found in the cache, and read from the file
	HitRate                 float64 // Hits / (Hits + Misses); 0 before any lookup
	BytesRead               int64   // bytes the misses read from the file
}

// Summary is the cache in words: "cache 412.3 MB, 10 of 32 experts a
// layer in memory · 74.9% hits · 420.1 MB read from storage".
func (s *ExpertCacheStats) Summary() string {
	out := fmt.Sprintf("cache %s, %d of %d experts a layer in memory", formatBytes(s.CacheBytes), s.Slots, s.Experts)
	if s.Hits+s.Misses == 0 {
		return out + " · no lookups yet"
	}
	return out + fmt.Sprintf(" · %s hits · %s read from storage", formatPercent(s.HitRate), formatBytes(s.BytesRead))
}

// formatPercent writes a fraction as a percentage with one decimal.
func formatPercent(f float64) string { return strconv.FormatFloat(100*f, 'f', 1, 64) + "%" }

// ExpertMode says what the model manager does with a mixture of experts
// that is too large to hold whole.
type ExpertMode string

// The expert cache's settings.
const (
	ExpertsAsk    ExpertMode = "ask"  // offer to load it with its experts paged (the default)
	ExpertsAuto   ExpertMode = "auto" // load it so at once, with the cache the engine says fits
	ExpertsOff    ExpertMode = "off"  // never page experts
	ExpertsAlways ExpertMode = "size" // page every mixture's experts into a cache of CacheMB
)

// DefaultExpertCacheMB is the cache ExpertsAlways starts with.
const DefaultExpertCacheMB = 512

// ExpertsState is the model manager's part about paged experts.
type ExpertsState struct {
	Mode    ExpertMode // "" is ExpertsAsk
	CacheMB int64      // ExpertsAlways' cache, in MB (10^6 bytes); 0 is DefaultExpertCacheMB
	// CacheText is the cache field as typed, and CacheErr why it is not
	// used ("" once it is).
	CacheText, CacheErr string
	// Offer is the refused mixture of experts the manager offers to load
	// with its experts paged, or nil.
	Offer *ExpertOffer
	// Cache is the loaded model's expert cache, or nil when no model with
	// paged experts is loaded.
	Cache *ExpertCacheStats

	retry int64 // the expert budget of the next load (the offer's)
}

// ExpertOffer is a mixture of experts refused as too large that would fit
// with its experts paged into a cache of Budget bytes.
type ExpertOffer struct {
	Source ModelSource
	Budget int64
}

// Name is the refused file's name.
func (o *ExpertOffer) Name() string {
	if o.Source.IsFile() {
		return o.Source.Name
	}
	return fileName(o.Source.URL)
}

// Label is the offer's button.
func (o *ExpertOffer) Label() string {
	return "Run with experts paged from storage (cache " + formatBytes(o.Budget) + ")"
}

// Explanation says what the offer does.
func (o *ExpertOffer) Explanation() string {
	return fmt.Sprintf("%s is a mixture of experts: it can run here with its experts left in storage and read as they are needed, "+
		"the most recently used kept in a cache of %s. Answers are slower while the cache fills.", o.Name(), formatBytes(o.Budget))
}

// mode is the setting, ExpertsAsk when unset.
func (s *ExpertsState) mode() ExpertMode {
	if s.Mode == "" {
		return ExpertsAsk
	}
	return s.Mode
}

// cacheMB is ExpertsAlways' cache in MB.
func (s *ExpertsState) cacheMB() int64 {
	if s.CacheMB <= 0 {
		return DefaultExpertCacheMB
	}
	return s.CacheMB
}

// expertCacheReporter is an engine that reports the loaded model's
// expert cache (nil when its experts are resident).
type expertCacheReporter interface {
	ExpertCache() (*ExpertCacheStats, error)
}

// expertLoadOptions is opt for a load starting now: with the offer's
// budget when the load is the offer taken, or the setting's when it says
// to page every mixture's experts. The offer is withdrawn: a new load
// begins. Call it with the lock held.
func (a *App) expertLoadOptions(opt LoadOptions) LoadOptions {
	switch {
	case a.Experts.retry > 0:
		opt.ExpertBudget = a.Experts.retry
	case a.Experts.mode() == ExpertsAlways:
		opt.ExpertBudget = a.Experts.cacheMB() * 1e6
	}
	a.Experts.retry, a.Experts.Offer = 0, nil
	return opt
}

// noteExpertLoad records what a load that ended means for paged experts:
// the loaded model's cache, or, for a mixture of experts refused as too
// large that a cache would let run, the offer (or, as the setting says,
// the paged load itself, or nothing). src and opt are the load's; it runs
// after finishLoad, with the lock held.
func (a *App) noteExpertLoad(src ModelSource, opt LoadOptions, info ModelInfo, err error) {
	if err == nil {
		a.Experts.Cache = info.ExpertCache
		return
	}
	if a.Model.Status != ModelReady {
		a.Experts.Cache = nil // no model is loaded any more
	}
	var le *LoadError
	if !errors.As(err, &le) || le.Reason != "too-large" || le.ExpertBudget <= 0 || opt.ExpertBudget > 0 {
		return
	}
	offer := &ExpertOffer{Source: src, Budget: le.ExpertBudget}
	switch a.Experts.mode() {
	case ExpertsOff:
	case ExpertsAuto:
		a.Experts.retry = offer.Budget
		if a.startLoad(src) {
			a.Models.Notice = fmt.Sprintf("%s is too large to hold whole here: loading it with its experts paged from storage (cache %s).", offer.Name(), formatBytes(offer.Budget))
		}
	default:
		a.Experts.Offer = offer
	}
}

// LoadPaged takes the offer: it loads the refused model again with its
// experts paged into the cache that fits. The loaded model keeps
// answering until the new one has passed its checks, as for every load.
// Call it with the lock held.
func (a *App) LoadPaged() {
	o := a.Experts.Offer
	if o == nil {
		return
	}
	if a.Busy() {
		a.Models.Notice = "A load or an answer is under way: wait for it to end, or stop it, then load " + o.Name() + "."
		return
	}
	a.Experts.retry = o.Budget
	if !a.startLoad(o.Source) {
		a.Experts.retry = 0
	}
}

// SetExpertMode sets what happens to a mixture of experts too large to
// hold whole (an ExpertMode's text; anything else is ignored). Call it
// with the lock held.
func (a *App) SetExpertMode(m string) {
	switch mode := ExpertMode(m); mode {
	case ExpertsAsk, ExpertsAuto, ExpertsOff, ExpertsAlways:
		a.Experts.Mode = mode
		if mode == ExpertsOff {
			a.Experts.Offer = nil
		}
	}
}

// SetExpertCacheText sets ExpertsAlways' cache from the field's text: a
// whole number of MB, at least 1. Until the text is one, the field says
// what is wrong and the previous size stays. Call it with the lock held.
func (a *App) SetExpertCacheText(s string) {
	a.Experts.CacheText = s
	v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil || v < 1 || v > 1<<22 {
		a.Experts.CacheErr = "Enter a whole number of MB, at least 1."
		return
	}
	a.Experts.CacheMB, a.Experts.CacheErr = v, ""
}

// ExpertCacheText is the cache field's text.
func (a *App) ExpertCacheText() string {
	if a.Experts.CacheErr != "" {
		return a.Experts.CacheText
	}
	return strconv.FormatInt(a.Experts.cacheMB(), 10)
}

// refreshExpertCache asks the engine for the loaded model's expert cache
// after an answer, when it has one, for the model pane's cache line. Call
// it without the lock.
func (a *App) refreshExpertCache() {
	r, ok := a.Engine.(expertCacheReporter)
	if !ok {
		return
	}
	a.Env.RLock()
	paged := a.Experts.Cache != nil
	a.Env.RUnlock()
	if !paged {
		return
	}
	c, err := r.ExpertCache()
	if err != nil || c == nil {
		return
	}
	a.update(func() {
		if a.Experts.Cache != nil && a.Model.Status == ModelReady {
			a.Experts.Cache = c
		}
	})
}

// stats is what the expert cache did during an answer, for the answer's
// stats line ("· experts 74.9% hits, 11.5 MB read"); "" without lookups.
func (e *ExpertShare) stats() string {
	if e == nil || e.Hits+e.Misses <= 0 {
		return ""
	}
	return fmt.Sprintf(" · experts %s hits, %s read", formatPercent(float64(e.Hits)/float64(e.Hits+e.Misses)), formatBytes(e.BytesRead))
}
