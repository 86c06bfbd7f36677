package main

// ValueText is the bar's aria-valuetext, what a screen reader says of it
// ("12.0 MB of 30.0 MB · 4.1 MB/s · 4 s left"), or nil (no attribute)
// while there is nothing to say beyond the percentage.
func (c *ProgressBar) ValueText() any {
	if s := c.Progress.Summary(); s != "" {
		return s
	}
	return nil
}
