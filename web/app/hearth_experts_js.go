//go:build js && wasm

package main

import "syscall/js"

// The expert cache of a model with paged experts, as the engine worker
// reports it (worker.js: load's answer and memory's expertCache).

var _ expertCacheReporter = (*hearthEngine)(nil)

// ExpertCache asks the worker for the loaded model's expert cache (a
// request that may run while a generation does): nil when no model with
// paged experts is loaded.
func (h *hearthEngine) ExpertCache() (*ExpertCacheStats, error) {
	v, err := h.call("memory")
	if err != nil {
		return nil, err
	}
	return expertCacheOf(v), nil
}

// expertShareOf reads a generate answer's expertCache {prefill, decode}
// (worker.js), summed; nil when the answer has none.
func expertShareOf(v js.Value) *ExpertShare {
	if v.Type() != js.TypeObject {
		return nil
	}
	c := v.Get("expertCache")
	if c.Type() != js.TypeObject {
		return nil
	}
	var s ExpertShare
	for _, phase := range []string{"prefill", "decode"} {
		p := c.Get(phase)
		if p.Type() != js.TypeObject {
			continue
		}
		s.Hits += int64(numberField(p, "hits"))
		s.Misses += int64(numberField(p, "misses"))
		s.BytesRead += int64(numberField(p, "bytesRead"))
	}
	return &s
}

// expertCacheOf reads v.expertCache, or nil when v has none.
func expertCacheOf(v js.Value) *ExpertCacheStats {
	if v.Type() != js.TypeObject {
		return nil
	}
	c := v.Get("expertCache")
	if c.Type() != js.TypeObject {
		return nil
	}
	return &ExpertCacheStats{
		Slots: int(numberField(c, "slots")), Experts: int(numberField(c, "experts")), Layers: int(numberField(c, "layers")),
		CacheBytes: int64(numberField(c, "cacheBytes")), ExpertBytes: int64(numberField(c, "expertBytes")),
		Hits: int64(numberField(c, "hits")), Misses: int64(numberField(c, "misses")),
		HitRate: numberField(c, "hitRate"), BytesRead: int64(numberField(c, "bytesRead")),
	}
}
