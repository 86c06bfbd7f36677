package chat

import (
	"strings"
	"unicode"
)

// Python methods of str, list and dict that templates call, such as
// message.content.strip() or tool.get('name').

var strMethods = setOf("strip", "lstrip", "rstrip", "split", "rsplit", "splitlines",
	"startswith", "endswith", "replace", "upper", "lower", "title", "capitalize",
	"swapcase", "casefold", "find", "rfind", "index", "rindex", "count", "join", "format",
	"isdigit", "isalpha", "isalnum", "isspace", "isupper", "islower", "isnumeric",
	"isdecimal", "zfill", "center", "ljust", "rjust", "removeprefix", "removesuffix",
	"partition", "rpartition")

var listMethods = setOf("append", "pop", "extend", "insert", "remove", "index", "count",
	"copy", "reverse", "clear")

var dictMethods = setOf("get", "items", "keys", "values", "copy", "pop", "update",
	"setdefault", "clear")

func setOf(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

func (r *renderer) callMethod(m *boundMethod, a args) (value, error) {
	switch recv := m.recv.(type) {
	case string:
		return r.strMethod(recv, m.name, a)
	case *pyList:
		return r.listMethod(recv, m.name, a)
	case *pyDict:
		return r.dictMethod(recv, m.name, a)
	case *loopInfo:
		return loopMethod(recv, m.name, a)
	}
	return nil, errorf("'%s' object has no method '%s'", typeName(m.recv), m.name)
}

func argString(fname string, v value) (string, error) {
	s, ok := v.(string)
	if !ok {
		return "", errorf("%s() argument must be str, not %s", fname, typeName(v))
	}
	return s, nil
}

func argInt(fname string, v value) (int64, error) {
	i, ok := asIndex(v)
	if !ok {
		return 0, errorf("%s() argument must be int, not %s", fname, typeName(v))
	}
	return i, nil
}

// affixes reads the str-or-tuple argument of startswith and endswith.
func affixes(fname string, v value) ([]string, error) {
	if l, ok := v.(*pyList); ok && l.Tuple {
		out := make([]string, len(l.Items))
		for i, item := range l.Items {
			s, err := argString(fname, item)
			if err != nil {
				return nil, err
			}
			out[i] = s
		}
		return out, nil
	}
	s, ok := v.(string)
	if !ok {
		return nil, errorf("%s first arg must be str or a tuple of str, not %s", fname, typeName(v))
	}
	return []string{s}, nil
}

func stringsToList(parts []string) *pyList {
	items := make([]value, len(parts))
	for i, p := range parts {
		items[i] = p
	}
	return newList(items)
}

func boolTest(s string, f func(rune) bool) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if !f(r) {
			return false
		}
	}
	return true
}

func (r *renderer) strMethod(s, name string, a args) (value, error) {
	switch name {
	case "strip", "lstrip", "rstrip":
		v, err := a.bind(name, []string{"chars"}, 0)
		if err != nil {
			return nil, err
		}
		return pyStrip(s, v[0], name != "rstrip", name != "lstrip")
	case "split", "rsplit":
		v, err := a.bind(name, []string{"sep", "maxsplit"}, 0, nil, int64(-1))
		if err != nil {
			return nil, err
		}
		n, err := argInt(name, v[1])
		if err != nil {
			return nil, err
		}
		var parts []string
		if name == "split" {
			parts, err = pySplit(s, v[0], n)
		} else {
			parts, err = pyRSplit(s, v[0], n)
		}
		if err != nil {
			return nil, err
		}
		return stringsToList(parts), r.charge(len(parts))
	case "splitlines":
		v, err := a.bind(name, []string{"keepends"}, 0, false)
		if err != nil {
			return nil, err
		}
		parts := pySplitLines(s, truthy(v[0]))
		return stringsToList(parts), r.charge(len(parts))
	case "startswith", "endswith":
		v, err := a.bind(name, []string{"prefix"}, 1)
		if err != nil {
			return nil, err
		}
		list, err := affixes(name, v[0])
		if err != nil {
			return nil, err
		}
		for _, x := range list {
			if name == "startswith" && strings.HasPrefix(s, x) || name == "endswith" && strings.HasSuffix(s, x) {
				return true, nil
			}
		}
		return false, nil
	case "replace":
		v, err := a.bind(name, []string{"old", "new", "count"}, 2, int64(-1))
		if err != nil {
			return nil, err
		}
		return pyReplace(s, v[0], v[1], v[2])
	case "upper":
		return pyUpper(s), nil
	case "lower", "casefold":
		return strings.ToLower(s), nil
	case "title":
		return pyTitle(s), nil
	case "capitalize":
		return pyCapitalize(s), nil
	case "swapcase":
		return strings.Map(func(c rune) rune {
			if unicode.IsUpper(c) {
				return unicode.ToLower(c)
			}
			return unicode.ToUpper(c)
		}, s), nil
	case "find", "rfind", "index", "rindex", "count":
		v, err := a.bind(name, []string{"sub"}, 1)
		if err != nil {
			return nil, err
		}
		sub, err := argString(name, v[0])
		if err != nil {
			return nil, err
		}
		if name == "count" {
			if sub == "" {
				return int64(runeLen(s) + 1), nil
			}
			return int64(strings.Count(s, sub)), nil
		}
		i := strings.Index(s, sub)
		if name[0] == 'r' {
			i = strings.LastIndex(s, sub)
		}
		if i < 0 {
			if name == "index" || name == "rindex" {
				return nil, errorf("substring not found")
			}
			return int64(-1), nil
		}
		return int64(runeLen(s[:i])), nil
	case "join":
		v, err := a.bind(name, []string{"iterable"}, 1)
		if err != nil {
			return nil, err
		}
		items, err := r.iterate(v[0])
		if err != nil {
			return nil, err
		}
		parts := make([]string, len(items))
		for i, item := range items {
			if parts[i], err = argString("join", item); err != nil {
				return nil, errorf("sequence item %d: expected str instance, %s found", i, typeName(item))
			}
		}
		return checkString(strings.Join(parts, s))
	case "format":
		return pyFormat(s, a)
	case "isdigit", "isnumeric", "isdecimal":
		return boolTest(s, unicode.IsDigit), nil
	case "isalpha":
		return boolTest(s, unicode.IsLetter), nil
	case "isalnum":
		return boolTest(s, func(c rune) bool { return unicode.IsLetter(c) || unicode.IsDigit(c) }), nil
	case "isspace":
		return boolTest(s, isPySpace), nil
	case "isupper", "islower":
		want := unicode.IsUpper
		other := unicode.IsLower
		if name == "islower" {
			want, other = unicode.IsLower, unicode.IsUpper
		}
		cased := false
		for _, c := range s {
			if other(c) {
				return false, nil
			}
			cased = cased || want(c)
		}
		return cased, nil
	case "zfill", "center", "ljust", "rjust":
		v, err := a.bind(name, []string{"width", "fillchar"}, 1, " ")
		if err != nil {
			return nil, err
		}
		w, err := argInt(name, v[0])
		if err != nil {
			return nil, err
		}
		fill, err := argString(name, v[1])
		if err != nil || runeLen(fill) != 1 {
			return nil, errorf("%s() fill character must be exactly one character long", name)
		}
		return pad(s, name, w, fill)
	case "removeprefix":
		v, err := a.bind(name, []string{"prefix"}, 1)
		if err != nil {
			return nil, err
		}
		p, err := argString(name, v[0])
		return strings.TrimPrefix(s, p), err
	case "removesuffix":
		v, err := a.bind(name, []string{"suffix"}, 1)
		if err != nil {
			return nil, err
		}
		p, err := argString(name, v[0])
		return strings.TrimSuffix(s, p), err
	case "partition", "rpartition":
		v, err := a.bind(name, []string{"sep"}, 1)
		if err != nil {
			return nil, err
		}
		sep, err := argString(name, v[0])
		if err != nil {
			return nil, err
		}
		if sep == "" {
			return nil, errorf("empty separator")
		}
		i := strings.Index(s, sep)
		if name == "rpartition" {
			i = strings.LastIndex(s, sep)
		}
		if i < 0 {
			if name == "rpartition" {
				return newTuple("", "", s), nil
			}
			return newTuple(s, "", ""), nil
		}
		return newTuple(s[:i], sep, s[i+len(sep):]), nil
	}
	return nil, errorf("'str' object has no attribute '%s'", name)
}

// pyReplace is str.replace(old, new, count).
func pyReplace(s string, oldV, newV, countV value) (value, error) {
	old, err := argString("replace", oldV)
	if err != nil {
		return nil, err
	}
	repl, err := argString("replace", newV)
	if err != nil {
		return nil, err
	}
	n := int64(-1)
	if countV != nil {
		if n, err = argInt("replace", countV); err != nil {
			return nil, err
		}
	}
	if n < 0 {
		n = -1
	}
	hits := int64(strings.Count(s, old))
	if old == "" {
		hits = int64(runeLen(s) + 1)
	}
	if n >= 0 && hits > n {
		hits = n
	}
	if int64(len(s))+hits*int64(len(repl)) > maxStringBytes {
		return nil, limitErrorf("string longer than %d bytes", maxStringBytes)
	}
	return strings.Replace(s, old, repl, int(n)), nil
}

func pad(s, how string, width int64, fill string) (value, error) {
	n := int64(runeLen(s))
	if width <= n {
		return s, nil
	}
	if width > maxStringBytes {
		return nil, limitErrorf("string longer than %d bytes", maxStringBytes)
	}
	missing := int(width - n)
	switch how {
	case "zfill":
		if s != "" && (s[0] == '-' || s[0] == '+') {
			return s[:1] + strings.Repeat("0", missing) + s[1:], nil
		}
		return strings.Repeat("0", missing) + s, nil
	case "ljust":
		return s + strings.Repeat(fill, missing), nil
	case "rjust":
		return strings.Repeat(fill, missing) + s, nil
	}
	left := missing / 2
	if missing%2 == 1 && n%2 == 1 {
		left++
	}
	return strings.Repeat(fill, left) + s + strings.Repeat(fill, missing-left), nil
}

func (r *renderer) listMethod(l *pyList, name string, a args) (value, error) {
	switch name {
	case "append":
		v, err := a.bind(name, []string{"object"}, 1)
		if err != nil {
			return nil, err
		}
		if len(l.Items) >= maxListItems {
			return nil, limitErrorf("list longer than %d items", maxListItems)
		}
		l.Items = append(l.Items, v[0])
		return nil, r.charge(1)
	case "extend":
		v, err := a.bind(name, []string{"iterable"}, 1)
		if err != nil {
			return nil, err
		}
		items, err := r.iterate(v[0])
		if err != nil {
			return nil, err
		}
		if len(l.Items)+len(items) > maxListItems {
			return nil, limitErrorf("list longer than %d items", maxListItems)
		}
		l.Items = append(l.Items, items...)
		return nil, nil
	case "insert":
		v, err := a.bind(name, []string{"index", "object"}, 2)
		if err != nil {
			return nil, err
		}
		i, err := argInt(name, v[0])
		if err != nil {
			return nil, err
		}
		n := int64(len(l.Items))
		if i < 0 {
			i = max(i+n, 0)
		}
		i = min(i, n)
		l.Items = append(l.Items, nil)
		copy(l.Items[i+1:], l.Items[i:])
		l.Items[i] = v[1]
		return nil, r.charge(1)
	case "pop":
		v, err := a.bind(name, []string{"index"}, 0, int64(-1))
		if err != nil {
			return nil, err
		}
		i, err := argInt(name, v[0])
		if err != nil {
			return nil, err
		}
		n := int64(len(l.Items))
		if n == 0 {
			return nil, errorf("pop from empty list")
		}
		if i < 0 {
			i += n
		}
		if i < 0 || i >= n {
			return nil, errorf("pop index out of range")
		}
		item := l.Items[i]
		l.Items = append(l.Items[:i], l.Items[i+1:]...)
		return item, nil
	case "remove", "index", "count":
		v, err := a.bind(name, []string{"value"}, 1)
		if err != nil {
			return nil, err
		}
		count := int64(0)
		for i, item := range l.Items {
			if !pyEqual(item, v[0], 0) {
				continue
			}
			switch name {
			case "remove":
				l.Items = append(l.Items[:i], l.Items[i+1:]...)
				return nil, nil
			case "index":
				return int64(i), nil
			}
			count++
		}
		if name == "count" {
			return count, nil
		}
		return nil, errorf("list.%s(x): x not in list", name)
	case "copy":
		return &pyList{Items: append([]value(nil), l.Items...)}, nil
	case "reverse":
		for i, j := 0, len(l.Items)-1; i < j; i, j = i+1, j-1 {
			l.Items[i], l.Items[j] = l.Items[j], l.Items[i]
		}
		return nil, nil
	case "clear":
		l.Items = nil
		return nil, nil
	}
	return nil, errorf("'list' object has no attribute '%s'", name)
}

func (r *renderer) dictMethod(d *pyDict, name string, a args) (value, error) {
	switch name {
	case "get":
		v, err := a.bind(name, []string{"key", "default"}, 1)
		if err != nil {
			return nil, err
		}
		if _, err := keyOf(v[0]); err != nil {
			return nil, err
		}
		if x, ok := d.Get(v[0]); ok {
			return x, nil
		}
		return v[1], nil
	case "items":
		return newList(d.Items()), r.charge(d.Len())
	case "keys":
		return newList(d.Keys()), r.charge(d.Len())
	case "values":
		return newList(d.Values()), r.charge(d.Len())
	case "copy":
		return d.copyDict(), r.charge(d.Len())
	case "pop":
		if len(a.pos) == 0 {
			return nil, errorf("pop expected at least 1 argument, got 0")
		}
		if x, ok := d.Delete(a.pos[0]); ok {
			return x, nil
		}
		if len(a.pos) > 1 {
			return a.pos[1], nil
		}
		return nil, errorf("KeyError: %s", reprValue(a.pos[0]))
	case "setdefault":
		v, err := a.bind(name, []string{"key", "default"}, 1)
		if err != nil {
			return nil, err
		}
		if x, ok := d.Get(v[0]); ok {
			return x, nil
		}
		return v[1], d.Set(v[0], v[1])
	case "update":
		for _, src := range a.pos {
			other, ok := src.(*pyDict)
			if !ok {
				return nil, errorf("update() argument must be a dict, not %s", typeName(src))
			}
			for i, k := range other.keys {
				_ = d.Set(k, other.values[i])
			}
		}
		for _, kw := range a.kw {
			d.SetString(kw.name, kw.value)
		}
		return nil, r.charge(d.Len())
	case "clear":
		*d = *newDict()
		return nil, nil
	}
	return nil, errorf("'dict' object has no attribute '%s'", name)
}

func loopMethod(l *loopInfo, name string, a args) (value, error) {
	switch name {
	case "cycle":
		if len(a.pos) == 0 {
			return nil, errorf("no items for cycling given")
		}
		return a.pos[l.index0%len(a.pos)], nil
	case "changed":
		cur := newTuple(a.pos...)
		if l.state.seen && pyEqual(l.state.last, cur, 0) {
			return false, nil
		}
		l.state.seen, l.state.last = true, cur
		return true, nil
	}
	return nil, errorf("'LoopContext' object has no attribute '%s'", name)
}
