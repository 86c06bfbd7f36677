//go:build js

package executor

import (
	"strings"
	"syscall/js"
)

// maxNameLen bounds an accessible name: long link texts are cut.
const maxNameLen = 120

// accessibleName computes the name a screen reader would announce, in
// the order the DESIGN gives: aria-labelledby, aria-label, the control's
// labels (<label for> and a wrapping label), alt, title, placeholder,
// then its text content.
func accessibleName(el js.Value) string {
	name := rawName(el)
	name, _ = clip(collapse(name), maxNameLen)
	return name
}

func rawName(el js.Value) string {
	doc := el.Call("getRootNode") // the document, or the shadow root el is in
	if ids, ok := attr(el, "aria-labelledby"); ok {
		var parts []string
		for _, id := range strings.Fields(ids) {
			if ref := doc.Call("getElementById", id); !ref.IsNull() {
				parts = append(parts, collapse(str(ref.Get("textContent"))))
			}
		}
		if s := strings.Join(parts, " "); strings.TrimSpace(s) != "" {
			return s
		}
	}
	if s, _ := attr(el, "aria-label"); strings.TrimSpace(s) != "" {
		return s
	}
	if s := labelText(el); s != "" {
		return s
	}
	tag := tagOf(el)
	if tag == "img" || (tag == "input" && strings.EqualFold(str(el.Get("type")), "image")) {
		if s, _ := attr(el, "alt"); strings.TrimSpace(s) != "" {
			return s
		}
	}
	if s, _ := attr(el, "title"); strings.TrimSpace(s) != "" {
		return s
	}
	if s, _ := attr(el, "placeholder"); strings.TrimSpace(s) != "" {
		return s
	}
	return contentName(el, tag)
}

// labelText is the text of el's <label>s without the controls inside
// them (a wrapping label's own select would otherwise add its options).
func labelText(el js.Value) string {
	labels := el.Get("labels")
	if !labels.Truthy() {
		return ""
	}
	var parts []string
	for i := 0; i < labels.Length(); i++ {
		if s := collapse(textWithoutControls(labels.Index(i))); s != "" {
			parts = append(parts, s)
		}
	}
	return strings.Join(parts, " ")
}

// textWithoutControls is n's text content, leaving out the form controls
// in it.
func textWithoutControls(n js.Value) string {
	const controls = "input, select, textarea, button"
	if n.Call("querySelector", controls).IsNull() {
		return str(n.Get("textContent"))
	}
	var b strings.Builder
	kids := n.Get("childNodes")
	for i := 0; i < kids.Length(); i++ {
		k := kids.Index(i)
		switch k.Get("nodeType").Int() {
		case 3: // text
			b.WriteString(str(k.Get("nodeValue")))
		case 1: // element
			switch tagOf(k) {
			case "input", "select", "textarea", "button":
				b.WriteByte(' ')
				continue
			}
			b.WriteString(textWithoutControls(k))
		}
	}
	return b.String()
}

// contentName is the name a control takes from what it shows: the value
// of an input button, the text of a button or link, or the alt of the
// image it holds. Text fields and selects have none (their text is their
// value).
func contentName(el js.Value, tag string) string {
	switch tag {
	case "input":
		switch strings.ToLower(str(el.Get("type"))) {
		case "submit":
			if v := str(el.Get("value")); v != "" {
				return v
			}
			return "Submit"
		case "reset":
			if v := str(el.Get("value")); v != "" {
				return v
			}
			return "Reset"
		case "button":
			return str(el.Get("value"))
		}
		return ""
	case "select", "textarea":
		return ""
	}
	if el.Get("isContentEditable").Truthy() && !el.Call("hasAttribute", "role").Bool() {
		return ""
	}
	text := str(el.Get("innerText"))
	if strings.TrimSpace(text) == "" {
		text = str(el.Get("textContent"))
	}
	if strings.TrimSpace(text) != "" {
		return text
	}
	if img := el.Call("querySelector", "img[alt], svg[aria-label]"); !img.IsNull() {
		if s, ok := attr(img, "alt"); ok {
			return s
		}
		s, _ := attr(img, "aria-label")
		return s
	}
	return ""
}

// interactiveRoles are the ARIA roles that make an element a control.
var interactiveRoles = []string{"button", "link", "checkbox", "radio", "switch", "tab", "menuitem",
	"menuitemcheckbox", "menuitemradio", "option", "combobox", "textbox", "searchbox", "slider", "spinbutton"}

// interactiveSelector finds the candidates of an observation.
var interactiveSelector = func() string {
	s := "a[href], button, input:not([type=hidden]), select, textarea, summary, [contenteditable]:not([contenteditable=false])"
	for _, r := range interactiveRoles {
		s += ", [role=" + r + "]"
	}
	return s
}()

// roleOf is el's explicit role, or the implicit role of its tag.
func roleOf(el js.Value, tag, inputType string) string {
	if r, ok := attr(el, "role"); ok {
		if f := strings.Fields(strings.ToLower(r)); len(f) > 0 {
			return f[0]
		}
	}
	switch tag {
	case "a":
		return "link"
	case "button", "summary":
		return "button"
	case "textarea":
		return "textbox"
	case "select":
		if el.Get("multiple").Truthy() || el.Get("size").Int() > 1 {
			return "listbox"
		}
		return "combobox"
	case "input":
		switch inputType {
		case "checkbox", "radio":
			return inputType
		case "button", "submit", "reset", "image":
			return "button"
		case "range":
			return "slider"
		case "number":
			return "spinbutton"
		case "search":
			return "searchbox"
		}
		if _, ok := attr(el, "list"); ok {
			return "combobox"
		}
		return "textbox"
	}
	if el.Get("isContentEditable").Truthy() {
		return "textbox"
	}
	return "generic"
}
