package action

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"unicode"
	"unicode/utf8"
)

// This file is a small, independent validator for the JSON-schema subset
// Schema uses, so tests can check that what Parse accepts the schema
// describes, without depending on engine/sample/constrain.

// jnode is a JSON value with object members kept in document order.
type jnode struct {
	kind    byte // 'o' object, 'a' array, 's' string, 'n' number, 'b' bool, 'z' null
	members []jmember
	items   []*jnode
	str     string
	num     json.Number
	b       bool
}

type jmember struct {
	key   string
	value *jnode
}

func (n *jnode) get(key string) *jnode {
	for _, m := range n.members {
		if m.key == key {
			return m.value
		}
	}
	return nil
}

// parseOrdered reads one JSON document, keeping member order and
// rejecting duplicate keys and trailing data.
func parseOrdered(b []byte) (*jnode, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	n, err := readNode(dec)
	if err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data")
	}
	return n, nil
}

func readNode(dec *json.Decoder) (*jnode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '{':
			n := &jnode{kind: 'o'}
			seen := map[string]bool{}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k := kt.(string)
				if seen[k] {
					return nil, fmt.Errorf("duplicate key %q", k)
				}
				seen[k] = true
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.members = append(n.members, jmember{k, v})
			}
			_, err := dec.Token()
			return n, err
		case '[':
			n := &jnode{kind: 'a'}
			for dec.More() {
				v, err := readNode(dec)
				if err != nil {
					return nil, err
				}
				n.items = append(n.items, v)
			}
			_, err := dec.Token()
			return n, err
		}
	case string:
		return &jnode{kind: 's', str: t}, nil
	case json.Number:
		return &jnode{kind: 'n', num: t}, nil
	case bool:
		return &jnode{kind: 'b', b: t}, nil
	case nil:
		return &jnode{kind: 'z'}, nil
	}
	return nil, fmt.Errorf("unexpected token %v", tok)
}

// subsetKeywords are the only keywords the subset has.
var subsetKeywords = map[string]bool{
	"oneOf": true, "type": true, "properties": true, "required": true, "additionalProperties": true,
	"const": true, "enum": true, "minLength": true, "maxLength": true, "minimum": true, "maximum": true,
	"pattern": true,
}

// checkSubset reports the first place where schema s leaves the subset:
// an unknown keyword, a string without maxLength, an integer without
// bounds, an object without additionalProperties false, a required name
// that is not a property.
func checkSubset(s *jnode, path string) error {
	if s.kind != 'o' {
		return fmt.Errorf("%s: a schema must be an object", path)
	}
	for _, m := range s.members {
		if !subsetKeywords[m.key] {
			return fmt.Errorf("%s: keyword %q is outside the subset", path, m.key)
		}
	}
	if one := s.get("oneOf"); one != nil {
		if one.kind != 'a' || len(one.items) == 0 {
			return fmt.Errorf("%s: oneOf must be a non-empty array", path)
		}
		for i, sub := range one.items {
			if err := checkSubset(sub, fmt.Sprintf("%s.oneOf[%d]", path, i)); err != nil {
				return err
			}
		}
		return nil
	}
	if s.get("const") != nil {
		return nil
	}
	typ := s.get("type")
	if typ == nil || typ.kind != 's' {
		return fmt.Errorf("%s: no type", path)
	}
	switch typ.str {
	case "string":
		if s.get("enum") == nil && s.get("maxLength") == nil {
			return fmt.Errorf("%s: a string without maxLength", path)
		}
	case "integer":
		if s.get("minimum") == nil || s.get("maximum") == nil {
			return fmt.Errorf("%s: an integer without bounds", path)
		}
	case "boolean":
	case "object":
		ap := s.get("additionalProperties")
		if ap == nil || ap.kind != 'b' || ap.b {
			return fmt.Errorf("%s: an object without additionalProperties false", path)
		}
		props := s.get("properties")
		if props == nil || props.kind != 'o' {
			return fmt.Errorf("%s: an object without properties", path)
		}
		for _, m := range props.members {
			if err := checkSubset(m.value, path+"."+m.key); err != nil {
				return err
			}
		}
		if req := s.get("required"); req != nil {
			for _, r := range req.items {
				if props.get(r.str) == nil {
					return fmt.Errorf("%s: required %q is not a property", path, r.str)
				}
			}
		}
	default:
		return fmt.Errorf("%s: type %q is outside the subset", path, typ.str)
	}
	return nil
}

// validates reports whether instance v (an ordered JSON node) is
// described by schema s, in the subset's meaning.
func validates(s, v *jnode) bool {
	if one := s.get("oneOf"); one != nil {
		n := 0
		for _, sub := range one.items {
			if validates(sub, v) {
				n++
			}
		}
		return n == 1
	}
	if c := s.get("const"); c != nil {
		return v.kind == 's' && v.str == c.str
	}
	switch s.get("type").str {
	case "string":
		if v.kind != 's' {
			return false
		}
		if e := s.get("enum"); e != nil {
			for _, it := range e.items {
				if it.str == v.str {
					return true
				}
			}
			return false
		}
		n := utf8.RuneCountInString(v.str)
		if p := s.get("pattern"); p != nil {
			// The one pattern the subset has: ^\S.
			if r, _ := utf8.DecodeRuneInString(v.str); p.str != `^\S` || v.str == "" || unicode.IsSpace(r) {
				return false
			}
		}
		return n >= intKeyword(s, "minLength", 0) && n <= intKeyword(s, "maxLength", -1)
	case "integer":
		if v.kind != 'n' {
			return false
		}
		i, err := strconv.Atoi(v.num.String())
		return err == nil && i >= intKeyword(s, "minimum", 0) && i <= intKeyword(s, "maximum", -1)
	case "boolean":
		return v.kind == 'b'
	case "object":
		if v.kind != 'o' {
			return false
		}
		props := s.get("properties")
		for _, m := range v.members {
			p := props.get(m.key)
			if p == nil || !validates(p, m.value) {
				return false
			}
		}
		if req := s.get("required"); req != nil {
			for _, r := range req.items {
				if v.get(r.str) == nil {
					return false
				}
			}
		}
		return true
	}
	return false
}

func intKeyword(s *jnode, key string, def int) int {
	n := s.get(key)
	if n == nil {
		return def
	}
	i, err := strconv.Atoi(n.num.String())
	if err != nil {
		return def
	}
	return i
}
