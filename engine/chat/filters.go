package chat

import (
	"html"
	"math"
	"regexp"
	"strconv"
	"strings"
)

// Jinja's built-in filters (those chat templates use), with transformers'
// tojson, plus from_json (not Jinja, but some templates call it).

type filterFunc func(r *renderer, v value, a args) (value, error)

// filters is filled in init, because some filters (map) call others.
var filters map[string]filterFunc

func init() {
	filters = map[string]filterFunc{
		"abs":        filterAbs,
		"attr":       filterAttr,
		"capitalize": stringFilter(pyCapitalize),
		"center":     filterCenter,
		"count":      filterLength,
		"d":          filterDefault,
		"default":    filterDefault,
		"dictsort":   filterDictsort,
		"e":          filterEscape,
		"escape":     filterEscape,
		"first":      filterFirst,
		"float":      filterFloat,
		"format":     filterFormat,
		"from_json":  filterFromJSON,
		"indent":     filterIndent,
		"int":        filterInt,
		"items":      filterItems,
		"join":       filterJoin,
		"last":       filterLast,
		"length":     filterLength,
		"list":       filterList,
		"lower":      stringFilter(strings.ToLower),
		"map":        filterMap,
		"max":        filterMax,
		"min":        filterMin,
		"pprint":     func(r *renderer, v value, a args) (value, error) { return checkString(reprValue(v)) },
		"reject":     filterSelect(false),
		"rejectattr": filterSelectAttr(false),
		"replace":    filterReplace,
		"reverse":    filterReverse,
		"round":      filterRound,
		"safe":       func(r *renderer, v value, a args) (value, error) { return checkString(strValue(v)) },
		"select":     filterSelect(true),
		"selectattr": filterSelectAttr(true),
		"sort":       filterSort,
		"string":     func(r *renderer, v value, a args) (value, error) { return checkString(strValue(v)) },
		"sum":        filterSum,
		"title":      stringFilter(jinjaTitle),
		"tojson":     filterToJSON,
		"trim":       filterTrim,
		"truncate":   filterTruncate,
		"unique":     filterUnique,
		"upper":      stringFilter(pyUpper),
		"wordcount":  filterWordcount,
	}
}

func (r *renderer) applyFilter(f *filterExpr, v value, sc *scope) (value, error) {
	a, err := r.evalArgs(f.callArgs, sc)
	if err != nil {
		return nil, err
	}
	return r.callFilter(f.name, v, a)
}

func (r *renderer) callFilter(name string, v value, a args) (value, error) {
	fn, ok := filters[name]
	if !ok {
		return nil, errorf("unknown filter %q", name)
	}
	return fn(r, v, a)
}

// stringFilter makes a filter of a string function, applied to str(v).
func stringFilter(fn func(string) string) filterFunc {
	return func(r *renderer, v value, a args) (value, error) {
		if _, err := a.bind("filter", nil, 0); err != nil {
			return nil, err
		}
		return fn(strValue(v)), nil
	}
}

var titleWordRe = regexp.MustCompile(`([-\s(){}\[\]<>]+)`)

// jinjaTitle is Jinja's title filter: each word capitalized, words split
// at spaces, dashes and brackets.
func jinjaTitle(s string) string {
	var b strings.Builder
	last := 0
	for _, m := range titleWordRe.FindAllStringIndex(s, -1) {
		b.WriteString(pyCapitalize(s[last:m[0]]))
		b.WriteString(s[m[0]:m[1]])
		last = m[1]
	}
	b.WriteString(pyCapitalize(s[last:]))
	return b.String()
}

func filterAbs(r *renderer, v value, a args) (value, error) {
	i, f, isFloat, ok := number(v)
	switch {
	case !ok:
		return nil, errorf("bad operand type for abs(): '%s'", typeName(v))
	case isFloat:
		return math.Abs(f), nil
	case i < 0:
		return unaryOp("-", i)
	}
	return i, nil
}

func filterAttr(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("attr", []string{"name"}, 1)
	if err != nil {
		return nil, err
	}
	name, err := argString("attr", p[0])
	if err != nil {
		return nil, err
	}
	if u, ok := v.(undefined); ok {
		return nil, errorf("%s", u.message())
	}
	return pythonAttr(v, name), nil
}

// pythonAttr is getattr(v, name) alone, without the item lookup of
// getAttr: what the attr filter does.
func pythonAttr(v value, name string) value {
	switch v.(type) {
	case *pyDict, string, *pyList:
		if a, ok := getAttr(v, name).(*boundMethod); ok {
			return a
		}
		return undefinedAttr(v, name)
	}
	return getAttr(v, name)
}

func filterCenter(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("center", []string{"width"}, 0, int64(80))
	if err != nil {
		return nil, err
	}
	w, err := argInt("center", p[0])
	if err != nil {
		return nil, err
	}
	return pad(strValue(v), "center", w, " ")
}

// length is len(); Undefined has length 0.
func length(v value) (int, error) {
	switch x := v.(type) {
	case undefined:
		return 0, nil
	case string:
		return runeLen(x), nil
	case *pyList:
		return len(x.Items), nil
	case *pyDict:
		return x.Len(), nil
	}
	return 0, errorf("object of type '%s' has no len()", typeName(v))
}

func filterLength(r *renderer, v value, a args) (value, error) {
	n, err := length(v)
	return int64(n), err
}

func filterDefault(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("default", []string{"default_value", "boolean"}, 0, "", false)
	if err != nil {
		return nil, err
	}
	if isUndefined(v) || truthy(p[1]) && !truthy(v) {
		return p[0], nil
	}
	return v, nil
}

func filterEscape(r *renderer, v value, a args) (value, error) {
	return html.EscapeString(strValue(v)), nil
}

func filterFloat(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("float", []string{"default"}, 0, 0.0)
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		if f, ok := pyParseFloat(x); ok {
			return f, nil
		}
	default:
		if _, f, _, ok := number(v); ok {
			return f, nil
		}
	}
	return p[0], nil
}

func filterInt(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("int", []string{"default", "base"}, 0, int64(0), int64(10))
	if err != nil {
		return nil, err
	}
	base, err := argInt("int", p[1])
	if err != nil {
		return nil, err
	}
	switch x := v.(type) {
	case string:
		if i, ok := pyParseInt(x, int(base)); ok {
			return i, nil
		}
		if f, ok := pyParseFloat(x); ok && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) < 9.2e18 {
			return int64(f), nil
		}
	default:
		i, f, isFloat, ok := number(v)
		if ok && !isFloat {
			return i, nil
		}
		if ok && !math.IsInf(f, 0) && !math.IsNaN(f) && math.Abs(f) < 9.2e18 {
			return int64(f), nil
		}
	}
	return p[0], nil
}

func filterFormat(r *renderer, v value, a args) (value, error) {
	if len(a.pos) > 0 && len(a.kw) > 0 {
		return nil, errorf("format: can't handle positional and keyword arguments at the same time")
	}
	if len(a.kw) > 0 {
		d := newDict()
		for _, kw := range a.kw {
			d.SetString(kw.name, kw.value)
		}
		return percentFormat(strValue(v), d)
	}
	return percentFormat(strValue(v), newTuple(a.pos...))
}

func filterFromJSON(r *renderer, v value, a args) (value, error) {
	s, ok := v.(string)
	if !ok {
		return nil, errorf("from_json needs a string, not %s", typeName(v))
	}
	return fromJSON(s)
}

// filterIndent is Jinja's indent(width=4, first=False, blank=False): every
// line after the first gets the indent, blank lines only when asked.
func filterIndent(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("indent", []string{"width", "first", "blank"}, 0, int64(4), false, false)
	if err != nil {
		return nil, err
	}
	var ind string
	switch w := p[0].(type) {
	case string:
		ind = w
	default:
		n, err := argInt("indent", w)
		if err != nil {
			return nil, err
		}
		if n > 1000 {
			return nil, limitErrorf("indent width %d too large", n)
		}
		ind = strings.Repeat(" ", int(max(n, 0)))
	}
	lines := pySplitLines(strValue(v)+"\n", false)
	var out string
	if truthy(p[2]) {
		out = strings.Join(lines, "\n"+ind)
	} else {
		out = lines[0]
		for _, line := range lines[1:] {
			out += "\n"
			if line != "" {
				out += ind + line
			}
		}
	}
	if truthy(p[1]) {
		out = ind + out
	}
	return checkString(out)
}

func filterItems(r *renderer, v value, a args) (value, error) {
	switch x := v.(type) {
	case undefined:
		return newList(nil), nil
	case *pyDict:
		return newList(x.Items()), r.charge(x.Len())
	}
	return nil, errorf("can only get item pairs from a mapping, not %s", typeName(v))
}

func filterReplace(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("replace", []string{"old", "new", "count"}, 2, nil)
	if err != nil {
		return nil, err
	}
	return pyReplace(strValue(v), p[0], p[1], p[2])
}

func filterRound(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("round", []string{"precision", "method"}, 0, int64(0), "common")
	if err != nil {
		return nil, err
	}
	i, f, isFloat, ok := number(v)
	if !ok {
		return nil, errorf("round needs a number, not %s", typeName(v))
	}
	prec, err := argInt("round", p[0])
	if err != nil {
		return nil, err
	}
	if !isFloat && p[1] == "common" && prec >= 0 {
		return i, nil // Python's round keeps an int an int
	}
	if prec > 300 || prec < -300 {
		return f, nil
	}
	scale := math.Pow(10, float64(prec))
	switch p[1] {
	case "common":
		if prec >= 0 {
			s := strconv.FormatFloat(f, 'f', int(prec), 64)
			g, _ := strconv.ParseFloat(s, 64)
			return g, nil
		}
		return math.RoundToEven(f*scale) / scale, nil
	case "ceil":
		return math.Ceil(f*scale) / scale, nil
	case "floor":
		return math.Floor(f*scale) / scale, nil
	}
	return nil, errorf("method must be 'common', 'ceil' or 'floor'")
}

// filterToJSON is transformers' tojson(ensure_ascii=False, indent=None,
// separators=None, sort_keys=False).
func filterToJSON(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("tojson", []string{"ensure_ascii", "indent", "separators", "sort_keys"}, 0, false, nil, nil, false)
	if err != nil {
		return nil, err
	}
	opts := defaultJSONOptions()
	opts.ensureASCII = truthy(p[0])
	opts.sortKeys = truthy(p[3])
	switch ind := p[1].(type) {
	case nil:
	case string:
		opts.indent, opts.hasIndent = ind, true
	default:
		n, err := argInt("tojson", ind)
		if err != nil {
			return nil, err
		}
		if n > 1000 {
			return nil, limitErrorf("indent %d too large", n)
		}
		opts.indent, opts.hasIndent = strings.Repeat(" ", int(max(n, 0))), true
	}
	if opts.hasIndent {
		opts.itemSep = ","
	}
	if p[2] != nil {
		seps, ok := p[2].(*pyList)
		if !ok || len(seps.Items) != 2 {
			return nil, errorf("tojson: separators must be a pair of strings")
		}
		item, ok1 := seps.Items[0].(string)
		key, ok2 := seps.Items[1].(string)
		if !ok1 || !ok2 {
			return nil, errorf("tojson: separators must be a pair of strings")
		}
		opts.itemSep, opts.keySep = item, key
	}
	return toJSON(v, opts)
}

func filterTrim(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("trim", []string{"chars"}, 0)
	if err != nil {
		return nil, err
	}
	return pyStrip(strValue(v), p[0], true, true)
}

func filterTruncate(r *renderer, v value, a args) (value, error) {
	p, err := a.bind("truncate", []string{"length", "killwords", "end", "leeway"}, 0, int64(255), false, "...", int64(5))
	if err != nil {
		return nil, err
	}
	n, err := argInt("truncate", p[0])
	if err != nil {
		return nil, err
	}
	end, err := argString("truncate", p[2])
	if err != nil {
		return nil, err
	}
	leeway, err := argInt("truncate", p[3])
	if err != nil {
		return nil, err
	}
	rs := []rune(strValue(v))
	if int64(len(rs)) <= n+leeway {
		return string(rs), nil
	}
	cut := max(n-int64(runeLen(end)), 0)
	head := string(rs[:cut])
	if !truthy(p[1]) {
		if i := strings.LastIndexByte(head, ' '); i >= 0 {
			head = head[:i]
		}
	}
	return head + end, nil
}

var wordRe = regexp.MustCompile(`[\p{L}\p{N}_]+`)

func filterWordcount(r *renderer, v value, a args) (value, error) {
	return int64(len(wordRe.FindAllStringIndex(strValue(v), -1))), nil
}
