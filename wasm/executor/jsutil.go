//go:build js

package executor

import (
	"errors"
	"strconv"
	"strings"
	"syscall/js"
)

// jsTry runs f, turning a JavaScript exception it raises into an error.
func jsTry(f func()) (err error) {
	defer func() {
		if r := recover(); r != nil {
			if e, ok := r.(error); ok {
				err = e
				return
			}
			err = errors.New("javascript error")
		}
	}()
	f()
	return nil
}

// CatchJS runs f, turning a JavaScript exception it raises into an
// error: for callers of page hooks (the embed runtime).
func CatchJS(f func()) error { return jsTry(f) }

// str is v as a string, "" when v is not one.
func str(v js.Value) string {
	if v.Type() != js.TypeString {
		return ""
	}
	return v.String()
}

// attr returns el's attribute name and whether el has it.
func attr(el js.Value, name string) (string, bool) {
	v := el.Call("getAttribute", name)
	if v.IsNull() {
		return "", false
	}
	return v.String(), true
}

// tagOf is el's lower-case tag name.
func tagOf(el js.Value) string { return strings.ToLower(str(el.Get("tagName"))) }

// closest is el.closest(sel), false when nothing matches (or sel is bad).
func closest(el js.Value, sel string) (js.Value, bool) {
	var v js.Value
	if jsTry(func() { v = el.Call("closest", sel) }) != nil || v.IsNull() || v.IsUndefined() {
		return js.Value{}, false
	}
	return v, true
}

// closestComposed is closest across shadow roots: when nothing in el's
// own tree matches, the search goes on from the shadow root's host, so a
// data-hearth-deny around a web component covers what is inside it.
func closestComposed(el js.Value, sel string) (js.Value, bool) {
	for el.Truthy() {
		if v, ok := closest(el, sel); ok {
			return v, true
		}
		el = el.Call("getRootNode").Get("host")
	}
	return js.Value{}, false
}

// matches is el.matches(sel), false for a selector the browser rejects.
func matches(el js.Value, sel string) bool {
	ok := false
	_ = jsTry(func() { ok = el.Call("matches", sel).Bool() })
	return ok
}

// describe names an element for a log line or a reason: its tag, id and
// first class, e.g. div#overlay.backdrop.
func describe(el js.Value) string {
	if el.IsNull() || el.IsUndefined() {
		return "nothing"
	}
	s := tagOf(el)
	if id := str(el.Get("id")); id != "" {
		s += "#" + id
	}
	if cl := el.Get("classList"); cl.Truthy() && cl.Length() > 0 {
		s += "." + cl.Index(0).String()
	}
	return s
}

// quote is s in double quotes, for reasons.
func quote(s string) string { return strconv.Quote(s) }

func itoa(i int) string { return strconv.Itoa(i) }

// windowOf is the window of el's document (an iframe's, for elements in
// one).
func windowOf(el js.Value) js.Value { return el.Get("ownerDocument").Get("defaultView") }

// object builds a JS object from key/value pairs.
func object(kv ...any) js.Value {
	o := js.Global().Get("Object").New()
	for i := 0; i+1 < len(kv); i += 2 {
		o.Set(kv[i].(string), kv[i+1])
	}
	return o
}
