package chat

// Calling things: macros, built-in functions and methods.

// macro is a {% macro %} (or the caller of a {% call %} block) bound to the
// scope it was defined in.
type macro struct {
	name    string
	def     *macroStmt
	closure *scope
}

// builtin is a global function such as range() or namespace().
type builtin struct {
	name string
	fn   func(r *renderer, a args) (value, error)
}

// boundMethod is a method looked up on a value, such as "abc".upper.
type boundMethod struct {
	recv value
	name string
}

func (r *renderer) call(fn value, a args) (value, error) {
	switch f := fn.(type) {
	case *macro:
		return r.callMacro(f, a, nil)
	case *builtin:
		return f.fn(r, a)
	case *boundMethod:
		return r.callMethod(f, a)
	case undefined:
		return nil, errorf("%s", f.message())
	}
	return nil, errorf("'%s' object is not callable", typeName(fn))
}

// callMacro binds arguments as Jinja does: positionals in order, then
// keywords by name; extras go to varargs and kwargs when the body reads
// them and are an error otherwise; a missing argument is undefined.
func (r *renderer) callMacro(m *macro, a args, caller *macro) (value, error) {
	r.depth++
	defer func() { r.depth-- }()
	if r.depth > r.limits.MaxCallDepth {
		return nil, limitErrorf("macro calls nested deeper than %d", r.limits.MaxCallDepth)
	}
	def := m.def
	sc := newScope(m.closure)
	params := def.params
	if len(a.pos) > len(params) && !def.usesVarargs {
		return nil, errorf("macro '%s' takes not more than %d argument(s)", m.name, len(params))
	}
	bound := make([]bool, len(params))
	for i, v := range a.pos {
		if i < len(params) {
			sc.vars[params[i].name] = v
			bound[i] = true
		}
	}
	extra := newDict()
	for _, kw := range a.kw {
		found := false
		for i, p := range params {
			if p.name == kw.name {
				if bound[i] {
					return nil, errorf("macro '%s' got multiple values for argument '%s'", m.name, kw.name)
				}
				sc.vars[p.name] = kw.value
				bound[i] = true
				found = true
			}
		}
		if found {
			continue
		}
		if kw.name == "caller" && def.usesCaller {
			sc.vars["caller"] = kw.value
			continue
		}
		if !def.usesKwargs {
			return nil, errorf("macro '%s' takes no keyword argument '%s'", m.name, kw.name)
		}
		extra.SetString(kw.name, kw.value)
	}
	for i, p := range params {
		if bound[i] {
			continue
		}
		if p.def == nil {
			sc.vars[p.name] = undefined{hint: "parameter '" + p.name + "' was not provided"}
			continue
		}
		v, err := r.eval(p.def, sc)
		if err != nil {
			return nil, err
		}
		sc.vars[p.name] = v
	}
	if def.usesVarargs {
		var rest []value
		if len(a.pos) > len(params) {
			rest = append(rest, a.pos[len(params):]...)
		}
		sc.vars["varargs"] = newTuple(rest...)
	}
	if def.usesKwargs {
		sc.vars["kwargs"] = extra
	}
	if caller != nil {
		sc.vars["caller"] = caller
	}
	return r.renderBody(def.body, sc)
}

func (r *renderer) execCallBlock(s *callBlockStmt, sc *scope, out *output) error {
	fn, err := r.eval(s.call.fn, sc)
	if err != nil {
		return err
	}
	m, ok := fn.(*macro)
	if !ok {
		if u, isU := fn.(undefined); isU {
			return errorf("%s", u.message())
		}
		return errorf("{%% call %%} needs a macro, not %s", typeName(fn))
	}
	a, err := r.evalArgs(s.call.callArgs, sc)
	if err != nil {
		return err
	}
	caller := &macro{name: "caller", def: s.caller, closure: sc}
	v, err := r.callMacro(m, a, caller)
	if err != nil {
		return err
	}
	return out.write(strValue(v))
}

// bind maps call arguments onto named parameters for a built-in: the
// first nRequired must be given, the rest default to defaults.
func (a args) bind(fname string, names []string, nRequired int, defaults ...value) ([]value, error) {
	out := make([]value, len(names))
	set := make([]bool, len(names))
	if len(a.pos) > len(names) {
		return nil, errorf("%s() takes at most %d argument(s) (%d given)", fname, len(names), len(a.pos))
	}
	for i, v := range a.pos {
		out[i], set[i] = v, true
	}
	for _, kw := range a.kw {
		i := indexOf(names, kw.name)
		if i < 0 {
			return nil, errorf("%s() got an unexpected keyword argument '%s'", fname, kw.name)
		}
		if set[i] {
			return nil, errorf("%s() got multiple values for argument '%s'", fname, kw.name)
		}
		out[i], set[i] = kw.value, true
	}
	for i := range names {
		if set[i] {
			continue
		}
		if i < nRequired {
			return nil, errorf("%s() missing required argument '%s'", fname, names[i])
		}
		if j := i - nRequired; j < len(defaults) {
			out[i] = defaults[j]
		}
	}
	return out, nil
}

func indexOf(names []string, name string) int {
	for i, n := range names {
		if n == name {
			return i
		}
	}
	return -1
}
