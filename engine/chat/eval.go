package chat

// Expression evaluation, attribute and item lookup, slicing.

func (r *renderer) eval(e expr, sc *scope) (value, error) {
	v, err := r.evalExpr(e, sc)
	if err == nil {
		if s, ok := v.(string); ok && len(s) >= bigString {
			// Building or passing on a big string costs in proportion,
			// so a loop over huge strings meets the step limit soon.
			err = r.charge(len(s) / bigString)
		}
	}
	if err != nil {
		return nil, at(err, e.exprLine())
	}
	return v, nil
}

// bigString is the string size from which evaluation is charged, one step
// per bigString bytes.
const bigString = 256

func (r *renderer) evalExpr(e expr, sc *scope) (value, error) {
	switch e := e.(type) {
	case *constExpr:
		return e.value, nil
	case *nameExpr:
		if v, ok := sc.lookup(e.name); ok {
			return v, nil
		}
		if g, ok := globals[e.name]; ok {
			return g, nil
		}
		return undefinedName(e.name), nil
	case *listExpr:
		items := make([]value, len(e.items))
		for i, item := range e.items {
			v, err := r.eval(item, sc)
			if err != nil {
				return nil, err
			}
			items[i] = v
		}
		if err := r.charge(len(items)); err != nil {
			return nil, err
		}
		return &pyList{Items: items, Tuple: e.tuple}, nil
	case *dictExpr:
		d := newDict()
		for i := range e.keys {
			k, err := r.eval(e.keys[i], sc)
			if err != nil {
				return nil, err
			}
			v, err := r.eval(e.values[i], sc)
			if err != nil {
				return nil, err
			}
			if err := d.Set(k, v); err != nil {
				return nil, err
			}
		}
		return d, r.charge(d.Len())
	case *attrExpr:
		obj, err := r.eval(e.obj, sc)
		if err != nil {
			return nil, err
		}
		if u, ok := obj.(undefined); ok {
			return nil, errorf("%s", u.message())
		}
		return getAttr(obj, e.name), nil
	case *indexExpr:
		obj, err := r.eval(e.obj, sc)
		if err != nil {
			return nil, err
		}
		if u, ok := obj.(undefined); ok {
			return nil, errorf("%s", u.message())
		}
		key, err := r.eval(e.index, sc)
		if err != nil {
			return nil, err
		}
		return getItem(obj, key), nil
	case *sliceExpr:
		return r.evalSlice(e, sc)
	case *callExpr:
		fn, err := r.eval(e.fn, sc)
		if err != nil {
			return nil, err
		}
		a, err := r.evalArgs(e.callArgs, sc)
		if err != nil {
			return nil, err
		}
		return r.call(fn, a)
	case *filterExpr:
		v, err := r.eval(e.operand, sc)
		if err != nil {
			return nil, err
		}
		return r.applyFilter(e, v, sc)
	case *testExpr:
		return r.applyTest(e, sc)
	case *unaryExpr:
		v, err := r.eval(e.operand, sc)
		if err != nil {
			return nil, err
		}
		if e.op == "not" {
			return !truthy(v), nil
		}
		return unaryOp(e.op, v)
	case *binaryExpr:
		left, err := r.eval(e.left, sc)
		if err != nil {
			return nil, err
		}
		switch e.op {
		case "and":
			if !truthy(left) {
				return left, nil
			}
			return r.eval(e.right, sc)
		case "or":
			if truthy(left) {
				return left, nil
			}
			return r.eval(e.right, sc)
		}
		right, err := r.eval(e.right, sc)
		if err != nil {
			return nil, err
		}
		v, err := binaryOp(e.op, left, right)
		if l, ok := v.(*pyList); ok && err == nil {
			err = r.charge(len(l.Items)) // building a list is work too
		}
		return v, err
	case *compareExpr:
		left, err := r.eval(e.first, sc)
		if err != nil {
			return nil, err
		}
		for i, op := range e.ops {
			right, err := r.eval(e.rest[i], sc)
			if err != nil {
				return nil, err
			}
			ok, err := compare(op, left, right)
			if err != nil {
				return nil, err
			}
			if !ok {
				return false, nil
			}
			left = right
		}
		return true, nil
	case *condExpr:
		c, err := r.eval(e.cond, sc)
		if err != nil {
			return nil, err
		}
		if truthy(c) {
			return r.eval(e.then, sc)
		}
		if e.orElse == nil {
			return undefined{hint: "the inline if-expression evaluated to false and no else section was defined"}, nil
		}
		return r.eval(e.orElse, sc)
	}
	return nil, errorf("internal error: unknown expression %T", e)
}

// args are evaluated call arguments.
type args struct {
	pos []value
	kw  []kwValue
}

type kwValue struct {
	name  string
	value value
}

func (r *renderer) evalArgs(ca callArgs, sc *scope) (args, error) {
	var a args
	for _, e := range ca.args {
		v, err := r.eval(e, sc)
		if err != nil {
			return a, err
		}
		a.pos = append(a.pos, v)
	}
	if ca.star != nil {
		v, err := r.eval(ca.star, sc)
		if err != nil {
			return a, err
		}
		items, err := r.iterate(v)
		if err != nil {
			return a, err
		}
		a.pos = append(a.pos, items...)
	}
	for _, kw := range ca.kwargs {
		v, err := r.eval(kw.value, sc)
		if err != nil {
			return a, err
		}
		a.kw = append(a.kw, kwValue{kw.name, v})
	}
	if ca.dstar != nil {
		v, err := r.eval(ca.dstar, sc)
		if err != nil {
			return a, err
		}
		d, ok := v.(*pyDict)
		if !ok {
			return a, errorf("argument after ** must be a mapping, not %s", typeName(v))
		}
		for i, k := range d.keys {
			name, ok := k.(string)
			if !ok {
				return a, errorf("keywords must be strings")
			}
			a.kw = append(a.kw, kwValue{name, d.values[i]})
		}
	}
	return a, nil
}

// getAttr is Jinja's obj.name: a Python attribute (methods of str, list
// and dict) first, then the item obj["name"]; Undefined when neither.
func getAttr(obj value, name string) value {
	switch x := obj.(type) {
	case *pyDict:
		if dictMethods[name] {
			return &boundMethod{recv: x, name: name}
		}
		if v, ok := x.Get(name); ok {
			return v
		}
	case *pyNamespace:
		if v, ok := x.attrs.Get(name); ok {
			return v
		}
	case string:
		if strMethods[name] {
			return &boundMethod{recv: x, name: name}
		}
	case *pyList:
		if listMethods[name] {
			return &boundMethod{recv: x, name: name}
		}
	case *loopInfo:
		return x.attr(name)
	}
	return undefinedAttr(obj, name)
}

// getItem is Jinja's obj[key]: the item first, then for a string key the
// attribute; Undefined when neither.
func getItem(obj, key value) value {
	switch x := obj.(type) {
	case *pyDict:
		if v, ok := x.Get(key); ok {
			return v
		}
	case *pyList:
		if i, ok := asIndex(key); ok {
			if i < 0 {
				i += int64(len(x.Items))
			}
			if i >= 0 && i < int64(len(x.Items)) {
				return x.Items[i]
			}
			return undefined{hint: typeName(x) + " index out of range"}
		}
	case string:
		if i, ok := asIndex(key); ok {
			rs := []rune(x)
			if i < 0 {
				i += int64(len(rs))
			}
			if i >= 0 && i < int64(len(rs)) {
				return string(rs[i])
			}
			return undefined{hint: "string index out of range"}
		}
	}
	if name, ok := key.(string); ok {
		return getAttr(obj, name)
	}
	return undefined{hint: "'" + typeName(obj) + " object' has no item " + reprValue(key)}
}

// asIndex accepts ints and booleans as list indexes, as Python does.
func asIndex(v value) (int64, bool) {
	switch x := v.(type) {
	case int64:
		return x, true
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}

func (r *renderer) evalSlice(e *sliceExpr, sc *scope) (value, error) {
	obj, err := r.eval(e.obj, sc)
	if err != nil {
		return nil, err
	}
	if u, ok := obj.(undefined); ok {
		return nil, errorf("%s", u.message())
	}
	var bounds [3]*int64
	for i, b := range []expr{e.start, e.stop, e.step} {
		if b == nil {
			continue
		}
		v, err := r.eval(b, sc)
		if err != nil {
			return nil, err
		}
		if v == nil {
			continue
		}
		n, ok := asIndex(v)
		if !ok {
			return nil, errorf("slice indices must be integers or None, not %s", typeName(v))
		}
		bounds[i] = &n
	}
	return sliceValue(obj, bounds[0], bounds[1], bounds[2])
}

// sliceValue is Python's obj[start:stop:step] on lists and strings.
func sliceValue(obj value, start, stop, step *int64) (value, error) {
	var n int
	var rs []rune
	switch x := obj.(type) {
	case *pyList:
		n = len(x.Items)
	case string:
		rs = []rune(x)
		n = len(rs)
	default:
		return nil, errorf("'%s' object is not subscriptable", typeName(obj))
	}
	idx, err := sliceIndexes(n, start, stop, step)
	if err != nil {
		return nil, err
	}
	switch x := obj.(type) {
	case *pyList:
		items := make([]value, len(idx))
		for i, j := range idx {
			items[i] = x.Items[j]
		}
		return &pyList{Items: items, Tuple: x.Tuple}, nil
	default:
		out := make([]rune, len(idx))
		for i, j := range idx {
			out[i] = rs[j]
		}
		return string(out), nil
	}
}

func sliceIndexes(n int, startP, stopP, stepP *int64) ([]int, error) {
	step := int64(1)
	if stepP != nil {
		step = *stepP
	}
	if step == 0 {
		return nil, errorf("slice step cannot be zero")
	}
	clamp := func(p *int64, def, lo, hi int64) int64 {
		if p == nil {
			return def
		}
		v := *p
		if v < 0 {
			v += int64(n)
			if v < lo {
				v = lo
			}
		} else if v > hi {
			v = hi
		}
		return v
	}
	var idx []int
	if step > 0 {
		start := clamp(startP, 0, 0, int64(n))
		stop := clamp(stopP, int64(n), 0, int64(n))
		for i := start; i < stop; i += step {
			idx = append(idx, int(i))
		}
	} else {
		start := clamp(startP, int64(n)-1, -1, int64(n)-1)
		stop := clamp(stopP, -1, -1, int64(n)-1)
		for i := start; i > stop; i += step {
			idx = append(idx, int(i))
		}
	}
	return idx, nil
}
