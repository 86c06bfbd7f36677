//go:build js

package executor

import (
	"context"
	"fmt"
	"syscall/js"

	"github.com/hearth-ai/hearth/engine/action"
)

// Perform carries out one action that engine/action has already resolved
// and allowed: el is its target from the last observation (nil for
// actions on the page as a whole). It scrolls the target into view, sends
// the events a person's input would, waits for the page to settle and
// checks that the change took.
func (p *Page) Perform(ctx context.Context, a action.Action, el *action.Element) (out action.Outcome) {
	defer func() {
		if r := recover(); r != nil {
			out = fail(a, el, action.ErrNotActable, fmt.Sprintf("the page raised an error: %v", r))
		}
	}()
	if err := ctx.Err(); err != nil {
		return fail(a, el, action.ErrStopped, "the plan was stopped")
	}
	var target js.Value
	if el != nil {
		t, ok := p.element(el.Index)
		if !ok {
			return fail(a, el, action.ErrVanished, fmt.Sprintf("element [%d] %s is no longer on the page", el.Index, quote(el.Name)))
		}
		target = t
	}
	switch a.Action {
	case action.Click:
		return p.click(ctx, a, el, target)
	case action.Type:
		return p.typeText(ctx, a, el, target)
	case action.Select:
		return p.selectOption(ctx, a, el, target)
	case action.Check, action.Uncheck:
		return p.setChecked(ctx, a, el, target, a.Action == action.Check)
	case action.PressKey:
		return p.pressKey(ctx, a, el, target)
	case action.Hover:
		return p.hover(ctx, a, el, target)
	case action.Scroll:
		return p.scroll(ctx, a, el, target)
	case action.WaitFor:
		return p.waitFor(ctx, a, el, target)
	case action.Extract:
		return p.extract(a, el, target)
	case action.Navigate:
		return p.navigate(a)
	}
	return fail(a, el, action.ErrInvalid, fmt.Sprintf("the page cannot perform %q", a.Action))
}

// done is a successful outcome with a sentence saying what was done.
func done(a action.Action, el *action.Element, reason string) action.Outcome {
	o := action.Outcome{Action: a.Action, Status: action.StatusDone, Reason: reason}
	if el != nil {
		i := el.Index
		o.Element = &i
	}
	return o
}

// fail is a failed outcome of the given kind.
func fail(a action.Action, el *action.Element, kind action.ErrorKind, reason string) action.Outcome {
	o := done(a, el, reason)
	o.Status, o.Kind = action.StatusError, kind
	return o
}

// label names el in a reason: its role and name, e.g. button "Save".
func label(el *action.Element) string {
	if el == nil {
		return "the page"
	}
	return fmt.Sprintf("%s %s [%d]", el.Role, quote(el.Name), el.Index)
}

// reach scrolls target into view and checks that a person could act on
// it there: rendered, not covered, not disabled. It returns its geometry,
// or the failure.
func (p *Page) reach(a action.Action, el *action.Element, target js.Value) (geometry, *action.Outcome) {
	target.Call("scrollIntoView", object("block", "center", "inline", "center", "behavior", "instant"))
	g := measure(target)
	switch {
	case !target.Get("isConnected").Truthy():
		o := fail(a, el, action.ErrVanished, label(el)+" left the page")
		return g, &o
	case !g.rendered:
		o := fail(a, el, action.ErrNotActable, label(el)+" is hidden")
		return g, &o
	case isDisabled(target):
		o := fail(a, el, action.ErrNotActable, label(el)+" is disabled")
		return g, &o
	case g.covered:
		o := fail(a, el, action.ErrNotActable, label(el)+" is covered by "+describe(g.coveredBy))
		return g, &o
	}
	return g, nil
}

func (p *Page) click(ctx context.Context, a action.Action, el *action.Element, target js.Value) action.Outcome {
	if el == nil {
		return fail(a, el, action.ErrInvalid, "click needs a target")
	}
	if o, ok := p.offsiteLink(a, el, target); !ok {
		return o
	}
	clickOn := target
	if !measure(target).rendered {
		if l, ok := renderedLabel(target); ok && !isDisabled(target) {
			clickOn = l // a hidden control is clicked through its label
		}
	}
	g, bad := p.reach(a, el, clickOn)
	if bad != nil {
		return *bad
	}
	w := p.watch(target)
	p.clickAt(clickOn, g.cx, g.cy)
	w.settle(ctx)
	return done(a, el, "clicked "+label(el))
}

func (p *Page) hover(ctx context.Context, a action.Action, el *action.Element, target js.Value) action.Outcome {
	if el == nil {
		return fail(a, el, action.ErrInvalid, "hover needs a target")
	}
	g, bad := p.reach(a, el, target)
	if bad != nil {
		return *bad
	}
	w := p.watch(target)
	p.hoverAt(target, g.cx, g.cy)
	w.settle(ctx)
	return done(a, el, "moved the pointer over "+label(el))
}

// offsiteLink refuses to follow a link (target, or the link it is in) to
// another origin: Hearth acts only on the page's own site.
func (p *Page) offsiteLink(a action.Action, el *action.Element, target js.Value) (action.Outcome, bool) {
	link, ok := closest(target, "a[href], area[href]")
	if !ok {
		return action.Outcome{}, true
	}
	proto := str(link.Get("protocol"))
	if proto != "http:" && proto != "https:" {
		if proto == "javascript:" {
			return action.Outcome{}, true // a script link stays on the page
		}
		return fail(a, el, action.ErrCrossOrigin, fmt.Sprintf("%s leads to %s, outside this site", label(el), quote(str(link.Get("href"))))), false
	}
	if origin := str(p.win.Get("location").Get("origin")); str(link.Get("origin")) != origin {
		return fail(a, el, action.ErrCrossOrigin, fmt.Sprintf("%s leads to %s, outside this site (%s)", label(el), quote(str(link.Get("href"))), origin)), false
	}
	return action.Outcome{}, true
}
