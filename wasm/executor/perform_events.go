//go:build js

package executor

import (
	"strings"
	"syscall/js"
	"unicode/utf8"
)

// fire dispatches a new event of class ctor (MouseEvent, PointerEvent,
// KeyboardEvent, InputEvent, Event) made in el's own window, and reports
// whether no listener cancelled it.
func fire(el js.Value, ctor, typ string, init js.Value) bool {
	win := windowOf(el)
	c := win.Get(ctor)
	if !c.Truthy() {
		c = win.Get("Event")
	}
	return el.Call("dispatchEvent", c.New(typ, init)).Bool()
}

// mouseInit is the init dictionary of a mouse or pointer event at (x, y)
// of el's viewport; buttons is the pressed-button mask.
func mouseInit(el js.Value, x, y float64, buttons int, bubbles bool) js.Value {
	win := windowOf(el)
	return object("bubbles", bubbles, "cancelable", bubbles, "composed", true, "view", win,
		"clientX", x, "clientY", y, "screenX", x+win.Get("screenX").Float(), "screenY", y+win.Get("screenY").Float(),
		"button", 0, "buttons", buttons, "detail", 1,
		"pointerId", 1, "pointerType", "mouse", "isPrimary", true, "width", 1, "height", 1, "pressure", pressure(buttons))
}

func pressure(buttons int) float64 {
	if buttons != 0 {
		return 0.5
	}
	return 0
}

// clickAt performs a mouse click on el at (x, y) as a person's would
// arrive: pointerdown, mousedown, focus, pointerup, mouseup, click. A
// cancelled pointerdown suppresses the mousedown, and a cancelled
// mousedown the focus, as in browsers.
func (p *Page) clickAt(el js.Value, x, y float64) {
	p.logf("pointer down/up and click on ", describe(el), " at ", itoa(int(x)), ",", itoa(int(y)))
	if fire(el, "PointerEvent", "pointerdown", mouseInit(el, x, y, 1, true)) {
		if fire(el, "MouseEvent", "mousedown", mouseInit(el, x, y, 1, true)) {
			focus(el)
		}
	}
	fire(el, "PointerEvent", "pointerup", mouseInit(el, x, y, 0, true))
	fire(el, "MouseEvent", "mouseup", mouseInit(el, x, y, 0, true))
	fire(el, "MouseEvent", "click", mouseInit(el, x, y, 0, true))
}

// hoverAt moves the pointer onto el at (x, y).
func (p *Page) hoverAt(el js.Value, x, y float64) {
	p.logf("pointer over ", describe(el))
	// The pointer comes from outside: the enter events, which do not
	// bubble, reach every element from the outermost one in.
	var chain []js.Value
	for e := el; e.Truthy(); e = e.Get("parentElement") {
		chain = append(chain, e)
	}
	fire(el, "PointerEvent", "pointerover", mouseInit(el, x, y, 0, true))
	for i := len(chain) - 1; i >= 0; i-- {
		fire(chain[i], "PointerEvent", "pointerenter", mouseInit(el, x, y, 0, false))
	}
	fire(el, "MouseEvent", "mouseover", mouseInit(el, x, y, 0, true))
	for i := len(chain) - 1; i >= 0; i-- {
		fire(chain[i], "MouseEvent", "mouseenter", mouseInit(el, x, y, 0, false))
	}
	fire(el, "PointerEvent", "pointermove", mouseInit(el, x, y, 0, true))
	fire(el, "MouseEvent", "mousemove", mouseInit(el, x, y, 0, true))
}

// focus moves the keyboard focus to el (or to its focusable ancestor)
// without scrolling.
func focus(el js.Value) {
	target := el
	if t, ok := closest(el, "a[href], button, input, select, textarea, summary, [tabindex], [contenteditable]:not([contenteditable=false])"); ok {
		target = t
	}
	target.Call("focus", object("preventScroll", true))
}

// setNativeValue sets a field's value through the setter of its class's
// prototype (HTMLInputElement, HTMLTextAreaElement, HTMLSelectElement),
// not an own property a framework may have put on the element: the
// framework then sees the following input event as a real change.
func setNativeValue(el js.Value, prop string, v any) {
	win := windowOf(el)
	class := "HTMLInputElement"
	switch tagOf(el) {
	case "textarea":
		class = "HTMLTextAreaElement"
	case "select":
		class = "HTMLSelectElement"
	}
	proto := win.Get(class).Get("prototype")
	desc := win.Get("Object").Call("getOwnPropertyDescriptor", proto, prop)
	if desc.Truthy() && desc.Get("set").Truthy() {
		desc.Get("set").Call("call", el, v)
		return
	}
	el.Set(prop, v)
}

// fireInput dispatches the input and change events a person's edit makes.
func fireInput(el js.Value, inputType, data string) {
	init := object("bubbles", true, "composed", true, "inputType", inputType)
	if data != "" {
		init.Set("data", data)
	}
	fire(el, "InputEvent", "input", init)
	fire(el, "Event", "change", object("bubbles", true))
}

// keyInfo is a key's code and legacy keyCode for a KeyboardEvent.key.
func keyInfo(key string) (code string, keyCode int) {
	named := map[string]int{
		"Enter": 13, "Tab": 9, "Escape": 27, "Backspace": 8, "Delete": 46, " ": 32,
		"ArrowLeft": 37, "ArrowUp": 38, "ArrowRight": 39, "ArrowDown": 40,
		"Home": 36, "End": 35, "PageUp": 33, "PageDown": 34,
	}
	if k, ok := named[key]; ok {
		if key == " " {
			return "Space", k
		}
		return key, k
	}
	if utf8.RuneCountInString(key) == 1 {
		r, _ := utf8.DecodeRuneInString(key)
		switch {
		case r >= 'a' && r <= 'z':
			return "Key" + strings.ToUpper(key), int(r - 32)
		case r >= 'A' && r <= 'Z':
			return "Key" + key, int(r)
		case r >= '0' && r <= '9':
			return "Digit" + key, int(r)
		}
		return "", int(r)
	}
	return key, 0
}

// keyEvent dispatches one keyboard event for key on el.
func keyEvent(el js.Value, typ, key string) bool {
	code, keyCode := keyInfo(key)
	init := object("bubbles", true, "cancelable", true, "composed", true, "view", windowOf(el),
		"key", key, "code", code, "keyCode", keyCode, "which", keyCode)
	if typ == "keypress" {
		init.Set("charCode", keyCode)
	}
	return fire(el, "KeyboardEvent", typ, init)
}

// printable reports whether key types a character.
func printable(key string) bool { return utf8.RuneCountInString(key) == 1 }

// keyNames maps the spellings a model may use to KeyboardEvent.key values.
var keyNames = map[string]string{
	"enter": "Enter", "return": "Enter", "numpadenter": "Enter", "tab": "Tab", "escape": "Escape", "esc": "Escape",
	"space": " ", "spacebar": " ", "backspace": "Backspace", "delete": "Delete", "del": "Delete",
	"arrowleft": "ArrowLeft", "arrowright": "ArrowRight", "arrowup": "ArrowUp", "arrowdown": "ArrowDown",
	"left": "ArrowLeft", "right": "ArrowRight", "up": "ArrowUp", "down": "ArrowDown",
	"home": "Home", "end": "End", "pageup": "PageUp", "pagedown": "PageDown",
}

// normalizeKey is key as KeyboardEvent.key spells it ("enter" → "Enter").
func normalizeKey(key string) string {
	if utf8.RuneCountInString(key) > 1 {
		if k, ok := keyNames[strings.ToLower(strings.TrimSpace(key))]; ok {
			return k
		}
	}
	return key
}
