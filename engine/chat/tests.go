package chat

import "strings"

// Jinja's tests: "x is defined", "x is not none", "n is divisibleby 3" …

type testFunc func(r *renderer, v value, a args) (bool, error)

var tests map[string]testFunc

func init() {
	is := func(pred func(value) bool) testFunc {
		return func(r *renderer, v value, a args) (bool, error) {
			if len(a.pos)+len(a.kw) > 0 {
				return false, errorf("this test takes no arguments")
			}
			return pred(v), nil
		}
	}
	compareTest := func(op string) testFunc {
		return func(r *renderer, v value, a args) (bool, error) {
			p, err := a.bind(op, []string{"other"}, 1)
			if err != nil {
				return false, err
			}
			return compare(op, v, p[0])
		}
	}
	tests = map[string]testFunc{
		"boolean":   is(func(v value) bool { _, ok := v.(bool); return ok }),
		"callable":  is(isCallable),
		"defined":   is(func(v value) bool { return !isUndefined(v) }),
		"undefined": is(isUndefined),
		"none":      is(func(v value) bool { return v == nil }),
		"string":    is(func(v value) bool { _, ok := v.(string); return ok }),
		"number": is(func(v value) bool {
			_, _, _, ok := number(v)
			return ok
		}),
		"integer": is(func(v value) bool { _, ok := v.(int64); return ok }),
		"float":   is(func(v value) bool { _, ok := v.(float64); return ok }),
		"true":    is(func(v value) bool { b, ok := v.(bool); return ok && b }),
		"false":   is(func(v value) bool { b, ok := v.(bool); return ok && !b }),
		"mapping": is(func(v value) bool { _, ok := v.(*pyDict); return ok }),
		"iterable": is(func(v value) bool {
			switch v.(type) {
			case string, *pyList, *pyDict, undefined:
				return true
			}
			return false
		}),
		"sequence": is(func(v value) bool {
			switch v.(type) {
			case string, *pyList, *pyDict, undefined:
				return true
			}
			return false
		}),
		"lower": is(func(v value) bool {
			s := strValue(v)
			return s == strings.ToLower(s) && s != strings.ToUpper(s)
		}),
		"upper": is(func(v value) bool {
			s := strValue(v)
			return s == strings.ToUpper(s) && s != strings.ToLower(s)
		}),
		"escaped": is(func(value) bool { return false }),
		"odd":     intTest(func(i int64) bool { return i%2 != 0 }),
		"even":    intTest(func(i int64) bool { return i%2 == 0 }),
		"divisibleby": func(r *renderer, v value, a args) (bool, error) {
			p, err := a.bind("divisibleby", []string{"num"}, 1)
			if err != nil {
				return false, err
			}
			m, err := binaryOp("%", v, p[0])
			if err != nil {
				return false, err
			}
			return pyEqual(m, int64(0), 0), nil
		},
		"sameas": func(r *renderer, v value, a args) (bool, error) {
			p, err := a.bind("sameas", []string{"other"}, 1)
			if err != nil {
				return false, err
			}
			return sameAs(v, p[0]), nil
		},
		"in": func(r *renderer, v value, a args) (bool, error) {
			p, err := a.bind("in", []string{"seq"}, 1)
			if err != nil {
				return false, err
			}
			return contains(p[0], v)
		},
		"filter": is(func(v value) bool { s, ok := v.(string); _, known := filters[s]; return ok && known }),
		"test":   is(func(v value) bool { s, ok := v.(string); _, known := tests[s]; return ok && known }),
	}
	for _, names := range [][]string{
		{"==", "eq", "equalto"}, {"!=", "ne"}, {"<", "lt", "lessthan"}, {"<=", "le"},
		{">", "gt", "greaterthan"}, {">=", "ge"},
	} {
		for _, n := range names {
			tests[n] = compareTest(names[0])
		}
	}
}

func intTest(pred func(int64) bool) testFunc {
	return func(r *renderer, v value, a args) (bool, error) {
		i, ok := asIndex(v)
		if !ok {
			return false, errorf("this test needs an integer, not %s", typeName(v))
		}
		return pred(i), nil
	}
}

func isCallable(v value) bool {
	switch v.(type) {
	case *macro, *builtin, *boundMethod:
		return true
	}
	return false
}

// sameAs is Python's "is": identity for containers, value for the
// immutable scalars that Python interns (None, booleans).
func sameAs(a, b value) bool {
	switch x := a.(type) {
	case nil:
		return b == nil
	case bool:
		y, ok := b.(bool)
		return ok && x == y
	case int64, float64, string:
		return a == b
	case *pyList, *pyDict, *pyNamespace, *macro:
		return a == b
	}
	return false
}

func (r *renderer) applyTest(t *testExpr, sc *scope) (value, error) {
	v, err := r.eval(t.operand, sc)
	if err != nil {
		return nil, err
	}
	a, err := r.evalArgs(t.callArgs, sc)
	if err != nil {
		return nil, err
	}
	ok, err := tests[t.name](r, v, a)
	if err != nil {
		return nil, err
	}
	return ok != t.negate, nil
}
