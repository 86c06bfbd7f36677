package chat

import (
	"strings"
	"time"
)

// Limits bound what one render may cost, so that a template that loops
// forever, recurses without end or builds huge strings fails with an error
// wrapping ErrLimit instead of hanging or exhausting memory. Zero fields
// take the defaults.
type Limits struct {
	MaxOutputBytes int // size of the rendered text; default 16 MiB
	MaxSteps       int // statements run plus loop iterations and items built; default 5,000,000
	MaxCallDepth   int // macro calls inside macro calls; default 100
}

const (
	defaultMaxOutput = 16 << 20
	defaultMaxSteps  = 5_000_000
	defaultMaxDepth  = 100
)

func (l Limits) withDefaults() Limits {
	if l.MaxOutputBytes <= 0 {
		l.MaxOutputBytes = defaultMaxOutput
	}
	if l.MaxSteps <= 0 {
		l.MaxSteps = defaultMaxSteps
	}
	if l.MaxCallDepth <= 0 {
		l.MaxCallDepth = defaultMaxDepth
	}
	return l
}

// renderer holds the state of one render.
type renderer struct {
	limits Limits
	steps  int
	depth  int
	now    time.Time
}

// charge counts n units of work against the step limit.
func (r *renderer) charge(n int) error {
	r.steps += n
	if r.steps > r.limits.MaxSteps {
		return limitErrorf("template ran more than %d steps", r.limits.MaxSteps)
	}
	return nil
}

// checkString rejects a string past the size cap.
func checkString(s string) (string, error) {
	if len(s) > maxStringBytes {
		return "", limitErrorf("string longer than %d bytes", maxStringBytes)
	}
	return s, nil
}

// scope is one level of variables: the render's globals, a loop
// iteration, a macro call. {% set %} writes to the innermost one.
type scope struct {
	vars   map[string]value
	parent *scope
}

func newScope(parent *scope) *scope { return &scope{vars: map[string]value{}, parent: parent} }

func (s *scope) lookup(name string) (value, bool) {
	for ; s != nil; s = s.parent {
		if v, ok := s.vars[name]; ok {
			return v, true
		}
	}
	return nil, false
}

// output collects rendered text up to the size limit.
type output struct {
	b   strings.Builder
	max int
}

func (o *output) write(s string) error {
	if o.b.Len()+len(s) > o.max {
		return limitErrorf("output exceeds %d bytes", o.max)
	}
	o.b.WriteString(s)
	return nil
}

func (r *renderer) newOutput() *output { return &output{max: r.limits.MaxOutputBytes} }

// flow tells a loop whether its body asked to break or continue.
type flow int

const (
	flowNormal flow = iota
	flowBreak
	flowContinue
)

func (r *renderer) execBody(body []stmt, sc *scope, out *output) (flow, error) {
	for _, s := range body {
		f, err := r.exec(s, sc, out)
		if err != nil {
			return flowNormal, at(err, s.stmtLine())
		}
		if f != flowNormal {
			return f, nil
		}
	}
	return flowNormal, nil
}

// renderBody renders body into a string of its own.
func (r *renderer) renderBody(body []stmt, sc *scope) (string, error) {
	out := r.newOutput()
	if _, err := r.execBody(body, sc, out); err != nil {
		return "", err
	}
	return out.b.String(), nil
}

func (r *renderer) exec(s stmt, sc *scope, out *output) (flow, error) {
	if err := r.charge(1); err != nil {
		return flowNormal, err
	}
	switch s := s.(type) {
	case *textStmt:
		return flowNormal, out.write(s.text)
	case *outputStmt:
		v, err := r.eval(s.value, sc)
		if err != nil {
			return flowNormal, err
		}
		text, err := checkString(strValue(v))
		if err != nil {
			return flowNormal, err
		}
		return flowNormal, out.write(text)
	case *ifStmt:
		for _, b := range s.branches {
			c, err := r.eval(b.cond, sc)
			if err != nil {
				return flowNormal, err
			}
			if truthy(c) {
				return r.execBody(b.body, sc, out)
			}
		}
		return r.execBody(s.orElse, sc, out)
	case *forStmt:
		return flowNormal, r.execFor(s, sc, out)
	case *setStmt:
		v, err := r.eval(s.value, sc)
		if err != nil {
			return flowNormal, err
		}
		return flowNormal, r.assign(s.target, v, sc)
	case *setBlockStmt:
		text, err := r.renderBody(s.body, newScope(sc))
		if err != nil {
			return flowNormal, err
		}
		var v value = text
		for _, f := range s.filters {
			if v, err = r.applyFilter(f, v, sc); err != nil {
				return flowNormal, err
			}
		}
		sc.vars[s.name] = v
		return flowNormal, nil
	case *macroStmt:
		sc.vars[s.name] = &macro{name: s.name, def: s, closure: sc}
		return flowNormal, nil
	case *callBlockStmt:
		return flowNormal, r.execCallBlock(s, sc, out)
	case *filterBlockStmt:
		text, err := r.renderBody(s.body, newScope(sc))
		if err != nil {
			return flowNormal, err
		}
		var v value = text
		for _, f := range s.filters {
			if v, err = r.applyFilter(f, v, sc); err != nil {
				return flowNormal, err
			}
		}
		return flowNormal, out.write(strValue(v))
	case *withStmt:
		inner := newScope(sc)
		for i, name := range s.names {
			v, err := r.eval(s.values[i], sc)
			if err != nil {
				return flowNormal, err
			}
			inner.vars[name] = v
		}
		return r.execBody(s.body, inner, out)
	case *doStmt:
		_, err := r.eval(s.value, sc)
		return flowNormal, err
	case *breakStmt:
		return flowBreak, nil
	case *continueStmt:
		return flowContinue, nil
	case *blockStmt:
		return r.execBody(s.body, sc, out)
	}
	return flowNormal, errorf("internal error: unknown statement %T", s)
}

// assign binds a value to a {% set %} or loop target.
func (r *renderer) assign(t target, v value, sc *scope) error {
	if t.attr != "" {
		obj, ok := sc.lookup(t.names[0])
		ns, isNS := obj.(*pyNamespace)
		if !ok || !isNS {
			return errorf("cannot assign attribute on non-namespace object")
		}
		return ns.attrs.Set(t.attr, v)
	}
	if !t.tuple {
		sc.vars[t.names[0]] = v
		return nil
	}
	items, err := r.iterate(v)
	if err != nil {
		return errorf("cannot unpack non-iterable %s object", typeName(v))
	}
	if len(items) != len(t.names) {
		if len(items) > len(t.names) {
			return errorf("too many values to unpack (expected %d)", len(t.names))
		}
		return errorf("not enough values to unpack (expected %d, got %d)", len(t.names), len(items))
	}
	for i, name := range t.names {
		sc.vars[name] = items[i]
	}
	return nil
}

// iterate lists what a for loop over v visits: list items, dict keys,
// string characters; nothing for Undefined.
func (r *renderer) iterate(v value) ([]value, error) {
	var items []value
	switch x := v.(type) {
	case undefined:
		return nil, nil
	case *pyList:
		items = append([]value(nil), x.Items...)
	case *pyDict:
		items = x.Keys()
	case string:
		for _, c := range x {
			items = append(items, string(c))
		}
	default:
		return nil, errorf("'%s' object is not iterable", typeName(v))
	}
	return items, r.charge(len(items))
}

func (r *renderer) execFor(s *forStmt, sc *scope, out *output) error {
	seq, err := r.eval(s.iter, sc)
	if err != nil {
		return err
	}
	items, err := r.iterate(seq)
	if err != nil {
		return err
	}
	if s.filter != nil {
		kept := items[:0:0]
		for _, item := range items {
			tmp := newScope(sc)
			if err := r.assign(s.target, item, tmp); err != nil {
				return err
			}
			ok, err := r.eval(s.filter, tmp)
			if err != nil {
				return err
			}
			if truthy(ok) {
				kept = append(kept, item)
			}
		}
		items = kept
	}
	if len(items) == 0 {
		_, err := r.execBody(s.orElse, newScope(sc), out)
		return err
	}
	state := &loopState{}
	for i, item := range items {
		if err := r.charge(1); err != nil {
			return err
		}
		iter := newScope(sc)
		iter.vars["loop"] = &loopInfo{index0: i, items: items, state: state}
		if err := r.assign(s.target, item, iter); err != nil {
			return at(err, s.line)
		}
		f, err := r.execBody(s.body, iter, out)
		if err != nil {
			return err
		}
		if f == flowBreak {
			break
		}
	}
	return nil
}

// loopInfo is the "loop" variable inside a for loop.
type loopInfo struct {
	index0 int
	items  []value
	state  *loopState
}

// loopState is shared by all iterations of one loop.
type loopState struct {
	seen bool  // loop.changed() has been called
	last value // what it was last called with
}

func (l *loopInfo) attr(name string) value {
	n := len(l.items)
	switch name {
	case "index":
		return int64(l.index0 + 1)
	case "index0":
		return int64(l.index0)
	case "revindex":
		return int64(n - l.index0)
	case "revindex0":
		return int64(n - l.index0 - 1)
	case "first":
		return l.index0 == 0
	case "last":
		return l.index0 == n-1
	case "length":
		return int64(n)
	case "depth":
		return int64(1)
	case "depth0":
		return int64(0)
	case "previtem":
		if l.index0 > 0 {
			return l.items[l.index0-1]
		}
		return undefined{hint: "there is no previous item"}
	case "nextitem":
		if l.index0+1 < n {
			return l.items[l.index0+1]
		}
		return undefined{hint: "there is no next item"}
	case "cycle", "changed":
		return &boundMethod{recv: l, name: name}
	}
	return undefinedAttr(l, name)
}
