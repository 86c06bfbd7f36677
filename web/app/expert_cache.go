package main

// ExpertCache is the model manager's part about paged experts
// (app_experts.go): the offer to load a mixture of experts too large to
// hold whole with its experts paged from storage, and, while such a model
// is loaded, its expert cache: size, experts held, hit rate, bytes read.
type ExpertCache struct {
	App *App
}

// ShowOffer tells whether the offer is shown: there is one, and no load
// is under way.
func (c *ExpertCache) ShowOffer() bool {
	return c.App.Experts.Offer != nil && c.App.Model.Status != ModelLoading
}

// ShowCache tells whether the cache line is shown: a model with paged
// experts is loaded.
func (c *ExpertCache) ShowCache() bool {
	return c.App.Experts.Cache != nil && c.App.Model.Status == ModelReady
}

// CacheTitle explains the cache line.
func (c *ExpertCache) CacheTitle() string {
	s := c.App.Experts.Cache
	return "The model's experts (" + formatBytes(s.ExpertBytes) + ") stay in storage; each answer reads the ones it needs into a cache that keeps the most recently used. " +
		"Hits are lookups the cache answered; the rest were read from storage. Updated after each answer."
}
