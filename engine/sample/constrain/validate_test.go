package constrain

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"reflect"
	"strings"
	"unicode"
	"unicode/utf8"
)

// This file is an independent checker of the schema subset, written from
// JSON Schema's meaning of each keyword (no defaults: an absent maxLength
// is no bound), so that tests can check generated documents against it
// rather than against the compiler that made them.

// validateDoc parses doc strictly as one JSON value and checks it
// against schema.
func validateDoc(schema, doc []byte) error {
	sv, err := parseValue(schema)
	if err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return fmt.Errorf("the document does not parse: %v", err)
	}
	if dec.More() {
		return fmt.Errorf("the document has text after its value")
	}
	if !utf8.Valid(doc) {
		return fmt.Errorf("the document is not valid UTF-8")
	}
	return validate(&sv, v, "")
}

func validate(s *value, v any, at string) error {
	if c, ok := s.get("const"); ok {
		if !sameJSON(c, v) {
			return fmt.Errorf("%s: %v is not the const %s", at, v, c.compact(nil))
		}
		return nil
	}
	if e, ok := s.get("enum"); ok {
		for i := range e.items {
			if sameJSON(&e.items[i], v) {
				return nil
			}
		}
		return fmt.Errorf("%s: %v is not in the enum", at, v)
	}
	if alts, ok := s.get("oneOf"); ok {
		n := 0
		for i := range alts.items {
			if validate(&alts.items[i], v, at) == nil {
				n++
			}
		}
		if n != 1 {
			return fmt.Errorf("%s: %d oneOf alternatives match, want exactly 1", at, n)
		}
		return nil
	}
	if alts, ok := s.get("anyOf"); ok {
		for i := range alts.items {
			if validate(&alts.items[i], v, at) == nil {
				return nil
			}
		}
		return fmt.Errorf("%s: no anyOf alternative matches", at)
	}
	t, _ := s.get("type")
	var types []string
	if t.kind == kindString {
		types = []string{t.str}
	} else {
		for _, it := range t.items {
			types = append(types, it.str)
		}
	}
	var errs []string
	for _, typ := range types {
		err := validateType(s, typ, v, at)
		if err == nil {
			return nil
		}
		errs = append(errs, err.Error())
	}
	return fmt.Errorf("%s", strings.Join(errs, "; "))
}

func validateType(s *value, typ string, v any, at string) error {
	num := func(kw string) (*big.Rat, bool) {
		x, ok := s.get(kw)
		if !ok {
			return nil, false
		}
		r, _ := new(big.Rat).SetString(string(x.num))
		return r, true
	}
	count := func(kw string) (int, bool) {
		x, ok := s.get(kw)
		if !ok {
			return 0, false
		}
		var n int
		fmt.Sscan(string(x.num), &n)
		return n, true
	}
	switch typ {
	case "null":
		if v != nil {
			return fmt.Errorf("%s: %v is not null", at, v)
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return fmt.Errorf("%s: %v is not a boolean", at, v)
		}
	case "string":
		str, ok := v.(string)
		if !ok {
			return fmt.Errorf("%s: %v is not a string", at, v)
		}
		n := utf8.RuneCountInString(str)
		if m, ok := count("minLength"); ok && n < m {
			return fmt.Errorf("%s: %q is shorter than %d", at, str, m)
		}
		if m, ok := count("maxLength"); ok && n > m {
			return fmt.Errorf("%s: %q is longer than %d", at, str, m)
		}
		if p, ok := s.get("pattern"); ok {
			if p.str != `^\S` {
				return fmt.Errorf("%s: the checker knows only the pattern ^\\S, not %q", at, p.str)
			}
			if r, _ := utf8.DecodeRuneInString(str); str == "" || unicode.IsSpace(r) {
				return fmt.Errorf("%s: %q does not start with a character that is not white space", at, str)
			}
		}
	case "integer", "number":
		jn, ok := v.(json.Number)
		if !ok {
			return fmt.Errorf("%s: %v is not a number", at, v)
		}
		r, ok := new(big.Rat).SetString(string(jn))
		if !ok {
			return fmt.Errorf("%s: %v does not read as a number", at, v)
		}
		if typ == "integer" && !r.IsInt() {
			return fmt.Errorf("%s: %v is not an integer", at, v)
		}
		if m, ok := num("minimum"); ok && r.Cmp(m) < 0 {
			return fmt.Errorf("%s: %v is below the minimum", at, v)
		}
		if m, ok := num("maximum"); ok && r.Cmp(m) > 0 {
			return fmt.Errorf("%s: %v is above the maximum", at, v)
		}
		if m, ok := num("exclusiveMinimum"); ok && r.Cmp(m) <= 0 {
			return fmt.Errorf("%s: %v is not above the exclusive minimum", at, v)
		}
		if m, ok := num("exclusiveMaximum"); ok && r.Cmp(m) >= 0 {
			return fmt.Errorf("%s: %v is not below the exclusive maximum", at, v)
		}
	case "array":
		arr, ok := v.([]any)
		if !ok {
			return fmt.Errorf("%s: %v is not an array", at, v)
		}
		if m, ok := count("minItems"); ok && len(arr) < m {
			return fmt.Errorf("%s: fewer than %d items", at, m)
		}
		if m, ok := count("maxItems"); ok && len(arr) > m {
			return fmt.Errorf("%s: more than %d items", at, m)
		}
		items, _ := s.get("items")
		for i, it := range arr {
			if err := validate(items, it, fmt.Sprintf("%s/%d", at, i)); err != nil {
				return err
			}
		}
	case "object":
		obj, ok := v.(map[string]any)
		if !ok {
			return fmt.Errorf("%s: %v is not an object", at, v)
		}
		props, _ := s.get("properties")
		if req, ok := s.get("required"); ok {
			for _, r := range req.items {
				if _, ok := obj[r.str]; !ok {
					return fmt.Errorf("%s: the required property %q is missing", at, r.str)
				}
			}
		}
		for k, pv := range obj {
			var ps *value
			if props != nil {
				ps, _ = props.get(k)
			}
			if ps == nil {
				if ap, ok := s.get("additionalProperties"); ok && !ap.boolean {
					return fmt.Errorf("%s: the property %q is not allowed", at, k)
				}
				continue
			}
			if err := validate(ps, pv, at+"/"+k); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("%s: unknown type %q", at, typ)
	}
	return nil
}

// sameJSON compares a schema value with a decoded one (numbers by value).
func sameJSON(want *value, got any) bool {
	var w any
	dec := json.NewDecoder(bytes.NewReader(want.compact(nil)))
	dec.UseNumber()
	if dec.Decode(&w) != nil {
		return false
	}
	return equalJSON(w, got)
}

func equalJSON(a, b any) bool {
	if x, ok := a.(json.Number); ok {
		y, ok := b.(json.Number)
		if !ok {
			return false
		}
		rx, okx := new(big.Rat).SetString(string(x))
		ry, oky := new(big.Rat).SetString(string(y))
		return okx && oky && rx.Cmp(ry) == 0
	}
	switch x := a.(type) {
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !equalJSON(x[i], y[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for k := range x {
			if !equalJSON(x[k], y[k]) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a, b)
}
