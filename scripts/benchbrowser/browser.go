package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync"

	cdpbrowser "github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"

	hchromium "github.com/hearth-ai/hearth/internal/chromium"
)

// browser is one Chromium process with a fresh profile and one page.
type browser struct {
	ctx       context.Context // the page's context
	cancel    func()
	profile   string
	mu        sync.Mutex
	console   []string // console messages and exceptions, in order (under mu)
	verbose   bool
	logf      func(string, ...any)
	processID int
}

// startBrowser starts Chromium with a fresh --user-data-dir.
func startBrowser(parent context.Context, chromium string, verbose bool, logf func(string, ...any)) (*browser, error) {
	profile, err := os.MkdirTemp("", "benchbrowser-profile-")
	if err != nil {
		return nil, err
	}
	opts := hchromium.Options(chromium, profile, chromedp.Flag("enable-blink-features", "ForceEagerMeasureMemory"))
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(parent, opts...)
	ctx, cancelCtx := chromedp.NewContext(allocCtx)
	b := &browser{ctx: ctx, profile: profile, verbose: verbose, logf: logf}
	b.cancel = func() {
		cancelCtx()
		cancelAlloc()
		os.RemoveAll(profile)
	}
	if err := chromedp.Do(ctx); err != nil {
		b.cancel()
		return nil, fmt.Errorf("starting %s: %w", chromium, err)
	}
	if err := chromedp.Listen(ctx, b.onEvent); err != nil {
		b.cancel()
		return nil, fmt.Errorf("listening to the page: %w", err)
	}
	if p := chromedp.FromContext(ctx).Browser.Process(); p != nil {
		b.processID = p.Pid
	}
	return b, nil
}

func (b *browser) onEvent(ev any) {
	var line string
	switch ev := ev.(type) {
	case *runtime.EventConsoleAPICalled:
		var parts []string
		for _, a := range ev.Args {
			if a.Value != nil {
				var s string
				if json.Unmarshal(a.Value, &s) == nil {
					parts = append(parts, s)
					continue
				}
				parts = append(parts, string(a.Value))
			} else {
				parts = append(parts, a.Description)
			}
		}
		line = fmt.Sprintf("console.%s: %s", ev.Type, strings.Join(parts, " "))
	case *runtime.EventExceptionThrown:
		d := ev.ExceptionDetails
		line = "exception: " + d.Text
		if d.Exception != nil {
			line += " " + d.Exception.Description
		}
	default:
		return
	}
	b.mu.Lock()
	b.console = append(b.console, line)
	b.mu.Unlock()
	if b.verbose {
		b.logf("  page %s", line)
	}
}

// open navigates to url and waits until the page's engine is installed.
func (b *browser) open(url string) error {
	if err := chromedp.Do(b.ctx, chromedp.Navigate(url)); err != nil {
		return fmt.Errorf("opening %s: %w", url, err)
	}
	expr := `(typeof benchReady === "undefined") ? {error: "the page has no benchmark harness (harness.js)"} :
		benchReady.then(name => ({ok: name}), e => ({error: String(e && e.message || e)}))`
	res, err := eval[pageAnswer](b, expr)
	if err != nil {
		return err
	}
	if res.Error != "" {
		return fmt.Errorf("page %s: %s", url, res.Error)
	}
	return nil
}

// pageAnswer is what benchCall answers.
type pageAnswer struct {
	OK      json.RawMessage `json:"ok"`
	Error   string          `json:"error"`
	Missing bool            `json:"missing"`
}

// call runs benchEngine[method](args...) in the page and decodes its value
// into out. missing reports an optional method the engine does not have.
func (b *browser) call(method string, out any, args ...any) (missing bool, err error) {
	argJSON, err := json.Marshal(args)
	if err != nil {
		return false, err
	}
	res, err := eval[pageAnswer](b, fmt.Sprintf("benchCall(%q, %s)", method, argJSON))
	if err != nil {
		return false, fmt.Errorf("%s: %w", method, err)
	}
	switch {
	case res.Error != "":
		return false, fmt.Errorf("%s: %s", method, res.Error)
	case res.Missing:
		return true, nil
	}
	if out != nil {
		if err := json.Unmarshal(res.OK, out); err != nil {
			return false, fmt.Errorf("%s answered %s: %w", method, res.OK, err)
		}
	}
	return false, nil
}

// eval evaluates a JavaScript expression in the page, awaiting it if it is
// a promise, and decodes its JSON value.
func eval[T any](b *browser, expr string) (T, error) {
	return chromedp.Run(b.ctx, chromedp.Evaluate[T](expr, chromedp.EvalAwaitPromise))
}

// version is the browser's product string, e.g.
// "HeadlessChrome/156.0.8078.108" ("" if the browser does not say).
func (b *browser) version() string {
	v, err := chromedp.Run(b.ctx, func(ctx context.Context, t *chromedp.Target) (string, error) {
		r, err := cdp.Call(ctx, t, cdpbrowser.GetVersion, cdp.Empty{})
		if err != nil {
			return "", err
		}
		return r.Product, nil
	})
	if err != nil {
		return ""
	}
	return v
}

// lastConsole is the last n console lines.
func (b *browser) lastConsole(n int) []string {
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.console) > n {
		return append([]string(nil), b.console[len(b.console)-n:]...)
	}
	return append([]string(nil), b.console...)
}

func (b *browser) close() { b.cancel() }
