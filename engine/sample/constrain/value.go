package constrain

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// value is a JSON value read with its object members in document order,
// which encoding/json's maps would lose: the schema's property order is
// the order the output is written in.
type value struct {
	kind    valueKind
	members []member // object
	items   []value  // array
	str     string   // string
	num     json.Number
	boolean bool
}

type valueKind uint8

const (
	kindNull valueKind = iota
	kindBool
	kindNumber
	kindString
	kindArray
	kindObject
)

func (k valueKind) String() string {
	return [...]string{"null", "boolean", "number", "string", "array", "object"}[k]
}

type member struct {
	key string
	val value
}

// get returns the member named key.
func (v *value) get(key string) (*value, bool) {
	for i := range v.members {
		if v.members[i].key == key {
			return &v.members[i].val, true
		}
	}
	return nil, false
}

// parseValue reads one JSON document, keeping object member order. Duplicate
// keys are an error (their meaning would depend on the reader).
func parseValue(doc []byte) (value, error) {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.UseNumber()
	v, err := readValue(dec, 0)
	if err != nil {
		return value{}, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return value{}, errors.New("text after the schema's JSON value")
	}
	return v, nil
}

// maxDepth bounds the nesting of a schema document, so that a hostile one
// cannot exhaust the stack.
const maxDepth = 64

func readValue(dec *json.Decoder, depth int) (value, error) {
	if depth > maxDepth {
		return value{}, fmt.Errorf("the schema nests deeper than %d levels", maxDepth)
	}
	tok, err := dec.Token()
	if err != nil {
		if err == io.EOF {
			return value{}, errors.New("the schema ends early")
		}
		return value{}, err
	}
	switch t := tok.(type) {
	case nil:
		return value{kind: kindNull}, nil
	case bool:
		return value{kind: kindBool, boolean: t}, nil
	case json.Number:
		return value{kind: kindNumber, num: t}, nil
	case string:
		return value{kind: kindString, str: t}, nil
	case json.Delim:
		switch t {
		case '[':
			v := value{kind: kindArray}
			for dec.More() {
				item, err := readValue(dec, depth+1)
				if err != nil {
					return value{}, err
				}
				v.items = append(v.items, item)
			}
			_, err := dec.Token() // ]
			return v, err
		case '{':
			v := value{kind: kindObject}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return value{}, err
				}
				key, _ := kt.(string)
				if _, dup := v.get(key); dup {
					return value{}, fmt.Errorf("the key %q appears twice in one object", key)
				}
				val, err := readValue(dec, depth+1)
				if err != nil {
					return value{}, err
				}
				v.members = append(v.members, member{key, val})
			}
			_, err := dec.Token() // }
			return v, err
		}
	}
	return value{}, fmt.Errorf("unexpected JSON token %v", tok)
}

// compact appends v's compact JSON form: the text a const or enum value
// is generated as.
func (v *value) compact(dst []byte) []byte {
	switch v.kind {
	case kindNull:
		return append(dst, "null"...)
	case kindBool:
		if v.boolean {
			return append(dst, "true"...)
		}
		return append(dst, "false"...)
	case kindNumber:
		return append(dst, v.num...)
	case kindString:
		return appendString(dst, v.str)
	case kindArray:
		dst = append(dst, '[')
		for i := range v.items {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = v.items[i].compact(dst)
		}
		return append(dst, ']')
	default:
		dst = append(dst, '{')
		for i := range v.members {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = appendString(dst, v.members[i].key)
			dst = append(dst, ':')
			dst = v.members[i].val.compact(dst)
		}
		return append(dst, '}')
	}
}

// appendString writes s as a JSON string without HTML escaping.
func appendString(dst []byte, s string) []byte {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(s) // a string always encodes
	return append(dst, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
