//go:build js

package executor

import (
	"context"
	"fmt"
	"strings"
	"syscall/js"

	"github.com/hearth-ai/hearth/engine/action"
)

// typeText sets a text field's value (replacing it, or appending) the way
// a framework notices: native setter, then input and change.
func (p *Page) typeText(ctx context.Context, a action.Action, el *action.Element, target js.Value) action.Outcome {
	if el == nil {
		return fail(a, el, action.ErrInvalid, "type needs a target")
	}
	tag := tagOf(target)
	inputType := ""
	if tag == "input" {
		inputType = strings.ToLower(str(target.Get("type")))
	}
	if !isTextField(target, tag, inputType) {
		return fail(a, el, action.ErrNotActable, label(el)+" is not a text field")
	}
	if _, bad := p.reach(a, el, target); bad != nil {
		return *bad
	}
	if target.Get("readOnly").Truthy() {
		return fail(a, el, action.ErrNotActable, label(el)+" is read-only")
	}
	shown := quote(a.Text)
	if isRedacted(target, tag, inputType) {
		shown = "the text"
	}
	w := p.watch(target)
	focus(target)
	p.touched.Call("add", target)
	if tag != "input" && tag != "textarea" {
		p.editContent(target, a.Text, a.Append)
		w.settle(ctx)
		if !target.Get("isConnected").Truthy() {
			return fail(a, el, action.ErrVanished, label(el)+" left the page while typing")
		}
		if !strings.Contains(collapse(str(target.Get("innerText"))), collapse(a.Text)) {
			return fail(a, el, action.ErrNoEffect, label(el)+" did not take the text")
		}
		return done(a, el, "typed "+shown+" into "+label(el))
	}
	want := a.Text
	if a.Append {
		want = str(target.Get("value")) + a.Text
	}
	p.logf("set the value of ", describe(target), " and sent input and change")
	setNativeValue(target, "value", want)
	fireInput(target, "insertText", a.Text)
	w.settle(ctx)
	if !target.Get("isConnected").Truthy() {
		return fail(a, el, action.ErrVanished, label(el)+" left the page while typing")
	}
	if got := str(target.Get("value")); got != want {
		if shown == "the text" {
			return fail(a, el, action.ErrNoEffect, label(el)+" did not keep the text")
		}
		return fail(a, el, action.ErrNoEffect, fmt.Sprintf("%s did not keep the text: it holds %s", label(el), quote(got)))
	}
	return done(a, el, "typed "+shown+" into "+label(el))
}

// editContent replaces (or extends) a contenteditable element's text with
// the browser's own editing command, which sends beforeinput and input
// as typing does; when the page refuses it, it sets the text and sends
// input itself.
func (p *Page) editContent(target js.Value, text string, appendText bool) {
	doc := target.Get("ownerDocument")
	sel := windowOf(target).Call("getSelection")
	r := doc.Call("createRange")
	r.Call("selectNodeContents", target)
	if appendText {
		r.Call("collapse", false)
	}
	sel.Call("removeAllRanges")
	sel.Call("addRange", r)
	p.logf("inserted text into ", describe(target))
	if doc.Call("execCommand", "insertText", false, text).Truthy() {
		return
	}
	if appendText {
		text = str(target.Get("textContent")) + text
	}
	target.Set("textContent", text)
	fireInput(target, "insertText", text)
}

// selectOption chooses an option of a <select> (or of a listbox or
// combobox made of role=option elements) by its visible text or value.
func (p *Page) selectOption(ctx context.Context, a action.Action, el *action.Element, target js.Value) action.Outcome {
	if el == nil {
		return fail(a, el, action.ErrInvalid, "select needs a target")
	}
	if tagOf(target) != "select" {
		return p.selectAriaOption(ctx, a, el, target)
	}
	if _, bad := p.reach(a, el, target); bad != nil {
		return *bad
	}
	texts, values := optionTexts(target)
	i := matchOption(texts, values, a.Option)
	if i < 0 {
		o := fail(a, el, action.ErrNotFound, fmt.Sprintf("%s has no option %s; its options are %s",
			label(el), quote(a.Option), strings.Join(quoteAll(texts), ", ")))
		o.Candidates = texts
		return o
	}
	if target.Get("selectedIndex").Int() == i {
		return done(a, el, fmt.Sprintf("%s already shows %s", label(el), quote(texts[i])))
	}
	w := p.watch(target)
	focus(target)
	p.logf("selected option ", itoa(i), " of ", describe(target), " and sent input and change")
	p.touched.Call("add", target)
	setNativeValue(target, "selectedIndex", i)
	fireInput(target, "", "")
	w.settle(ctx)
	if !target.Get("isConnected").Truthy() {
		return fail(a, el, action.ErrVanished, label(el)+" left the page")
	}
	if target.Get("selectedIndex").Int() != i {
		return fail(a, el, action.ErrNoEffect, fmt.Sprintf("%s did not keep %s", label(el), quote(texts[i])))
	}
	return done(a, el, fmt.Sprintf("selected %s in %s", quote(texts[i]), label(el)))
}

func quoteAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = quote(s)
	}
	return out
}

// selectAriaOption opens a custom listbox or combobox when it is closed
// and clicks its option whose text (or data-value) matches.
func (p *Page) selectAriaOption(ctx context.Context, a action.Action, el *action.Element, target js.Value) action.Outcome {
	g, bad := p.reach(a, el, target)
	if bad != nil {
		return *bad
	}
	if v, _ := attr(target, "aria-expanded"); v == "false" {
		w := p.watch(target)
		p.clickAt(target, g.cx, g.cy)
		w.settle(ctx)
	}
	opts := ariaOptions(target)
	var texts []string
	for i := 0; i < len(opts); i++ {
		texts = append(texts, collapse(str(opts[i].Get("textContent"))))
	}
	values := make([]string, len(opts))
	for i, o := range opts {
		values[i], _ = attr(o, "data-value")
	}
	i := matchOption(texts, values, a.Option)
	if i < 0 {
		o := fail(a, el, action.ErrNotFound, fmt.Sprintf("%s has no option %s; its options are %s",
			label(el), quote(a.Option), strings.Join(quoteAll(texts), ", ")))
		o.Candidates = texts
		return o
	}
	opt := opts[i]
	opt.Call("scrollIntoView", object("block", "nearest", "behavior", "instant"))
	og := measure(opt)
	if !og.rendered || og.covered {
		return fail(a, el, action.ErrNotActable, fmt.Sprintf("the option %s of %s cannot be reached", quote(texts[i]), label(el)))
	}
	w := p.watch(target)
	p.clickAt(opt, og.cx, og.cy)
	w.settle(ctx)
	return done(a, el, fmt.Sprintf("chose %s in %s", quote(texts[i]), label(el)))
}

// ariaOptions lists the role=option elements of a listbox or combobox:
// inside it, or in the elements it controls or owns.
func ariaOptions(target js.Value) []js.Value {
	var out []js.Value
	add := func(root js.Value) {
		list := root.Call("querySelectorAll", "[role=option]")
		for i := 0; i < list.Length(); i++ {
			out = append(out, list.Index(i))
		}
	}
	add(target)
	doc := target.Call("getRootNode")
	for _, a := range []string{"aria-controls", "aria-owns"} {
		ids, _ := attr(target, a)
		for _, id := range strings.Fields(ids) {
			if ref := doc.Call("getElementById", id); !ref.IsNull() {
				add(ref)
			}
		}
	}
	return out
}

// setChecked makes a checkbox, radio or switch checked (or not) by
// clicking it, so that the page's own handlers run; it does nothing when
// the state is already right.
func (p *Page) setChecked(ctx context.Context, a action.Action, el *action.Element, target js.Value, want bool) action.Outcome {
	if el == nil {
		return fail(a, el, action.ErrInvalid, string(a.Action)+" needs a target")
	}
	tag := tagOf(target)
	inputType := ""
	if tag == "input" {
		inputType = strings.ToLower(str(target.Get("type")))
	}
	role := roleOf(target, tag, inputType)
	state := checkedState(target, tag, inputType, role)
	if state == nil {
		return fail(a, el, action.ErrNotActable, label(el)+" is not a checkbox, radio or switch")
	}
	word := "checked"
	if !want {
		word = "unchecked"
		if inputType == "radio" || role == "radio" {
			return fail(a, el, action.ErrNotActable, label(el)+" is a radio button: choose another option instead")
		}
	}
	if *state == want {
		return done(a, el, label(el)+" is already "+word)
	}
	if isDisabled(target) {
		return fail(a, el, action.ErrNotActable, label(el)+" is disabled")
	}
	clickOn := target
	g, bad := p.reach(a, el, target)
	if bad != nil || !g.clear {
		// A styled checkbox is often a transparent or covered input
		// under its label: clicking the label is what a person does.
		l := target.Get("labels")
		if !l.Truthy() || l.Length() == 0 {
			if bad != nil {
				return *bad
			}
		} else {
			clickOn = l.Index(0)
			lg, lbad := p.reach(a, el, clickOn)
			if lbad != nil {
				return *lbad
			}
			g = lg
		}
	}
	w := p.watch(target)
	p.touched.Call("add", target)
	p.clickAt(clickOn, g.cx, g.cy)
	w.settle(ctx)
	if !target.Get("isConnected").Truthy() {
		return fail(a, el, action.ErrVanished, label(el)+" left the page")
	}
	if now := checkedState(target, tag, inputType, role); now == nil || *now != want {
		return fail(a, el, action.ErrNoEffect, label(el)+" did not become "+word)
	}
	return done(a, el, word+" "+label(el))
}
