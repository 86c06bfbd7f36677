//go:build !js

package web

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/internal/chromium"
)

// chromiumPath is the Chromium the tests drive (internal/chromium): the
// test fails, not skips, without it.
func chromiumPath(t *testing.T) string {
	t.Helper()
	p, err := chromium.Path()
	if err != nil {
		t.Fatalf("the web app's tests: %v", err)
	}
	return p
}

// page is a tab of a fresh headless Chromium.
type page struct {
	t   *testing.T
	ctx context.Context

	mu         sync.Mutex
	exceptions []string // uncaught exceptions in the page, in order
	console    []string // console lines, for failure reports
}

// newPage starts Chromium with a fresh profile; it ends with the test, or
// after timeout.
func newPage(t *testing.T, timeout time.Duration) *page {
	t.Helper()
	opts := chromium.Options(chromiumPath(t), t.TempDir(), chromedp.WindowSize(1280, 900))
	ctx, cancelTimeout := context.WithTimeout(context.Background(), timeout)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tabCtx, cancelTab := chromedp.NewContext(allocCtx)
	t.Cleanup(func() {
		cancelTab()
		cancelAlloc()
		cancelTimeout()
	})
	p := &page{t: t, ctx: tabCtx}
	if err := chromedp.Do(tabCtx); err != nil {
		t.Fatalf("starting Chromium: %v", err)
	}
	if err := chromedp.Listen(tabCtx, p.onEvent); err != nil {
		t.Fatalf("listening to the page: %v", err)
	}
	return p
}

func (p *page) onEvent(ev any) {
	p.mu.Lock()
	defer p.mu.Unlock()
	switch ev := ev.(type) {
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		line := d.Text
		if d.Exception != nil {
			line += " " + d.Exception.Description
		}
		p.exceptions = append(p.exceptions, line)
		p.console = append(p.console, "exception: "+line)
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		p.console = append(p.console, fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " ")))
	}
}

// fatalf ends the test with the page's console.
func (p *page) fatalf(format string, args ...any) {
	p.t.Helper()
	p.mu.Lock()
	console := strings.Join(p.console, "\n  ")
	p.mu.Unlock()
	p.t.Fatalf(format+"\npage console:\n  %s", append(args, console)...)
}

// do runs chromedp actions, failing the test on error.
func (p *page) do(what string, actions ...chromedp.Action[chromedp.Void]) {
	p.t.Helper()
	if err := chromedp.Do(p.ctx, actions...); err != nil {
		p.fatalf("%s: %v", what, err)
	}
}

// eval evaluates a JavaScript expression in the page (awaiting a promise)
// and decodes its JSON value.
func eval[T any](p *page, expr string) T {
	p.t.Helper()
	v, err := chromedp.Run(p.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
	if err != nil {
		p.fatalf("evaluating %s: %v", expr, err)
	}
	return v
}

// noExceptions fails the test if the page threw.
func (p *page) noExceptions() {
	p.t.Helper()
	p.mu.Lock()
	ex := append([]string(nil), p.exceptions...)
	p.mu.Unlock()
	if len(ex) > 0 {
		p.fatalf("the page threw: %s", strings.Join(ex, "; "))
	}
}

// sleep waits d, or fails when the page's time is up.
func (p *page) sleep(d time.Duration) {
	p.t.Helper()
	select {
	case <-time.After(d):
	case <-p.ctx.Done():
		p.fatalf("the test ran out of time")
	}
}
