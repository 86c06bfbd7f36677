package main

import "fmt"

// ProgressBar shows a load's progress: phase, bar, bytes, speed and time
// left.
type ProgressBar struct {
	Progress *LoadProgress
}

// Value is the bar's value attribute, or nil (no attribute: the bar shows
// activity without a value) when the size is unknown.
func (c *ProgressBar) Value() any {
	p := c.Progress.Percent()
	if p < 0 {
		return nil
	}
	return fmt.Sprintf("%.1f", p)
}

// PercentText is the percentage beside the phase, "" when unknown.
func (c *ProgressBar) PercentText() string {
	p := c.Progress.Percent()
	if p < 0 {
		return ""
	}
	return fmt.Sprintf("%.0f%%", p)
}
