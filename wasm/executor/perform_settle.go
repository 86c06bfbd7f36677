//go:build js

package executor

import (
	"context"
	"syscall/js"
	"time"
)

// How long the page must be quiet to count as settled, and the longest
// wait for it.
const (
	settleQuiet = 100 * time.Millisecond
	settleMax   = 1500 * time.Millisecond
	pollEvery   = 25 * time.Millisecond
)

// watcher records when the page last changed.
type watcher struct {
	last time.Time
	mo   js.Value
	cb   js.Func
}

// watch starts recording DOM changes of the page's documents (the top
// one and those of el's frame).
func (p *Page) watch(el js.Value) *watcher {
	w := &watcher{last: time.Now()}
	w.cb = js.FuncOf(func(js.Value, []js.Value) any {
		w.last = time.Now()
		return nil
	})
	w.mo = js.Global().Get("MutationObserver").New(w.cb)
	opts := object("subtree", true, "childList", true, "attributes", true, "characterData", true)
	top := p.doc.Underlying()
	w.mo.Call("observe", top, opts)
	if el.Truthy() {
		if d := el.Get("ownerDocument"); d.Truthy() && !d.Equal(top) {
			w.mo.Call("observe", d, opts)
		}
	}
	return w
}

// settle waits until the page has been quiet for settleQuiet (and at
// least that long after the action), at most settleMax, then stops
// watching. It reports whether the page settled in time.
func (w *watcher) settle(ctx context.Context) bool {
	defer func() {
		w.mo.Call("disconnect")
		w.cb.Release()
	}()
	start := time.Now()
	w.last = start
	for {
		if time.Since(w.last) >= settleQuiet {
			return true
		}
		if time.Since(start) >= settleMax {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(pollEvery):
		}
	}
}

// waitUntil polls cond every 100 ms until it holds, ctx ends, or timeout
// passes; it reports whether cond held.
func waitUntil(ctx context.Context, timeout time.Duration, cond func() bool) bool {
	deadline := time.Now().Add(timeout)
	for {
		if cond() {
			return true
		}
		if time.Now().After(deadline) {
			return false
		}
		select {
		case <-ctx.Done():
			return false
		case <-time.After(100 * time.Millisecond):
		}
	}
}
