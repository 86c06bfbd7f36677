//go:build js

package executor

import (
	"context"
	"encoding/json"
	"strings"
	"syscall/js"

	"github.com/hearth-ai/hearth/engine/action"
)

// frame is one document of the page: the top one, or a same-origin
// iframe's.
type frame struct {
	doc         js.Value
	path        string // Element.Frame: "" for the top document
	denied      bool   // the iframe itself is in a denied area
	insideAllow bool   // the iframe itself is inside the allow selector
	visible     bool   // the iframe itself can be seen (always for the top)
}

// Observe reads the page into an Observation bounded by BudgetTokens.
func (p *Page) Observe(ctx context.Context) (action.Observation, error) {
	return p.ObserveBudget(ctx, p.BudgetTokens)
}

// ObserveBudget reads the page into an Observation of about budget
// tokens (DefaultBudgetTokens when budget is 0 or less). While a modal
// dialog is open only its elements and text are listed.
func (p *Page) ObserveBudget(ctx context.Context, budget int) (obs action.Observation, err error) {
	if err := ctx.Err(); err != nil {
		return obs, err
	}
	if budget <= 0 {
		budget = DefaultBudgetTokens
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	err = jsTry(func() { obs = p.observe(budget) })
	return obs, err
}

func (p *Page) observe(budget int) action.Observation {
	doc := p.doc.Underlying()
	obs := action.Observation{
		URL:      p.doc.URL(),
		Title:    collapse(p.doc.Title()),
		Elements: []action.Element{},
	}
	p.forgetDetached()
	top := frame{doc: doc, visible: true}
	var root js.Value = doc
	if dlg, name, ok := openDialog(doc); ok {
		root, obs.Dialog = dlg, name
	}
	var texts []string
	var skipped []string
	p.collect(top, root, &obs.Elements, &texts, &skipped)
	text := strings.Join(texts, " ")
	if len(skipped) > 0 {
		text += " (Frames from other sites are not shown: " + strings.Join(skipped, ", ") + ".)"
	}
	obs.Text = collapse(text)
	fit(&obs, budget)
	return obs
}

// collect adds the listable elements under root (and in the same-origin
// frames under it) and its visible text.
func (p *Page) collect(f frame, root js.Value, out *[]action.Element, texts *[]string, skipped *[]string) {
	if t := innerText(f.doc, root); t != "" {
		if f.path != "" {
			t = "[frame " + f.path + "] " + t
		}
		*texts = append(*texts, t)
	}
	nodes := root.Call("querySelectorAll", interactiveSelector)
	for i := 0; i < nodes.Length(); i++ {
		el := nodes.Index(i)
		if e, ok := p.describeElement(f, el); ok {
			*out = append(*out, e)
		}
	}
	for _, host := range shadowHosts(root) {
		p.collect(f, host.Get("shadowRoot"), out, texts, skipped)
	}
	frames := root.Call("querySelectorAll", "iframe, frame")
	for i := 0; i < frames.Length(); i++ {
		fe := frames.Index(i)
		if _, inert := closestComposed(fe, "[inert]"); inert {
			continue
		}
		name := frameName(fe, i)
		var cdoc js.Value
		if jsTry(func() { cdoc = fe.Get("contentDocument") }) != nil || cdoc.IsNull() || cdoc.IsUndefined() {
			src, _ := attr(fe, "src")
			*skipped = append(*skipped, quote(src))
			continue
		}
		g := measure(fe)
		if !g.rendered {
			continue
		}
		child := frame{
			doc:     cdoc,
			path:    strings.TrimPrefix(f.path+"/"+name, "/"),
			denied:  f.denied || p.inDenied(fe),
			visible: f.visible && g.inView && !g.covered && g.clear,
		}
		child.insideAllow = f.insideAllow || p.inAllowed(fe)
		p.collect(child, cdoc, out, texts, skipped)
	}
}

// frameName names an iframe in a frame path: its name, id, or position.
func frameName(fe js.Value, i int) string {
	if s, _ := attr(fe, "name"); s != "" {
		return s
	}
	if s := str(fe.Get("id")); s != "" {
		return s
	}
	return itoa(i)
}

func (p *Page) inDenied(el js.Value) bool {
	if _, ok := closestComposed(el, "[data-hearth-deny]"); ok {
		return true
	}
	if p.denySel != "" {
		if _, ok := closestComposed(el, p.denySel); ok {
			return true
		}
	}
	return false
}

func (p *Page) inAllowed(el js.Value) bool {
	if p.allowSel == "" {
		return true
	}
	_, ok := closestComposed(el, p.allowSel)
	return ok
}

// describeElement turns a DOM element into the model's Element; false
// for one that is not listed (not rendered, inert, nested editable).
func (p *Page) describeElement(f frame, el js.Value) (action.Element, bool) {
	if _, inert := closestComposed(el, "[inert]"); inert {
		return action.Element{}, false
	}
	tag := tagOf(el)
	if el.Get("isContentEditable").Truthy() && tag != "input" && tag != "textarea" {
		if parent := el.Get("parentElement"); parent.Truthy() && parent.Get("isContentEditable").Truthy() {
			return action.Element{}, false // only the editing host is a field
		}
	}
	g := measure(el)
	if !g.rendered {
		// A styled checkbox is often hidden behind its label, which is
		// what a person clicks: the label's box stands for it.
		l, ok := renderedLabel(el)
		if !ok {
			return action.Element{}, false
		}
		g = measure(l)
	}
	inputType := ""
	if tag == "input" {
		inputType = strings.ToLower(str(el.Get("type")))
	}
	role := roleOf(el, tag, inputType)
	e := action.Element{
		Index:     p.indexFor(el),
		Role:      role,
		Name:      accessibleName(el),
		Tag:       tag,
		InputType: inputType,
		Frame:     f.path,
		Disabled:  isDisabled(el),
		Invalid:   isInvalid(el, p.touched.Call("has", el).Bool()),
		Expanded:  ariaBool(el, "aria-expanded"),
		Checked:   checkedState(el, tag, inputType, role),
		Submits:   submits(el, tag, inputType),
	}
	if tag != "input" && tag != "select" && tag != "textarea" && !el.Get("isContentEditable").Truthy() {
		// What the control shows, when its name says something else
		// (an icon button named by aria-label, say).
		if t, _ := clip(collapse(str(el.Get("innerText"))), maxNameLen); t != "" && !sameText(t, e.Name) {
			e.Text = t
		}
	}
	e.Placeholder, _ = attr(el, "placeholder")
	e.Required = el.Get("required").Truthy()
	if r := ariaBool(el, "aria-required"); r != nil && *r {
		e.Required = true
	}
	if isRedacted(el, tag, inputType) {
		e.Redacted = true
	} else {
		e.Value = valueOf(el, tag, inputType, role)
	}
	if tag == "select" {
		e.Options, _ = optionTexts(el)
	}
	if tag == "a" {
		e.Href = str(el.Get("href"))
	}
	if tag == "summary" {
		if d := el.Get("parentElement"); d.Truthy() && tagOf(d) == "details" {
			e.Expanded = boolPtr(d.Get("open").Truthy())
		}
	}
	if role == "tab" || role == "option" {
		e.Selected = ariaBool(el, "aria-selected")
	}
	e.Visible = f.visible && g.inView && !g.covered && g.clear
	e.Covered = g.covered
	e.Denied = f.denied || p.inDenied(el) || !(f.insideAllow || p.inAllowed(el))
	if _, ok := closestComposed(el, "[data-hearth-destructive]"); ok {
		e.Destructive = true
	} else if (role == "button" || role == "link" || role == "menuitem") && destructiveName(e.Name) {
		e.Destructive = true
	}
	return e, true
}

// openDialog finds the open modal dialog on top, if any: a <dialog>
// opened with showModal, or a rendered [role=dialog][aria-modal=true].
func openDialog(doc js.Value) (js.Value, string, bool) {
	var found js.Value
	dialogs := doc.Call("querySelectorAll", "dialog[open], [role=dialog][aria-modal=true], [role=alertdialog][aria-modal=true]")
	for i := 0; i < dialogs.Length(); i++ {
		d := dialogs.Index(i)
		if tagOf(d) == "dialog" && !matches(d, ":modal") {
			continue
		}
		if !measure(d).rendered {
			continue
		}
		found = d
	}
	if found.IsUndefined() {
		return found, "", false
	}
	name := accessibleNameNoContent(found)
	if name == "" {
		if h := found.Call("querySelector", "h1, h2, h3, h4, h5, h6, legend"); !h.IsNull() {
			name = collapse(str(h.Get("textContent")))
		}
	}
	if name == "" {
		name = "dialog"
	}
	return found, name, true
}

// accessibleNameNoContent is a container's name from its labelling
// attributes only.
func accessibleNameNoContent(el js.Value) string {
	doc := el.Call("getRootNode")
	if ids, ok := attr(el, "aria-labelledby"); ok {
		var parts []string
		for _, id := range strings.Fields(ids) {
			if ref := doc.Call("getElementById", id); !ref.IsNull() {
				parts = append(parts, collapse(str(ref.Get("textContent"))))
			}
		}
		if s := collapse(strings.Join(parts, " ")); s != "" {
			return s
		}
	}
	for _, a := range []string{"aria-label", "title"} {
		if s, _ := attr(el, a); collapse(s) != "" {
			return collapse(s)
		}
	}
	return ""
}

// fit cuts an observation to about budget tokens: the elements get up to
// three quarters (hidden ones go first), the text what is left.
func fit(obs *action.Observation, budget int) {
	total := budget * charsPerToken
	sizes := make([]int, len(obs.Elements))
	used := 0
	for i, e := range obs.Elements {
		b, _ := json.Marshal(e)
		sizes[i] = len(b) + 1
		used += sizes[i]
	}
	if limit := total * 3 / 4; used > limit {
		obs.Truncated = true
		keep := make([]bool, len(obs.Elements))
		used = 0
		for _, visible := range []bool{true, false} {
			for i, e := range obs.Elements {
				if e.Visible == visible && used+sizes[i] <= limit {
					keep[i] = true
					used += sizes[i]
				}
			}
		}
		kept := obs.Elements[:0:0]
		for i, e := range obs.Elements {
			if keep[i] {
				kept = append(kept, e)
			}
		}
		obs.Elements = kept
	}
	var cut bool
	if obs.Text, cut = clip(obs.Text, max(total-used, total/8)); cut {
		obs.Truncated = true
	}
}

// innerText is the rendered text under root: the body of a document,
// the children of a shadow root, or an element (an open dialog).
func innerText(doc, root js.Value) string {
	switch {
	case root.Equal(doc):
		if body := doc.Get("body"); body.Truthy() {
			return collapse(str(body.Get("innerText")))
		}
		return ""
	case root.Get("nodeType").Int() == 11: // a shadow root
		var parts []string
		kids := root.Get("children")
		for i := 0; i < kids.Length(); i++ {
			k := kids.Index(i)
			switch tagOf(k) {
			case "style", "script", "template", "link":
				continue
			}
			// innerText of an element that is not rendered is its
			// textContent: hidden text stays hidden.
			if k.Call("getClientRects").Length() == 0 {
				continue
			}
			if t := str(k.Get("innerText")); t != "" {
				parts = append(parts, t)
			}
		}
		return collapse(strings.Join(parts, " "))
	}
	return collapse(str(root.Get("innerText")))
}

// shadowHosts lists the elements under root with an open shadow root,
// leaving out Hearth's own widget and inert parts of the page. (Closed
// shadow roots cannot be read from the page.)
func shadowHosts(root js.Value) []js.Value {
	var hosts []js.Value
	all := root.Call("querySelectorAll", "*")
	for i := 0; i < all.Length(); i++ {
		e := all.Index(i)
		if !e.Get("shadowRoot").Truthy() || hearthUI(e) {
			continue
		}
		if _, inert := closestComposed(e, "[inert]"); inert {
			continue
		}
		hosts = append(hosts, e)
	}
	return hosts
}

// renderedLabel is the first of el's labels that has a box.
func renderedLabel(el js.Value) (js.Value, bool) {
	labels := el.Get("labels")
	if !labels.Truthy() {
		return js.Value{}, false
	}
	for i := 0; i < labels.Length(); i++ {
		if l := labels.Index(i); measure(l).rendered {
			return l, true
		}
	}
	return js.Value{}, false
}
