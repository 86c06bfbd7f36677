package chat

import (
	"math"
	"strings"
)

// Operators with Python's semantics: bool counts as int, int overflow is
// an error (Python would go to big integers), str + int is a TypeError.

// maxListItems caps the size of a list built by repetition or range().
const maxListItems = 1_000_000

// number reads an int, float or bool operand.
func number(v value) (i int64, f float64, isFloat, ok bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, 1, false, true
		}
		return 0, 0, false, true
	case int64:
		return x, float64(x), false, true
	case float64:
		return 0, x, true, true
	}
	return 0, 0, false, false
}

func unaryOp(op string, v value) (value, error) {
	if u, ok := v.(undefined); ok {
		return nil, errorf("%s", u.message())
	}
	i, f, isFloat, ok := number(v)
	if !ok {
		return nil, errorf("bad operand type for unary %s: '%s'", op, typeName(v))
	}
	if op == "+" {
		if isFloat {
			return f, nil
		}
		return i, nil
	}
	if isFloat {
		return -f, nil
	}
	if i == math.MinInt64 {
		return nil, errorf("integer overflow")
	}
	return -i, nil
}

func opTypeError(op string, a, b value) error {
	return errorf("unsupported operand type(s) for %s: '%s' and '%s'", op, typeName(a), typeName(b))
}

func binaryOp(op string, a, b value) (value, error) {
	if op == "~" {
		return checkString(strValue(a) + strValue(b))
	}
	if u, ok := a.(undefined); ok {
		return nil, errorf("%s", u.message())
	}
	if u, ok := b.(undefined); ok {
		return nil, errorf("%s", u.message())
	}
	ai, af, aFloat, aNum := number(a)
	bi, bf, bFloat, bNum := number(b)
	if aNum && bNum {
		if aFloat || bFloat {
			return floatOp(op, af, bf)
		}
		return intOp(op, ai, bi)
	}
	switch op {
	case "+":
		switch x := a.(type) {
		case string:
			y, ok := b.(string)
			if !ok {
				return nil, errorf("can only concatenate str (not \"%s\") to str", typeName(b))
			}
			return checkString(x + y)
		case *pyList:
			y, ok := b.(*pyList)
			if !ok || x.Tuple != y.Tuple {
				return nil, errorf("can only concatenate %s (not \"%s\") to %s", typeName(a), typeName(b), typeName(a))
			}
			if len(x.Items)+len(y.Items) > maxListItems {
				return nil, limitErrorf("list longer than %d items", maxListItems)
			}
			items := append(append([]value(nil), x.Items...), y.Items...)
			return &pyList{Items: items, Tuple: x.Tuple}, nil
		}
	case "*":
		if bNum && !bFloat {
			return repeat(a, bi)
		}
		if aNum && !aFloat {
			return repeat(b, ai)
		}
	case "%":
		if s, ok := a.(string); ok {
			return percentFormat(s, b)
		}
	}
	return nil, opTypeError(op, a, b)
}

// repeat is str * n and list * n.
func repeat(v value, n int64) (value, error) {
	if n < 0 {
		n = 0
	}
	switch x := v.(type) {
	case string:
		if n > 0 && int64(len(x)) > maxStringBytes/n {
			return nil, limitErrorf("string longer than %d bytes", maxStringBytes)
		}
		return strings.Repeat(x, int(n)), nil
	case *pyList:
		if n > 0 && int64(len(x.Items)) > maxListItems/n {
			return nil, limitErrorf("list longer than %d items", maxListItems)
		}
		items := make([]value, 0, int64(len(x.Items))*n)
		for i := int64(0); i < n; i++ {
			items = append(items, x.Items...)
		}
		return &pyList{Items: items, Tuple: x.Tuple}, nil
	}
	return nil, errorf("can't multiply sequence by non-int of type '%s'", typeName(v))
}

func intOp(op string, a, b int64) (value, error) {
	switch op {
	case "+":
		s := a + b
		if (s > a) != (b > 0) {
			return nil, errorf("integer overflow")
		}
		return s, nil
	case "-":
		s := a - b
		if (s < a) != (b > 0) {
			return nil, errorf("integer overflow")
		}
		return s, nil
	case "*":
		p, ok := mulInt(a, b)
		if !ok {
			return nil, errorf("integer overflow")
		}
		return p, nil
	case "/":
		if b == 0 {
			return nil, errorf("division by zero")
		}
		return float64(a) / float64(b), nil
	case "//", "%":
		if b == 0 {
			return nil, errorf("integer division or modulo by zero")
		}
		q, m := a/b, a%b
		if m != 0 && (m < 0) != (b < 0) {
			q--
			m += b
		}
		if op == "//" {
			return q, nil
		}
		return m, nil
	case "**":
		if b < 0 {
			if a == 0 {
				return nil, errorf("0.0 cannot be raised to a negative power")
			}
			return math.Pow(float64(a), float64(b)), nil
		}
		result, base := int64(1), a
		for e := b; e > 0; e >>= 1 {
			var ok bool
			if e&1 == 1 {
				if result, ok = mulInt(result, base); !ok {
					return nil, errorf("integer overflow")
				}
			}
			if e > 1 {
				if base, ok = mulInt(base, base); !ok {
					return nil, errorf("integer overflow")
				}
			}
		}
		return result, nil
	}
	return nil, errorf("unknown operator %s", op)
}

func floatOp(op string, a, b float64) (value, error) {
	switch op {
	case "+":
		return a + b, nil
	case "-":
		return a - b, nil
	case "*":
		return a * b, nil
	case "/":
		if b == 0 {
			return nil, errorf("float division by zero")
		}
		return a / b, nil
	case "//", "%":
		if b == 0 {
			return nil, errorf("float floor division or modulo by zero")
		}
		div, mod := floatDivmod(a, b)
		if op == "//" {
			return div, nil
		}
		return mod, nil
	case "**":
		if a == 0 && b < 0 {
			return nil, errorf("0.0 cannot be raised to a negative power")
		}
		return math.Pow(a, b), nil
	}
	return nil, errorf("unknown operator %s", op)
}

// floatDivmod is Python's divmod for floats, which derives the quotient
// from fmod so that 0.5 // 0.1 is 4.0, as in Python.
func floatDivmod(a, b float64) (float64, float64) {
	mod := math.Mod(a, b)
	div := (a - mod) / b
	if mod != 0 {
		if (b < 0) != (mod < 0) {
			mod += b
			div--
		}
	} else {
		mod = math.Copysign(0, b)
	}
	if div == 0 {
		return math.Copysign(0, a/b), mod
	}
	floor := math.Floor(div)
	if div-floor > 0.5 {
		floor++
	}
	return floor, mod
}

// mulInt multiplies, reporting overflow.
func mulInt(a, b int64) (int64, bool) {
	if a == 0 || b == 0 {
		return 0, true
	}
	p := a * b
	if p/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, false
	}
	return p, true
}

// compare applies one comparison operator.
func compare(op string, a, b value) (bool, error) {
	switch op {
	case "==":
		return pyEqual(a, b, 0), nil
	case "!=":
		return !pyEqual(a, b, 0), nil
	case "in":
		return contains(b, a)
	case "not in":
		ok, err := contains(b, a)
		return !ok, err
	}
	c, err := pyCompare(a, b, op)
	if err != nil {
		return false, err
	}
	switch op {
	case "<":
		return c < 0, nil
	case "<=":
		return c <= 0, nil
	case ">":
		return c > 0, nil
	default:
		return c >= 0, nil
	}
}

// pyEqual is Python's ==: numbers by value across int, float and bool;
// lists, tuples and dicts by content; everything else by identity.
func pyEqual(a, b value, depth int) bool {
	if depth > maxNesting {
		return false
	}
	_, af, _, aNum := number(a)
	_, bf, _, bNum := number(b)
	if aNum || bNum {
		if aNum && bNum {
			ai, _, aFloat, _ := number(a)
			bi, _, bFloat, _ := number(b)
			if !aFloat && !bFloat {
				return ai == bi
			}
			return af == bf
		}
		return false
	}
	switch x := a.(type) {
	case nil:
		return b == nil
	case undefined:
		return isUndefined(b)
	case string:
		y, ok := b.(string)
		return ok && x == y
	case *pyList:
		y, ok := b.(*pyList)
		if !ok || x.Tuple != y.Tuple || len(x.Items) != len(y.Items) {
			return false
		}
		for i := range x.Items {
			if !pyEqual(x.Items[i], y.Items[i], depth+1) {
				return false
			}
		}
		return true
	case *pyDict:
		y, ok := b.(*pyDict)
		if !ok || x.Len() != y.Len() {
			return false
		}
		for i, k := range x.keys {
			v, ok := y.Get(k)
			if !ok || !pyEqual(x.values[i], v, depth+1) {
				return false
			}
		}
		return true
	}
	return a == b
}

// pyCompare orders numbers, strings (by code point) and lists or tuples
// (item by item), as Python's < does; other pairs are a TypeError.
func pyCompare(a, b value, op string) (int, error) {
	for _, v := range []value{a, b} {
		if u, ok := v.(undefined); ok {
			return 0, errorf("%s", u.message())
		}
	}
	ai, af, aFloat, aNum := number(a)
	bi, bf, bFloat, bNum := number(b)
	if aNum && bNum {
		if !aFloat && !bFloat {
			return cmp3(ai < bi, ai > bi), nil
		}
		return cmp3(af < bf, af > bf), nil
	}
	switch x := a.(type) {
	case string:
		if y, ok := b.(string); ok {
			return strings.Compare(x, y), nil
		}
	case *pyList:
		if y, ok := b.(*pyList); ok && x.Tuple == y.Tuple {
			for i := 0; i < len(x.Items) && i < len(y.Items); i++ {
				if pyEqual(x.Items[i], y.Items[i], 0) {
					continue
				}
				return pyCompare(x.Items[i], y.Items[i], op)
			}
			return cmp3(len(x.Items) < len(y.Items), len(x.Items) > len(y.Items)), nil
		}
	}
	return 0, errorf("'%s' not supported between instances of '%s' and '%s'", op, typeName(a), typeName(b))
}

func cmp3(less, greater bool) int {
	switch {
	case less:
		return -1
	case greater:
		return 1
	}
	return 0
}

// contains is Python's "item in container".
func contains(container, item value) (bool, error) {
	switch c := container.(type) {
	case undefined:
		return false, nil
	case string:
		s, ok := item.(string)
		if !ok {
			return false, errorf("'in <string>' requires string as left operand, not %s", typeName(item))
		}
		return strings.Contains(c, s), nil
	case *pyList:
		for _, x := range c.Items {
			if pyEqual(x, item, 0) {
				return true, nil
			}
		}
		return false, nil
	case *pyDict:
		if _, err := keyOf(item); err != nil {
			return false, err
		}
		_, ok := c.Get(item)
		return ok, nil
	}
	return false, errorf("argument of type '%s' is not iterable", typeName(container))
}
