package main

import (
	"testing"
	"time"
)

func TestFormatBytes(t *testing.T) {
	for _, c := range []struct {
		n    int64
		want string
	}{
		{0, "0 B"}, {999, "999 B"}, {1000, "1.0 kB"}, {1536, "1.5 kB"},
		{12_500_000, "12.5 MB"}, {999_949_999, "999.9 MB"}, {1_200_000_000, "1.20 GB"},
	} {
		if got := formatBytes(c.n); got != c.want {
			t.Errorf("formatBytes(%d) = %q, want %q", c.n, got, c.want)
		}
	}
}

func TestFormatDuration(t *testing.T) {
	for _, c := range []struct {
		d    time.Duration
		want string
	}{
		{0, "1 s"}, {300 * time.Millisecond, "1 s"}, {4200 * time.Millisecond, "5 s"}, {59 * time.Second, "59 s"},
		{60 * time.Second, "1 min 0 s"}, {185 * time.Second, "3 min 5 s"}, {3700 * time.Second, "1 h 2 min"},
	} {
		if got := formatDuration(c.d); got != c.want {
			t.Errorf("formatDuration(%v) = %q, want %q", c.d, got, c.want)
		}
	}
}

// A download of 40 MB, 10 MB of it in the 2 s after its first event: 25%
// at 5 MB/s, 6 s left; then the upload phase restarts the clock and the
// bar, its speed counted from its first event (8 MB) on.
func TestLoadProgress(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	var p LoadProgress
	if p.Percent() != -1 || p.PhaseLabel() != "Starting" {
		t.Fatalf("before any event: %v%%, %q", p.Percent(), p.PhaseLabel())
	}
	p.Update(Progress{Phase: "download", Loaded: 0, Total: 40e6}, t0)
	if p.Rate() != 0 {
		t.Fatalf("rate %v before any byte", p.Rate())
	}
	p.Update(Progress{Phase: "download", Loaded: 10e6, Total: 40e6}, t0.Add(2*time.Second))
	if p.Percent() != 25 || p.Rate() != 5e6 {
		t.Fatalf("10 of 40 MB in 2 s: %v%% at %v B/s", p.Percent(), p.Rate())
	}
	if left, ok := p.Remaining(); !ok || left != 6*time.Second {
		t.Fatalf("remaining %v, %v; want 6s", left, ok)
	}
	if got, want := p.Summary(), "10.0 MB of 40.0 MB · 5.0 MB/s · 6 s left"; got != want {
		t.Fatalf("summary %q, want %q", got, want)
	}
	p.Update(Progress{Phase: "upload", Loaded: 8e6, Total: 40e6}, t0.Add(3*time.Second))
	if p.Percent() != 20 || p.PhaseLabel() != "Loading into memory" || p.Rate() != 0 {
		t.Fatalf("the upload's first event: %v%% %q at %v B/s", p.Percent(), p.PhaseLabel(), p.Rate())
	}
	p.Update(Progress{Phase: "upload", Loaded: 40e6, Total: 40e6}, t0.Add(4*time.Second))
	if got, want := p.Summary(), "40.0 MB of 40.0 MB · 32.0 MB/s"; got != want {
		t.Fatalf("summary %q, want %q", got, want)
	}
	p.Done = true
	if p.Percent() != 100 || p.PhaseLabel() != "Loaded" || p.Summary() != "40.0 MB of 40.0 MB" {
		t.Fatalf("done: %v%% %q %q", p.Percent(), p.PhaseLabel(), p.Summary())
	}
}

// Without a Content-Length the bar has no value, and the summary no total
// or time left.
func TestLoadProgressUnknownTotal(t *testing.T) {
	t0 := time.Date(2025, 1, 1, 12, 0, 0, 0, time.UTC)
	var p LoadProgress
	p.Update(Progress{Phase: "download"}, t0)
	p.Update(Progress{Phase: "download", Loaded: 3e6}, t0.Add(time.Second))
	if p.Percent() != -1 {
		t.Fatalf("percent %v without a total", p.Percent())
	}
	if _, ok := p.Remaining(); ok {
		t.Fatal("a time left without a total")
	}
	if got, want := p.Summary(), "3.0 MB · 3.0 MB/s"; got != want {
		t.Fatalf("summary %q, want %q", got, want)
	}
}
