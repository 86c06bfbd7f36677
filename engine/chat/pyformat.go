package chat

import (
	"math"
	"strconv"
	"strings"
)

// Python's two string formatting languages: str.format ("{0} {name!r:>8}")
// and printf-style ("%s %5.2f" % args, and the format filter).

// pyFormat is str.format(*args, **kwargs).
func pyFormat(s string, a args) (value, error) {
	var b strings.Builder
	auto := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '}' {
			if i+1 < len(s) && s[i+1] == '}' {
				i++
				b.WriteByte('}')
				continue
			}
			return nil, errorf("single '}' encountered in format string")
		}
		if c != '{' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '{' {
			i++
			b.WriteByte('{')
			continue
		}
		end := strings.IndexByte(s[i:], '}')
		if end < 0 {
			return nil, errorf("single '{' encountered in format string")
		}
		field := s[i+1 : i+end]
		i += end
		spec := ""
		if j := strings.IndexByte(field, ':'); j >= 0 {
			field, spec = field[:j], field[j+1:]
		}
		conv := byte(0)
		if j := strings.IndexByte(field, '!'); j >= 0 {
			if j+2 != len(field) {
				return nil, errorf("invalid conversion in format string")
			}
			field, conv = field[:j], field[j+1]
		}
		v, err := formatField(field, a, &auto)
		if err != nil {
			return nil, err
		}
		switch conv {
		case 'r', 'a':
			v = reprValue(v)
		case 's':
			v = strValue(v)
		case 0:
		default:
			return nil, errorf("unknown conversion specifier %c", conv)
		}
		text, err := formatSpec(v, spec)
		if err != nil {
			return nil, err
		}
		b.WriteString(text)
		if b.Len() > maxStringBytes {
			return nil, limitErrorf("string longer than %d bytes", maxStringBytes)
		}
	}
	return b.String(), nil
}

// formatField resolves "", "0", "name", and .attr / [key] steps after them.
func formatField(field string, a args, auto *int) (value, error) {
	head := field
	rest := ""
	if j := strings.IndexAny(field, ".["); j >= 0 {
		head, rest = field[:j], field[j:]
	}
	var v value
	switch {
	case head == "":
		if *auto >= len(a.pos) {
			return nil, errorf("Replacement index %d out of range for positional args tuple", *auto)
		}
		v = a.pos[*auto]
		*auto++
	case head[0] >= '0' && head[0] <= '9':
		n, err := strconv.Atoi(head)
		if err != nil || n >= len(a.pos) {
			return nil, errorf("Replacement index %s out of range for positional args tuple", head)
		}
		v = a.pos[n]
	default:
		found := false
		for _, kw := range a.kw {
			if kw.name == head {
				v, found = kw.value, true
			}
		}
		if !found {
			return nil, errorf("KeyError: '%s'", head)
		}
	}
	for rest != "" {
		if rest[0] == '.' {
			j := strings.IndexAny(rest[1:], ".[")
			if j < 0 {
				j = len(rest) - 1
			}
			v = getAttr(v, rest[1:j+1])
			rest = rest[j+1:]
			continue
		}
		j := strings.IndexByte(rest, ']')
		if j < 0 {
			return nil, errorf("missing ']' in format string")
		}
		key := rest[1:j]
		if n, err := strconv.Atoi(key); err == nil {
			v = getItem(v, int64(n))
		} else {
			v = getItem(v, key)
		}
		rest = rest[j+1:]
	}
	return v, nil
}

// formatSpec applies a format spec: [[fill]align][sign][0][width][,][.precision][type].
func formatSpec(v value, spec string) (string, error) {
	if spec == "" {
		return strValue(v), nil
	}
	fill, align := " ", byte(0)
	rs := []rune(spec)
	if len(rs) >= 2 && strings.ContainsRune("<>^=", rs[1]) {
		fill, align = string(rs[0]), byte(rs[1])
		spec = string(rs[2:])
	} else if len(spec) >= 1 && strings.IndexByte("<>^=", spec[0]) >= 0 {
		align = spec[0]
		spec = spec[1:]
	}
	sign := byte('-')
	if spec != "" && strings.IndexByte("+- ", spec[0]) >= 0 {
		sign = spec[0]
		spec = spec[1:]
	}
	if spec != "" && spec[0] == '0' {
		if align == 0 {
			fill, align = "0", '='
		}
		spec = spec[1:]
	}
	i := 0
	for i < len(spec) && spec[i] >= '0' && spec[i] <= '9' {
		i++
	}
	width, _ := strconv.Atoi(spec[:i])
	spec = spec[i:]
	comma := strings.HasPrefix(spec, ",")
	if comma {
		spec = spec[1:]
	}
	prec := -1
	if strings.HasPrefix(spec, ".") {
		j := 1
		for j < len(spec) && spec[j] >= '0' && spec[j] <= '9' {
			j++
		}
		prec, _ = strconv.Atoi(spec[1:j])
		spec = spec[j:]
	}
	if len(spec) > 1 {
		return "", errorf("invalid format specifier")
	}
	typ := byte(0)
	if spec != "" {
		typ = spec[0]
	}
	if width > maxStringBytes || prec > 1000 {
		return "", limitErrorf("format width or precision too large")
	}
	body, err := formatTyped(v, typ, prec, sign, comma)
	if err != nil {
		return "", err
	}
	if align == 0 {
		align = '<'
		if _, _, _, isNum := number(v); isNum {
			align = '>'
		}
	}
	return alignText(body, fill, align, width), nil
}

func formatTyped(v value, typ byte, prec int, sign byte, comma bool) (string, error) {
	i, f, isFloat, isNum := number(v)
	if !isNum || typ == 's' {
		if typ != 0 && typ != 's' {
			return "", errorf("unknown format code '%c' for object of type '%s'", typ, typeName(v))
		}
		s := strValue(v)
		if prec >= 0 && prec < runeLen(s) {
			s = string([]rune(s)[:prec])
		}
		return s, nil
	}
	var body string
	neg := false
	switch typ {
	case 0, 'd', 'n':
		if !isFloat || typ == 0 && prec < 0 {
			if isFloat {
				neg, body = f < 0 || f == 0 && math.Signbit(f), formatFloat(math.Abs(f))
			} else {
				neg, body = i < 0, strconv.FormatUint(absInt(i), 10)
			}
			break
		}
		if typ == 'd' {
			return "", errorf("unknown format code 'd' for object of type 'float'")
		}
		neg, body = f < 0, strconv.FormatFloat(math.Abs(f), 'g', max(prec, 1), 64)
	case 'f', 'F', 'e', 'E', 'g', 'G', '%':
		if prec < 0 {
			prec = 6
		}
		if typ == '%' {
			f *= 100
		}
		neg = f < 0 || f == 0 && math.Signbit(f)
		ft := typ
		if ft == '%' || ft == 'F' {
			ft = 'f'
		}
		body = strconv.FormatFloat(math.Abs(f), ft, prec, 64)
		if typ == 'g' || typ == 'G' {
			body = strconv.FormatFloat(math.Abs(f), ft, max(prec, 1), 64)
		}
		if typ == '%' {
			body += "%"
		}
	case 'x', 'X', 'o', 'b':
		if isFloat {
			return "", errorf("unknown format code '%c' for object of type 'float'", typ)
		}
		base := map[byte]int{'x': 16, 'X': 16, 'o': 8, 'b': 2}[typ]
		neg, body = i < 0, strconv.FormatUint(absInt(i), base)
		if typ == 'X' {
			body = strings.ToUpper(body)
		}
	default:
		return "", errorf("unknown format code '%c' for object of type '%s'", typ, typeName(v))
	}
	if comma {
		body = groupThousands(body)
	}
	switch {
	case neg:
		body = "-" + body
	case sign == '+':
		body = "+" + body
	case sign == ' ':
		body = " " + body
	}
	return body, nil
}

func absInt(i int64) uint64 {
	if i < 0 {
		return uint64(-(i + 1)) + 1
	}
	return uint64(i)
}

func groupThousands(s string) string {
	end := strings.IndexAny(s, ".e%")
	if end < 0 {
		end = len(s)
	}
	digits, tail := s[:end], s[end:]
	var b strings.Builder
	for i, c := range digits {
		if i > 0 && (len(digits)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String() + tail
}

func alignText(s, fill string, align byte, width int) string {
	n := runeLen(s)
	if width <= n {
		return s
	}
	missing := width - n
	switch align {
	case '<':
		return s + strings.Repeat(fill, missing)
	case '^':
		return strings.Repeat(fill, missing/2) + s + strings.Repeat(fill, missing-missing/2)
	case '=':
		if s != "" && strings.IndexByte("+- ", s[0]) >= 0 {
			return s[:1] + strings.Repeat(fill, missing) + s[1:]
		}
	}
	return strings.Repeat(fill, missing) + s
}

// percentFormat is Python's "format" % values: a tuple gives positional
// values, a dict named ones (%(name)s), anything else one value.
func percentFormat(format string, values value) (value, error) {
	var pos []value
	named, _ := values.(*pyDict)
	if l, ok := values.(*pyList); ok && l.Tuple {
		pos = l.Items
	} else if named == nil {
		pos = []value{values}
	}
	next := 0
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		c := format[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		i++
		if i >= len(format) {
			return nil, errorf("incomplete format")
		}
		var v value
		haveV := false
		if format[i] == '(' {
			end := strings.IndexByte(format[i:], ')')
			if end < 0 || named == nil {
				return nil, errorf("format requires a mapping")
			}
			key := format[i+1 : i+end]
			x, ok := named.Get(key)
			if !ok {
				return nil, errorf("KeyError: '%s'", key)
			}
			v, haveV = x, true
			i += end + 1
		}
		start := i
		for i < len(format) && strings.IndexByte("-+ #0123456789.", format[i]) >= 0 {
			i++
		}
		if i >= len(format) {
			return nil, errorf("incomplete format")
		}
		flags := format[start:i]
		typ := format[i]
		if typ == '%' {
			b.WriteByte('%')
			continue
		}
		if !haveV {
			if next >= len(pos) {
				return nil, errorf("not enough arguments for format string")
			}
			v = pos[next]
			next++
		}
		text, err := percentOne(v, flags, typ)
		if err != nil {
			return nil, err
		}
		b.WriteString(text)
		if b.Len() > maxStringBytes {
			return nil, limitErrorf("string longer than %d bytes", maxStringBytes)
		}
	}
	if named == nil && next < len(pos) {
		return nil, errorf("not all arguments converted during string formatting")
	}
	return b.String(), nil
}

func percentOne(v value, flags string, typ byte) (string, error) {
	left := strings.Contains(flags, "-")
	zero := strings.Contains(flags, "0") && !left
	sign := byte('-')
	if strings.Contains(flags, "+") {
		sign = '+'
	} else if strings.Contains(flags, " ") {
		sign = ' '
	}
	nums := strings.TrimLeft(flags, "-+ #0")
	width, prec := 0, -1
	if j := strings.IndexByte(nums, '.'); j >= 0 {
		prec, _ = strconv.Atoi(nums[j+1:])
		nums = nums[:j]
	}
	width, _ = strconv.Atoi(nums)
	if width > maxStringBytes || prec > 1000 {
		return "", limitErrorf("format width or precision too large")
	}
	var body string
	switch typ {
	case 's', 'r', 'a':
		body = strValue(v)
		if typ != 's' {
			body = reprValue(v)
		}
		if prec >= 0 && prec < runeLen(body) {
			body = string([]rune(body)[:prec])
		}
		zero = false
	case 'd', 'i', 'u':
		i, f, isFloat, ok := number(v)
		if !ok {
			return "", errorf("%%%c format: a real number is required, not %s", typ, typeName(v))
		}
		if isFloat {
			i = int64(f)
		}
		t, err := formatTyped(i, 'd', -1, sign, false)
		if err != nil {
			return "", err
		}
		body = t
	case 'f', 'F', 'e', 'E', 'g', 'G', 'x', 'X', 'o':
		if _, _, _, ok := number(v); !ok {
			return "", errorf("%%%c format: a real number is required, not %s", typ, typeName(v))
		}
		t, err := formatTyped(v, typ, prec, sign, false)
		if err != nil {
			return "", err
		}
		body = t
	case 'c':
		switch x := v.(type) {
		case int64:
			body = string(rune(x))
		case string:
			body = x
		}
	default:
		return "", errorf("unsupported format character '%c'", typ)
	}
	switch {
	case left:
		return alignText(body, " ", '<', width), nil
	case zero:
		return alignText(body, "0", '=', width), nil
	}
	return alignText(body, " ", '>', width), nil
}
