package main

import "github.com/vugu/vugu"

// disclosure is the open state of a collapsible section (a <details>
// element). Every render writes the element's open attribute from it, so
// it is the one source: a click on the <summary> (Enter and Space click
// it too) flips it instead of the browser, and when the browser opens the
// element itself (find in page opens a section with a match) it adopts
// that. Its zero value is open.
type disclosure struct {
	closed bool
}

// Open is the <details> element's open attribute.
func (d *disclosure) Open() bool { return !d.closed }

// summaryClicked flips the section on a click of its summary.
func (d *disclosure) summaryClicked(e vugu.DOMEvent) {
	e.PreventDefault()
	d.closed = !d.closed
}

// toggled adopts the element's state after a toggle event.
func (d *disclosure) toggled(e vugu.DOMEvent) { d.closed = !e.PropBool("target", "open") }

// statusWatch notices the model's status changing between renders.
type statusWatch struct {
	seen    ModelStatus
	started bool
}

// changed records status and tells whether it differs from the one of the
// previous render; the first render counts as a change.
func (w *statusWatch) changed(status ModelStatus) bool {
	changed := !w.started || status != w.seen
	w.seen, w.started = status, true
	return changed
}
