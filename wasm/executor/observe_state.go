//go:build js

package executor

import (
	"strconv"
	"strings"
	"syscall/js"
)

// textInputTypes are the <input> types that hold typed text.
var textInputTypes = map[string]bool{
	"": true, "text": true, "search": true, "email": true, "url": true, "tel": true, "password": true,
	"number": true, "date": true, "datetime-local": true, "month": true, "week": true, "time": true,
}

// isTextField reports whether el takes typed text: a text-like input, a
// textarea, or a contenteditable element.
func isTextField(el js.Value, tag, inputType string) bool {
	switch tag {
	case "input":
		return textInputTypes[inputType]
	case "textarea":
		return true
	}
	return el.Get("isContentEditable").Truthy()
}

// geometry is where an element is on its frame's viewport, and whether a
// person could see and reach it there.
type geometry struct {
	rendered  bool    // has a box, and is not visibility:hidden
	cx, cy    float64 // its centre, in its frame's viewport
	inView    bool    // the centre is in the viewport
	covered   bool    // another element is on top of its centre
	coveredBy js.Value
	clear     bool // not fully transparent
}

// measure finds el's geometry in its own document.
func measure(el js.Value) geometry {
	var g geometry
	if el.Call("getClientRects").Length() == 0 {
		return g
	}
	win := windowOf(el)
	style := win.Call("getComputedStyle", el)
	if v := str(style.Get("visibility")); v == "hidden" || v == "collapse" {
		return g
	}
	r := el.Call("getBoundingClientRect")
	w, h := r.Get("width").Float(), r.Get("height").Float()
	if w == 0 && h == 0 {
		return g
	}
	g.rendered = true
	op, err := strconv.ParseFloat(str(style.Get("opacity")), 64)
	g.clear = err != nil || op > 0
	g.cx, g.cy = r.Get("left").Float()+w/2, r.Get("top").Float()+h/2
	vw, vh := win.Get("innerWidth").Float(), win.Get("innerHeight").Float()
	g.inView = g.cx >= 0 && g.cy >= 0 && g.cx < vw && g.cy < vh
	if g.inView {
		// The hit test of el's own tree (a shadow root's, for elements
		// of a web component) answers in that tree's terms.
		hit := el.Call("getRootNode").Call("elementFromPoint", g.cx, g.cy)
		switch {
		case hit.IsNull() || reaches(el, hit):
		case hit.Call("contains", el).Bool() || clipped(el, g.cx, g.cy):
			// el is scrolled out of a scrolling box (or an ancestor
			// takes its pointer events); scrolling it into view reaches it.
			g.inView = false
		case hearthUI(hit):
			// Hearth's own widget floats over the page; the executor's
			// events go to the element, not through the widget.
		default:
			g.covered, g.coveredBy = true, hit
		}
	}
	return g
}

// hearthUI reports whether el is part of Hearth's own widget.
func hearthUI(el js.Value) bool {
	_, ok := closestComposed(el, "hearth-widget, [data-hearth-ui]")
	return ok
}

// reaches reports whether a pointer landing on hit reaches el: hit is el,
// inside it, or inside one of its labels.
func reaches(el, hit js.Value) bool {
	if hit.Equal(el) || el.Call("contains", hit).Bool() {
		return true
	}
	if labels := el.Get("labels"); labels.Truthy() {
		for i := 0; i < labels.Length(); i++ {
			if labels.Index(i).Call("contains", hit).Bool() {
				return true
			}
		}
	}
	return false
}

// checkedState is the checked state of a checkbox, radio or switch (nil
// for other controls).
func checkedState(el js.Value, tag, inputType, role string) *bool {
	if tag == "input" && (inputType == "checkbox" || inputType == "radio") {
		return boolPtr(el.Get("checked").Bool())
	}
	switch role {
	case "checkbox", "radio", "switch", "menuitemcheckbox", "menuitemradio":
		v, _ := attr(el, "aria-checked")
		return boolPtr(strings.EqualFold(v, "true"))
	}
	return nil
}

func boolPtr(b bool) *bool { return &b }

// ariaBool reads an aria-* boolean: nil when absent.
func ariaBool(el js.Value, name string) *bool {
	v, ok := attr(el, name)
	if !ok {
		return nil
	}
	return boolPtr(strings.EqualFold(strings.TrimSpace(v), "true"))
}

// isDisabled covers the disabled property (with disabled fieldsets) and
// aria-disabled.
func isDisabled(el js.Value) bool {
	if matches(el, ":disabled") {
		return true
	}
	_, ok := closestComposed(el, "[aria-disabled=true]")
	return ok
}

// isInvalid is aria-invalid, or the browser's own validity once the
// person (:user-invalid) or Hearth (touched) has edited the field.
func isInvalid(el js.Value, touched bool) bool {
	if v, ok := attr(el, "aria-invalid"); ok && v != "false" && v != "" {
		return true
	}
	return matches(el, ":user-invalid") || (touched && matches(el, ":invalid"))
}

// isRedacted reports a password or payment field, whose value the model
// never sees.
func isRedacted(el js.Value, tag, inputType string) bool {
	if tag != "input" && tag != "textarea" {
		return false
	}
	if inputType == "password" {
		return true
	}
	ac, _ := attr(el, "autocomplete")
	name, _ := attr(el, "name")
	return isPaymentField(ac, name, str(el.Get("id")))
}

// maxValueLen bounds a field's value in the observation.
const maxValueLen = 200

// valueOf is what a control holds: a field's text, a select's chosen
// options, a slider's value.
func valueOf(el js.Value, tag, inputType, role string) string {
	var v string
	switch {
	case tag == "select":
		var chosen []string
		opts := el.Get("selectedOptions")
		for i := 0; i < opts.Length(); i++ {
			chosen = append(chosen, collapse(str(opts.Index(i).Get("text"))))
		}
		v = strings.Join(chosen, ", ")
	case tag == "input":
		switch inputType {
		case "checkbox", "radio", "button", "submit", "reset", "image", "file":
			return ""
		}
		v = str(el.Get("value"))
	case tag == "textarea":
		v = str(el.Get("value"))
	case el.Get("isContentEditable").Truthy():
		v = collapse(str(el.Get("innerText")))
	case role == "slider" || role == "spinbutton":
		if s, ok := attr(el, "aria-valuetext"); ok {
			v = s
		} else {
			v, _ = attr(el, "aria-valuenow")
		}
	}
	v, _ = clip(v, maxValueLen)
	return v
}

// optionTexts lists a select's options.
func optionTexts(el js.Value) (texts, values []string) {
	opts := el.Get("options")
	for i := 0; i < opts.Length(); i++ {
		o := opts.Index(i)
		texts = append(texts, collapse(str(o.Get("text"))))
		values = append(values, str(o.Get("value")))
	}
	return texts, values
}

// submits reports whether activating el submits its form: a submit
// button, or a text field where Enter submits (the form has a submit
// button, or this is its only text field).
func submits(el js.Value, tag, inputType string) bool {
	form := el.Get("form")
	if !form.Truthy() {
		return false
	}
	switch {
	case tag == "button":
		t := strings.ToLower(str(el.Get("type")))
		return t == "" || t == "submit"
	case tag == "input" && (inputType == "submit" || inputType == "image"):
		return true
	case tag == "input" && textInputTypes[inputType]:
		return implicitSubmit(form)
	}
	return false
}

// implicitSubmit reports whether Enter in a text field of form submits it.
func implicitSubmit(form js.Value) bool {
	els := form.Get("elements")
	fields := 0
	for i := 0; i < els.Length(); i++ {
		e := els.Index(i)
		tag, typ := tagOf(e), strings.ToLower(str(e.Get("type")))
		if (tag == "button" && typ == "submit") || (tag == "input" && (typ == "submit" || typ == "image")) {
			return true
		}
		if tag == "input" && textInputTypes[typ] {
			fields++
		}
	}
	return fields == 1
}

// clipped reports whether (x, y), el's centre, lies outside one of the
// boxes around el that clip their content (overflow other than visible).
func clipped(el js.Value, x, y float64) bool {
	win := windowOf(el)
	for a := parentComposed(el); a.Truthy(); a = parentComposed(a) {
		st := win.Call("getComputedStyle", a)
		if str(st.Get("overflowX")) == "visible" && str(st.Get("overflowY")) == "visible" {
			continue
		}
		r := a.Call("getBoundingClientRect")
		if x < r.Get("left").Float() || x > r.Get("right").Float() || y < r.Get("top").Float() || y > r.Get("bottom").Float() {
			return true
		}
	}
	return false
}

// parentComposed is el's parent element, or its shadow root's host.
func parentComposed(el js.Value) js.Value {
	if p := el.Get("parentElement"); p.Truthy() {
		return p
	}
	return el.Call("getRootNode").Get("host")
}
