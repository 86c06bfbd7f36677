package chat

import (
	"sort"
	"strconv"
	"strings"
)

// Filters over sequences. Jinja's select, map and friends return lazy
// generators; here they return lists, which print differently but behave
// the same under list, join, length, first and loops.

func filterFirst(r *renderer, v value, a args) (value, error) {
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return undefined{hint: "No first item, sequence was empty."}, nil
	}
	return items[0], nil
}

func filterLast(r *renderer, v value, a args) (value, error) {
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(items) == 0 {
		return undefined{hint: "No last item, sequence was empty."}, nil
	}
	return items[len(items)-1], nil
}

func filterList(r *renderer, v value, a args) (value, error) {
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	return newList(items), nil
}

func filterReverse(r *renderer, v value, a args) (value, error) {
	if s, ok := v.(string); ok {
		rs := []rune(s)
		for i, j := 0, len(rs)-1; i < j; i, j = i+1, j-1 {
			rs[i], rs[j] = rs[j], rs[i]
		}
		return string(rs), nil
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	for i, j := 0, len(items)-1; i < j; i, j = i+1, j-1 {
		items[i], items[j] = items[j], items[i]
	}
	return newList(items), nil
}

// attrGetter is Jinja's make_attrgetter: "a.b.0" looks up items a, b, 0 in
// turn (item lookup first, then attribute).
func attrGetter(attribute value) (func(value) value, error) {
	var parts []value
	switch at := attribute.(type) {
	case nil:
		return func(v value) value { return v }, nil
	case int64:
		parts = []value{at}
	case string:
		for _, p := range strings.Split(at, ".") {
			if n, err := strconv.ParseInt(p, 10, 64); err == nil {
				parts = append(parts, n)
			} else {
				parts = append(parts, p)
			}
		}
	default:
		return nil, errorf("attribute must be a string or an integer, not %s", typeName(attribute))
	}
	return func(v value) value {
		for _, p := range parts {
			if isUndefined(v) {
				return v
			}
			v = getItem(v, p)
		}
		return v
	}, nil
}

func filterJoin(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("join", []string{"d", "attribute"}, 0, "")
	if err != nil {
		return nil, err
	}
	sep, err := argString("join", p[0])
	if err != nil {
		return nil, err
	}
	get, err := attrGetter(p[1])
	if err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	var b strings.Builder
	for i, item := range items {
		if i > 0 {
			b.WriteString(sep)
		}
		b.WriteString(strValue(get(item)))
		if b.Len() > maxStringBytes {
			return nil, limitErrorf("string longer than %d bytes", maxStringBytes)
		}
	}
	return b.String(), nil
}

// filterMap is map('filter', args…) or map(attribute='name', default=x).
func filterMap(r *renderer, v value, a args) (value, error) {
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	if len(a.pos) == 0 {
		p, err := a.bind("map", []string{"attribute", "default"}, 1)
		if err != nil {
			return nil, err
		}
		get, err := attrGetter(p[0])
		if err != nil {
			return nil, err
		}
		out := make([]value, len(items))
		for i, item := range items {
			out[i] = get(item)
			if isUndefined(out[i]) && p[1] != nil {
				out[i] = p[1]
			}
		}
		return newList(out), nil
	}
	name, ok := a.pos[0].(string)
	if !ok {
		return nil, errorf("map: the filter name must be a string")
	}
	if _, ok := filters[name]; !ok {
		return nil, errorf("map: unknown filter %q", name)
	}
	rest := args{pos: a.pos[1:], kw: a.kw}
	out := make([]value, len(items))
	for i, item := range items {
		if out[i], err = r.callFilter(name, item, rest); err != nil {
			return nil, err
		}
	}
	return newList(out), nil
}

// testArgs reads the test name and its arguments from select-style
// filters; no name means "is true".
func testArgs(a args, skip int) (string, args, error) {
	if len(a.kw) > 0 {
		return "", args{}, errorf("keyword arguments are not supported here")
	}
	if len(a.pos) <= skip {
		return "", args{}, nil
	}
	name, ok := a.pos[skip].(string)
	if !ok {
		return "", args{}, errorf("the test name must be a string")
	}
	if _, ok := tests[name]; !ok {
		return "", args{}, errorf("unknown test %q", name)
	}
	return name, args{pos: a.pos[skip+1:]}, nil
}

func (r *renderer) runTest(name string, v value, a args) (bool, error) {
	if name == "" {
		return truthy(v), nil
	}
	return tests[name](r, v, a)
}

func filterSelect(keep bool) filterFunc {
	return func(r *renderer, v value, a args) (value, error) {
		name, targs, err := testArgs(a, 0)
		if err != nil {
			return nil, err
		}
		items, err := r.iterate(v)
		if err != nil {
			return nil, err
		}
		var out []value
		for _, item := range items {
			ok, err := r.runTest(name, item, targs)
			if err != nil {
				return nil, err
			}
			if ok == keep {
				out = append(out, item)
			}
		}
		return newList(out), nil
	}
}

func filterSelectAttr(keep bool) filterFunc {
	return func(r *renderer, v value, a args) (value, error) {
		if len(a.pos) == 0 {
			return nil, errorf("selectattr and rejectattr need an attribute name")
		}
		get, err := attrGetter(a.pos[0])
		if err != nil {
			return nil, err
		}
		name, targs, err := testArgs(a, 1)
		if err != nil {
			return nil, err
		}
		items, err := r.iterate(v)
		if err != nil {
			return nil, err
		}
		var out []value
		for _, item := range items {
			ok, err := r.runTest(name, get(item), targs)
			if err != nil {
				return nil, err
			}
			if ok == keep {
				out = append(out, item)
			}
		}
		return newList(out), nil
	}
}

// sortKey prepares a value for ordering: strings lower-cased unless the
// sort is case sensitive.
func sortKey(v value, caseSensitive bool) value {
	if s, ok := v.(string); ok && !caseSensitive {
		return strings.ToLower(s)
	}
	return v
}

// sortValues sorts stably by key, reporting Python's TypeError for
// values that do not order.
func sortValues(items []value, key func(value) value, reverse bool) error {
	var cmpErr error
	sort.SliceStable(items, func(i, j int) bool {
		if cmpErr != nil {
			return false
		}
		a, b := key(items[i]), key(items[j])
		if reverse {
			a, b = b, a
		}
		c, err := pyCompare(a, b, "<")
		if err != nil {
			cmpErr = err
		}
		return c < 0
	})
	return cmpErr
}

func filterSort(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("sort", []string{"reverse", "case_sensitive", "attribute"}, 0, false, false, nil)
	if err != nil {
		return nil, err
	}
	get, err := attrGetter(p[2])
	if err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	cs := truthy(p[1])
	err = sortValues(items, func(x value) value { return sortKey(get(x), cs) }, truthy(p[0]))
	return newList(items), err
}

func filterDictsort(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("dictsort", []string{"case_sensitive", "by", "reverse"}, 0, false, "key", false)
	if err != nil {
		return nil, err
	}
	d, ok := v.(*pyDict)
	if !ok {
		return nil, errorf("dictsort needs a dict, not %s", typeName(v))
	}
	pos := 0
	switch p[1] {
	case "key":
	case "value":
		pos = 1
	default:
		return nil, errorf("dictsort: you can only sort by either 'key' or 'value'")
	}
	items := d.Items()
	cs := truthy(p[0])
	err = sortValues(items, func(x value) value { return sortKey(x.(*pyList).Items[pos], cs) }, truthy(p[2]))
	return newList(items), err
}

func filterUnique(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("unique", []string{"case_sensitive", "attribute"}, 0, false, nil)
	if err != nil {
		return nil, err
	}
	get, err := attrGetter(p[1])
	if err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	cs := truthy(p[0])
	seen := newDict()
	var out []value
	for _, item := range items {
		k := sortKey(get(item), cs)
		if _, dup := seen.Get(k); dup {
			continue
		}
		if err := seen.Set(k, true); err != nil {
			return nil, err
		}
		out = append(out, item)
	}
	return newList(out), nil
}

func minMax(wantMax bool) filterFunc {
	return func(r *renderer, v value, a args) (value, error) {
		p, err := a.bind("min", []string{"case_sensitive", "attribute"}, 0, false, nil)
		if err != nil {
			return nil, err
		}
		get, err := attrGetter(p[1])
		if err != nil {
			return nil, err
		}
		items, err := r.iterate(v)
		if err != nil {
			return nil, err
		}
		if len(items) == 0 {
			return undefined{hint: "No aggregated item, sequence was empty."}, nil
		}
		cs := truthy(p[0])
		best := items[0]
		for _, item := range items[1:] {
			c, err := pyCompare(sortKey(get(item), cs), sortKey(get(best), cs), "<")
			if err != nil {
				return nil, err
			}
			if wantMax && c > 0 || !wantMax && c < 0 {
				best = item
			}
		}
		return best, nil
	}
}

var (
	filterMin = minMax(false)
	filterMax = minMax(true)
)

func filterSum(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("sum", []string{"attribute", "start"}, 0, nil, int64(0))
	if err != nil {
		return nil, err
	}
	get, err := attrGetter(p[0])
	if err != nil {
		return nil, err
	}
	items, err := r.iterate(v)
	if err != nil {
		return nil, err
	}
	total := p[1]
	for _, item := range items {
		if total, err = binaryOp("+", total, get(item)); err != nil {
			return nil, err
		}
	}
	return total, nil
}
