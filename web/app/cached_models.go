package main

// CachedModels lists the models saved in the browser (OPFS), with their
// sizes and dates, Load and Delete buttons, the storage they take of the
// origin's quota, and whether the browser keeps them.
type CachedModels struct {
	App *App

	disclosure // folded away or not
}

// Meta is a stored model's size and date: "22.1 MB · saved 2025-03-04 14:05".
func (c *CachedModels) Meta(m CachedModel) string {
	s := formatBytes(m.Size)
	if !m.Date.IsZero() {
		s += " · saved " + m.Date.Local().Format("2006-01-02 15:04")
	}
	return s
}

// Usage is the storage line: "Storage: 22.1 MB used of 10.00 GB".
func (c *CachedModels) Usage() string {
	st := c.App.Models.Storage
	switch {
	case !c.App.Models.StorageKnown:
		return "Storage: unknown (this browser does not say)."
	case st.Quota > 0:
		return "Storage: " + formatBytes(st.Usage) + " used of " + formatBytes(st.Quota) + "."
	}
	return "Storage: " + formatBytes(st.Usage) + " used."
}

// Persistence says whether the browser keeps the saved models.
func (c *CachedModels) Persistence() string {
	switch {
	case !c.App.Models.PersistKnown:
		return ""
	case c.App.Models.Persisted:
		return "Persistent storage granted: the browser keeps these models until you delete them."
	}
	return "Persistent storage not granted: the browser may delete these models when space runs low."
}

// CanDelete tells whether Delete works now (not during a load, nor while
// another deletion runs).
func (c *CachedModels) CanDelete() bool {
	return c.App.Model.Status != ModelLoading && c.App.Models.Deleting == ""
}
