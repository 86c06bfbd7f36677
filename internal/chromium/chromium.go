// Package chromium is how Hearth's browser tests and its benchmark start
// Chromium: Debian's package (or $HEARTH_CHROMIUM), headless, with the
// flags DESIGN.md lists, in a profile of its own.
package chromium

import (
	"fmt"
	"os"

	"github.com/chromedp/chromedp"
)

// Flags are the switches of every headless run here: no sandbox (tests
// run as root in CI), no GPU, and nothing that reaches the network by
// itself.
var Flags = []string{
	"headless", "no-sandbox", "disable-gpu", "disable-quic", "no-first-run",
	"disable-background-networking", "disable-component-update", "disable-sync",
}

// Path is Debian's Chromium, /usr/bin/chromium, or $HEARTH_CHROMIUM when
// set; an error, naming how to install it, when it is not there.
func Path() (string, error) {
	p := os.Getenv("HEARTH_CHROMIUM")
	if p == "" {
		p = "/usr/bin/chromium"
	}
	if _, err := os.Stat(p); err != nil {
		return "", fmt.Errorf("Chromium is needed at %s (apt-get install chromium, or set HEARTH_CHROMIUM): %w", p, err)
	}
	return p, nil
}

// Options are the allocator options that start the Chromium at path with
// Flags in the profile folder, then extra.
func Options(path, profile string, extra ...chromedp.ExecAllocatorOption) []chromedp.ExecAllocatorOption {
	opts := []chromedp.ExecAllocatorOption{chromedp.ExecPath(path), chromedp.UserDataDir(profile)}
	for _, f := range Flags {
		opts = append(opts, chromedp.Flag(f, true))
	}
	return append(opts, extra...)
}
