//go:build js

package executor

import (
	"sync"
	"syscall/js"

	"honnef.co/go/js/dom/v2"
)

// Page is the live document as engine/action sees it: Observe lists its
// interactive elements and Perform acts on one of them. An element keeps
// its index for as long as it stays in the page, across observations.
type Page struct {
	// BudgetTokens bounds an observation (elements and text) to about
	// this many tokens; 0 means DefaultBudgetTokens.
	BudgetTokens int
	// Log, when set, receives a line for everything the executor does
	// (events dispatched, values set, waits).
	Log func(line string)

	mu       sync.Mutex
	doc      dom.HTMLDocument // the top document
	win      js.Value         // its window
	indexOf  js.Value         // WeakMap: element → index
	touched  js.Value         // WeakSet: fields Hearth has edited (their validity then shows)
	byIndex  map[int]js.Value
	next     int
	allowSel string // elements outside it are denied ("" = everywhere allowed)
	denySel  string // elements inside it are denied
}

// DefaultBudgetTokens is the observation's size when none is set: room
// for the page in a small model's context window.
const DefaultBudgetTokens = 1500

// New returns the executor for the window it runs in.
func New() *Page {
	return &Page{
		doc:     dom.GetWindow().Document().(dom.HTMLDocument),
		win:     js.Global(),
		indexOf: js.Global().Get("WeakMap").New(),
		touched: js.Global().Get("WeakSet").New(),
		byIndex: map[int]js.Value{},
		next:    1,
	}
}

// SetSelectors sets the page owner's CSS selectors: elements inside deny
// are denied, and when allow is not empty, so is every element outside
// it. A selector the browser rejects is an error and changes nothing.
func (p *Page) SetSelectors(allow, deny string) error {
	doc := p.doc.Underlying()
	for _, sel := range []string{allow, deny} {
		if sel == "" {
			continue
		}
		if err := jsTry(func() { doc.Call("querySelector", sel) }); err != nil {
			return &selectorError{sel: sel, err: err}
		}
	}
	p.mu.Lock()
	p.allowSel, p.denySel = allow, deny
	p.mu.Unlock()
	return nil
}

type selectorError struct {
	sel string
	err error
}

func (e *selectorError) Error() string {
	return "the selector " + quote(e.sel) + " is not valid CSS: " + e.err.Error()
}

// indexFor returns el's index, giving it the next free one the first
// time it is seen.
func (p *Page) indexFor(el js.Value) int {
	if v := p.indexOf.Call("get", el); v.Type() == js.TypeNumber {
		i := v.Int()
		p.byIndex[i] = el
		return i
	}
	i := p.next
	p.next++
	p.indexOf.Call("set", el, i)
	p.byIndex[i] = el
	return i
}

// element returns the DOM element with index i, if it is still in the page.
func (p *Page) element(i int) (js.Value, bool) {
	p.mu.Lock()
	el, ok := p.byIndex[i]
	p.mu.Unlock()
	if !ok || !el.Get("isConnected").Truthy() {
		return js.Value{}, false
	}
	return el, true
}

// forgetDetached drops the elements that left the page from the index.
func (p *Page) forgetDetached() {
	for i, el := range p.byIndex {
		if !el.Get("isConnected").Truthy() {
			delete(p.byIndex, i)
		}
	}
}

func (p *Page) logf(parts ...string) {
	if p.Log == nil {
		return
	}
	line := ""
	for _, s := range parts {
		line += s
	}
	p.Log(line)
}
