//go:build js

package executor

import (
	"context"
	"fmt"
	"strings"
	"syscall/js"
	"time"

	"github.com/hearth-ai/hearth/engine/action"
)

// pressKey sends keydown, keypress (for characters and Enter) and keyup
// to the target (or the focused element), then does what the browser
// would not do for synthetic keys: Enter in a form field submits the
// form (engine/action has asked for confirmation first), Enter or Space
// activates a button, a character is typed into a text field, Tab moves
// the focus.
func (p *Page) pressKey(ctx context.Context, a action.Action, el *action.Element, target js.Value) action.Outcome {
	doc := p.doc.Underlying()
	if el != nil {
		if _, bad := p.reach(a, el, target); bad != nil {
			return *bad
		}
		focus(target)
	} else {
		target = activeElement(doc)
	}
	key := normalizeKey(a.Key)
	if key == "Enter" || key == " " {
		if o, ok := p.offsiteLink(a, el, target); !ok {
			return o
		}
	}
	w := p.watch(target)
	p.logf("key ", quote(key), " on ", describe(target))
	proceed := keyEvent(target, "keydown", key)
	if proceed && (printable(key) || key == "Enter") {
		proceed = keyEvent(target, "keypress", key)
	}
	effect := ""
	if proceed {
		effect = p.keyDefault(target, key)
	}
	keyEvent(target, "keyup", key)
	w.settle(ctx)
	reason := fmt.Sprintf("pressed %s on %s", quote(a.Key), label(el))
	if el == nil {
		reason = fmt.Sprintf("pressed %s on the focused %s", quote(a.Key), describe(target))
	}
	if effect != "" {
		reason += " (" + effect + ")"
	}
	return done(a, el, reason)
}

// activeElement is the focused element, descending into same-origin
// frames; the body when nothing has the focus.
func activeElement(doc js.Value) js.Value {
	el := doc.Get("activeElement")
	for el.Truthy() && (tagOf(el) == "iframe" || tagOf(el) == "frame") {
		var inner js.Value
		if jsTry(func() { inner = el.Get("contentDocument") }) != nil || !inner.Truthy() {
			break
		}
		el = inner.Get("activeElement")
	}
	if !el.Truthy() {
		return doc.Get("body")
	}
	return el
}

// keyDefault performs the default action of an uncancelled key press and
// says what it did.
func (p *Page) keyDefault(target js.Value, key string) string {
	tag := tagOf(target)
	inputType := ""
	if tag == "input" {
		inputType = strings.ToLower(str(target.Get("type")))
	}
	text := isTextField(target, tag, inputType)
	switch {
	case key == "Enter" && tag == "input" && textInputTypes[inputType]:
		form := target.Get("form")
		if !form.Truthy() || !implicitSubmit(form) {
			return ""
		}
		if btn := defaultButton(form); btn.Truthy() {
			if isDisabled(btn) {
				return ""
			}
			form.Call("requestSubmit", btn)
		} else {
			form.Call("requestSubmit")
		}
		return "submitted the form"
	case (key == "Enter" || key == " ") && !text && (tag == "button" || tag == "a" || tag == "summary" ||
		(tag == "input" && (inputType == "checkbox" || inputType == "radio" || inputType == "submit" || inputType == "button"))):
		if key == " " && tag == "a" {
			return ""
		}
		target.Call("click")
		return "activated " + describe(target)
	case key == "Tab":
		if next := nextFocusable(target); next.Truthy() {
			focus(next)
			return "moved the focus to " + describe(next)
		}
	case key == "Backspace" && text && (tag == "input" || tag == "textarea"):
		v := []rune(str(target.Get("value")))
		if len(v) > 0 {
			setNativeValue(target, "value", string(v[:len(v)-1]))
			fireInput(target, "deleteContentBackward", "")
		}
	case printable(key) && text && (tag == "input" || tag == "textarea"):
		setNativeValue(target, "value", str(target.Get("value"))+key)
		fireInput(target, "insertText", key)
	case printable(key) && text:
		target.Get("ownerDocument").Call("execCommand", "insertText", false, key)
	}
	return ""
}

// defaultButton is a form's first submit button, which Enter clicks.
func defaultButton(form js.Value) js.Value {
	els := form.Get("elements")
	for i := 0; i < els.Length(); i++ {
		e := els.Index(i)
		t := strings.ToLower(str(e.Get("type")))
		if (tagOf(e) == "button" && t == "submit") || (tagOf(e) == "input" && (t == "submit" || t == "image")) {
			return e
		}
	}
	return js.Null()
}

// nextFocusable is the element after el in tab order (document order of
// focusable, enabled, rendered elements without a negative tabindex).
func nextFocusable(el js.Value) js.Value {
	list := el.Get("ownerDocument").Call("querySelectorAll",
		"a[href], button, input:not([type=hidden]), select, textarea, summary, [tabindex], [contenteditable]:not([contenteditable=false])")
	seen := false
	for i := 0; i < list.Length(); i++ {
		e := list.Index(i)
		if e.Equal(el) {
			seen = true
			continue
		}
		if !seen || isDisabled(e) || !measure(e).rendered {
			continue
		}
		if t, ok := attr(e, "tabindex"); ok && strings.HasPrefix(strings.TrimSpace(t), "-") {
			continue
		}
		return e
	}
	return js.Null()
}

// scroll moves the page (or a scrollable target) by about 80% of what it
// shows; no_effect when it is already at that end.
func (p *Page) scroll(ctx context.Context, a action.Action, el *action.Element, target js.Value) action.Outcome {
	sign := 1.0
	if a.Direction == "up" {
		sign = -1
	}
	scroller := p.doc.Underlying().Get("scrollingElement")
	view := p.win.Get("innerHeight").Float()
	what := "the page"
	if el != nil && target.Get("scrollHeight").Float() > target.Get("clientHeight").Float()+1 {
		scroller, view, what = target, target.Get("clientHeight").Float(), label(el)
	}
	before := scroller.Get("scrollTop").Float()
	w := p.watch(target)
	p.logf("scrolled ", what, " ", a.Direction)
	scroller.Call("scrollBy", object("top", sign*0.8*view, "behavior", "instant"))
	w.settle(ctx)
	if scroller.Get("scrollTop").Float() == before {
		return fail(a, el, action.ErrNoEffect, fmt.Sprintf("%s is already scrolled all the way %s", what, a.Direction))
	}
	return done(a, el, "scrolled "+what+" "+a.Direction)
}

// DefaultWaitMS is how long wait_for waits without timeout_ms.
const DefaultWaitMS = 5000

// waitFor waits until the page shows a text, or until the target (or an
// element named like the target's label) is there and rendered.
func (p *Page) waitFor(ctx context.Context, a action.Action, el *action.Element, target js.Value) action.Outcome {
	ms := a.TimeoutMS
	if ms <= 0 {
		ms = DefaultWaitMS
	}
	var cond func() bool
	var what string
	switch {
	case a.Text != "":
		want := strings.ToLower(collapse(a.Text))
		what = "the text " + quote(a.Text)
		cond = func() bool { return strings.Contains(strings.ToLower(p.visibleText()), want) }
	case el != nil:
		what = label(el)
		cond = func() bool { return target.Get("isConnected").Truthy() && measure(target).rendered }
	case a.Target != nil && a.Target.Label != "":
		what = "an element named " + quote(a.Target.Label)
		cond = func() bool { return p.hasElementNamed(ctx, a.Target.Label) }
	default:
		return fail(a, el, action.ErrInvalid, "wait_for needs a text or a target")
	}
	p.logf("waiting up to ", itoa(ms), " ms for ", what)
	if !waitUntil(ctx, time.Duration(ms)*time.Millisecond, cond) {
		if ctx.Err() != nil {
			return fail(a, el, action.ErrStopped, "the plan was stopped while waiting for "+what)
		}
		return fail(a, el, action.ErrTimeout, fmt.Sprintf("%s did not appear within %d ms", what, ms))
	}
	return done(a, el, what+" is there")
}

// hasElementNamed reports whether the page lists an element whose name
// contains label.
func (p *Page) hasElementNamed(ctx context.Context, label string) bool {
	obs, err := p.ObserveBudget(ctx, 1<<20)
	if err != nil {
		return false
	}
	want := strings.ToLower(collapse(label))
	for _, e := range obs.Elements {
		if strings.Contains(strings.ToLower(e.Name), want) {
			return true
		}
	}
	return false
}

// visibleText is the text the page shows (the open dialog's, when one
// is), with that of its same-origin frames.
func (p *Page) visibleText() string {
	var texts []string
	doc := p.doc.Underlying()
	var root js.Value = doc
	if dlg, _, ok := openDialog(doc); ok {
		root = dlg
	}
	collectText(doc, root, &texts)
	return collapse(strings.Join(texts, " "))
}

// collectText gathers the inner text of root and of the same-origin
// frames under it.
func collectText(doc, root js.Value, texts *[]string) {
	*texts = append(*texts, innerText(doc, root))
	for _, host := range shadowHosts(root) {
		collectText(doc, host.Get("shadowRoot"), texts)
	}
	frames := root.Call("querySelectorAll", "iframe, frame")
	for i := 0; i < frames.Length(); i++ {
		var cdoc js.Value
		if jsTry(func() { cdoc = frames.Index(i).Get("contentDocument") }) == nil && cdoc.Truthy() {
			collectText(cdoc, cdoc, texts)
		}
	}
}

// maxExtract bounds what extract returns.
const maxExtract = 4000

// extract reads the target's text (a field's value, never a redacted
// one) or the page's visible text.
func (p *Page) extract(a action.Action, el *action.Element, target js.Value) action.Outcome {
	var text string
	if el == nil {
		text = p.visibleText()
	} else {
		tag := tagOf(target)
		inputType := ""
		if tag == "input" {
			inputType = strings.ToLower(str(target.Get("type")))
		}
		switch {
		case isRedacted(target, tag, inputType):
			return fail(a, el, action.ErrDenied, label(el)+" holds a password or payment data, which Hearth does not read")
		case tag == "input" || tag == "textarea" || tag == "select":
			text = valueOf(target, tag, inputType, roleOf(target, tag, inputType))
		default:
			text = collapse(str(target.Get("innerText")))
		}
	}
	text, cut := clip(collapse(text), maxExtract)
	o := done(a, el, "read the text of "+label(el))
	if cut {
		o.Reason += " (cut to " + itoa(maxExtract) + " characters)"
	}
	o.Result = text
	return o
}

// navigate loads a URL of the page's own origin.
func (p *Page) navigate(a action.Action) action.Outcome {
	loc := p.win.Get("location")
	var u js.Value
	if err := jsTry(func() { u = js.Global().Get("URL").New(a.URL, loc.Get("href")) }); err != nil {
		return fail(a, nil, action.ErrInvalid, fmt.Sprintf("%s is not a URL", quote(a.URL)))
	}
	if origin := str(loc.Get("origin")); str(u.Get("origin")) != origin {
		return fail(a, nil, action.ErrCrossOrigin, fmt.Sprintf("%s is outside this site (%s)", quote(a.URL), origin))
	}
	href := str(u.Get("href"))
	p.logf("navigating to ", href)
	loc.Call("assign", href)
	return done(a, nil, "navigating to "+href)
}
