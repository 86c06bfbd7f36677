package main

import (
	"fmt"
	"math"
	"time"

	"github.com/hearth-ai/hearth/web/app/bytesize"
)

// LoadProgress is what the progress bar shows of a load: the current
// phase's bytes and how fast they come.
type LoadProgress struct {
	Phase         string // as in Progress; "" before the first event
	Loaded, Total int64
	Started       time.Time // when this phase's first event came
	Updated       time.Time // when its last event came
	Done          bool      // the load finished

	startLoaded int64 // Loaded at Started
}

// Update records an event that came at now. A new phase restarts the
// clock: its speed is measured from its first event on.
func (p *LoadProgress) Update(ev Progress, now time.Time) {
	if ev.Phase != p.Phase || ev.Loaded < p.Loaded {
		p.Started, p.startLoaded = now, ev.Loaded
	}
	p.Phase, p.Loaded, p.Total, p.Updated = ev.Phase, ev.Loaded, ev.Total, now
}

// Percent is the phase's progress, 0 to 100, or -1 when the total is
// unknown (the bar then shows activity without a value). A finished load
// is at 100.
func (p *LoadProgress) Percent() float64 {
	switch {
	case p.Done:
		return 100
	case p.Total <= 0:
		return -1
	}
	return math.Min(100, 100*float64(p.Loaded)/float64(p.Total))
}

// Rate is the phase's average speed in bytes per second since its first
// event, 0 until a tenth of a second has passed (too early to say).
func (p *LoadProgress) Rate() float64 {
	secs := p.Updated.Sub(p.Started).Seconds()
	if secs < 0.1 || p.Loaded <= p.startLoaded {
		return 0
	}
	return float64(p.Loaded-p.startLoaded) / secs
}

// Remaining is the time the phase needs at its average rate, and whether
// that can be said (known total, known rate).
func (p *LoadProgress) Remaining() (time.Duration, bool) {
	rate := p.Rate()
	if rate <= 0 || p.Total <= 0 || p.Loaded > p.Total {
		return 0, false
	}
	return time.Duration(float64(p.Total-p.Loaded) / rate * float64(time.Second)), true
}

// PhaseLabel names the phase for people.
func (p *LoadProgress) PhaseLabel() string {
	switch {
	case p.Done:
		return "Loaded"
	case p.Phase == "download":
		return "Downloading"
	case p.Phase == "cached":
		return "Found in this browser's storage"
	case p.Phase == "upload":
		return "Loading into memory"
	}
	return "Starting"
}

// Summary is the line under the bar: "12.5 MB of 40.0 MB · 8.3 MB/s ·
// 4 s left", shortened to what is known.
func (p *LoadProgress) Summary() string {
	s := formatBytes(p.Loaded)
	if p.Total > 0 {
		s += " of " + formatBytes(p.Total)
	}
	if p.Done {
		return s
	}
	if rate := p.Rate(); rate > 0 {
		s += " · " + formatBytes(int64(rate)) + "/s"
	}
	if left, ok := p.Remaining(); ok && p.Loaded < p.Total {
		s += " · " + formatDuration(left) + " left"
	}
	return s
}

// formatBytes writes a byte count in decimal units (bytesize.Decimal).
func formatBytes(n int64) string { return bytesize.Decimal(n) }

// formatDuration writes a wait in whole units, rounded up so that it never
// promises too little: "1 s", "42 s", "3 min 5 s", "1 h 2 min".
func formatDuration(d time.Duration) string {
	s := int64(math.Ceil(d.Seconds()))
	switch {
	case s < 1:
		return "1 s"
	case s < 60:
		return fmt.Sprintf("%d s", s)
	case s < 3600:
		return fmt.Sprintf("%d min %d s", s/60, s%60)
	default:
		m := (s + 59) / 60
		return fmt.Sprintf("%d h %d min", m/60, m%60)
	}
}
