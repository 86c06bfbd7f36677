package constrain

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Defaults that keep the language finite when a schema leaves a bound out.
const (
	// DefaultMaxLength is the maxLength of a string schema without one.
	DefaultMaxLength = 256
	// DefaultMaxItems is the maxItems of an array schema without one.
	DefaultMaxItems = 16
	// maxIntBound is the largest |minimum| or |maximum| an integer takes.
	maxIntBound = 1_000_000_000_000_000_000
	// defaultIntBound bounds integers without minimum or maximum: 2^53-1,
	// the largest integer a JavaScript number holds exactly.
	defaultIntBound = 1<<53 - 1
	// maxStringLength bounds maxLength, so that counts stay small.
	maxStringLength = 1 << 20
	// maxNodes bounds the automaton (arrays are unrolled item by item).
	maxNodes = 1 << 20
)

// Schema is a compiled JSON schema: an automaton that accepts exactly the
// compact JSON documents this package generates for it. It is immutable
// and safe for concurrent use.
type Schema struct {
	prog program
	text string
}

// Compile reads a JSON schema in the subset the package documentation
// lists. An unsupported keyword or type, an unsatisfiable bound, or a
// malformed document is an error naming it and where it is (a JSON
// pointer).
func Compile(schema []byte) (*Schema, error) {
	v, err := parseValue(schema)
	if err != nil {
		return nil, fmt.Errorf("constrain: the schema is not valid JSON: %w", err)
	}
	c := &compiler{}
	accept := c.prog.add(node{kind: nodeAccept})
	start, err := c.compile(&v, "", accept)
	if err != nil {
		return nil, fmt.Errorf("constrain: %w", err)
	}
	c.prog.start = start
	return &Schema{prog: c.prog, text: string(schema)}, nil
}

// annotations are keywords that do not change what validates.
var annotations = map[string]bool{
	"$schema": true, "$id": true, "$comment": true, "title": true, "description": true,
	"default": true, "examples": true,
}

// keywordsOf lists the keywords each type accepts besides "type" and the
// annotations.
var keywordsOf = map[string][]string{
	"object":  {"properties", "required", "additionalProperties"},
	"array":   {"items", "minItems", "maxItems"},
	"string":  {"minLength", "maxLength", "pattern"},
	"integer": {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"},
	"number":  {},
	"boolean": {},
	"null":    {},
}

type compiler struct {
	prog program
}

func (c *compiler) add(n node) (int32, error) {
	if len(c.prog.nodes) >= maxNodes {
		return 0, fmt.Errorf("the schema compiles to more than %d states (lower maxItems of nested arrays)", maxNodes)
	}
	return c.prog.add(n), nil
}

// literal compiles a fixed text followed by next.
func (c *compiler) literal(text []byte, next int32) (int32, error) {
	for i := len(text) - 1; i >= 0; i-- {
		id, err := c.add(node{kind: nodeLit, b: text[i], next: next})
		if err != nil {
			return 0, err
		}
		next = id
	}
	return next, nil
}

// split compiles a choice between entries.
func (c *compiler) split(alts []int32) (int32, error) {
	if len(alts) == 1 {
		return alts[0], nil
	}
	return c.add(node{kind: nodeSplit, alts: alts})
}

// compile compiles the schema s (at JSON pointer ptr), followed by next,
// and returns its entry node. Nodes are built back to front, so every
// part knows where it continues.
func (c *compiler) compile(s *value, ptr string, next int32) (int32, error) {
	at := ptr
	if at == "" {
		at = "/"
	}
	if s.kind == kindBool {
		return 0, fmt.Errorf("the schema at %s is a boolean; only object schemas are supported", at)
	}
	if s.kind != kindObject {
		return 0, fmt.Errorf("the schema at %s is a %s, not an object", at, s.kind)
	}
	for _, m := range s.members {
		if !annotations[m.key] && !knownKeyword(m.key) {
			return 0, fmt.Errorf("the keyword %q at %s is not supported", m.key, at)
		}
	}
	if v, ok := s.get("const"); ok {
		if err := onlyWith(s, at, "const", "type"); err != nil {
			return 0, err
		}
		return c.literal(v.compact(nil), next)
	}
	if v, ok := s.get("enum"); ok {
		if err := onlyWith(s, at, "enum", "type"); err != nil {
			return 0, err
		}
		if v.kind != kindArray || len(v.items) == 0 {
			return 0, fmt.Errorf("enum at %s must be a non-empty array", at)
		}
		var alts []int32
		seen := map[string]bool{}
		for i := range v.items {
			text := v.items[i].compact(nil)
			if seen[string(text)] {
				continue
			}
			seen[string(text)] = true
			e, err := c.literal(text, next)
			if err != nil {
				return 0, err
			}
			alts = append(alts, e)
		}
		return c.split(alts)
	}
	for _, kw := range []string{"oneOf", "anyOf"} {
		if v, ok := s.get(kw); ok {
			return c.alternatives(s, v, kw, ptr, at, next)
		}
	}
	types, err := typesOf(s, at)
	if err != nil {
		return 0, err
	}
	for _, m := range s.members {
		if annotations[m.key] || m.key == "type" {
			continue
		}
		ok := false
		for _, t := range types {
			ok = ok || contains(keywordsOf[t], m.key)
		}
		if !ok {
			return 0, fmt.Errorf("the keyword %q at %s does not apply to type %s (or is not supported)", m.key, at, strings.Join(types, ", "))
		}
	}
	var alts []int32
	for _, t := range types {
		var e int32
		var err error
		switch t {
		case "object":
			e, err = c.object(s, ptr, at, next)
		case "array":
			e, err = c.array(s, ptr, at, next)
		case "string":
			e, err = c.str(s, at, next)
		case "integer":
			e, err = c.integer(s, at, next)
		case "number":
			e, err = c.add(node{kind: nodeNumber, next: next})
		case "boolean":
			var t, f int32
			if t, err = c.literal([]byte("true"), next); err == nil {
				if f, err = c.literal([]byte("false"), next); err == nil {
					e, err = c.split([]int32{t, f})
				}
			}
		case "null":
			e, err = c.literal([]byte("null"), next)
		}
		if err != nil {
			return 0, err
		}
		alts = append(alts, e)
	}
	return c.split(alts)
}

func knownKeyword(k string) bool {
	switch k {
	case "type", "const", "enum", "oneOf", "anyOf":
		return true
	}
	for _, kws := range keywordsOf {
		if contains(kws, k) {
			return true
		}
	}
	return false
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// onlyWith refuses keywords beside kw other than the allowed ones and the
// annotations: a const or enum alone decides what is written.
func onlyWith(s *value, at, kw string, allowed ...string) error {
	for _, m := range s.members {
		if m.key != kw && !annotations[m.key] && !contains(allowed, m.key) {
			return fmt.Errorf("%q beside %q at %s is not supported", m.key, kw, at)
		}
	}
	return nil
}

// typesOf reads "type": a name or a list of names.
func typesOf(s *value, at string) ([]string, error) {
	v, ok := s.get("type")
	if !ok {
		return nil, fmt.Errorf("the schema at %s has no \"type\" (nor const, enum, oneOf or anyOf)", at)
	}
	var names []string
	switch v.kind {
	case kindString:
		names = []string{v.str}
	case kindArray:
		for _, it := range v.items {
			if it.kind != kindString {
				return nil, fmt.Errorf("\"type\" at %s lists a %s; it must list type names", at, it.kind)
			}
			if !contains(names, it.str) {
				names = append(names, it.str)
			}
		}
	default:
		return nil, fmt.Errorf("\"type\" at %s must be a string or a list of strings", at)
	}
	if len(names) == 0 {
		return nil, fmt.Errorf("\"type\" at %s lists no type", at)
	}
	for _, n := range names {
		if _, ok := keywordsOf[n]; !ok {
			return nil, fmt.Errorf("the type %q at %s is not supported", n, at)
		}
	}
	return names, nil
}

// alternatives compiles oneOf / anyOf. A "type" beside it must be the type
// every alternative has.
func (c *compiler) alternatives(s, list *value, kw, ptr, at string, next int32) (int32, error) {
	if err := onlyWith(s, at, kw, "type"); err != nil {
		return 0, err
	}
	if list.kind != kindArray || len(list.items) == 0 {
		return 0, fmt.Errorf("%s at %s must be a non-empty array of schemas", kw, at)
	}
	if t, ok := s.get("type"); ok {
		for i := range list.items {
			it, ok := list.items[i].get("type")
			if !ok || t.kind != kindString || it.kind != kindString || it.str != t.str {
				return 0, fmt.Errorf("\"type\" beside %s at %s: every alternative must have the same single type", kw, at)
			}
		}
	}
	alts := make([]int32, 0, len(list.items))
	for i := range list.items {
		e, err := c.compile(&list.items[i], fmt.Sprintf("%s/%s/%d", ptr, kw, i), next)
		if err != nil {
			return 0, err
		}
		alts = append(alts, e)
	}
	return c.split(alts)
}

// object compiles the properties in document order, each optional one
// possibly left out. Commas depend on whether a member was written
// before, so position i has two entries: first[i] (none written yet) and
// rest[i] (some written; a comma comes first).
func (c *compiler) object(s *value, ptr, at string, next int32) (int32, error) {
	var props []member
	if v, ok := s.get("properties"); ok {
		if v.kind != kindObject {
			return 0, fmt.Errorf("\"properties\" at %s must be an object", at)
		}
		props = v.members
	}
	required := map[string]bool{}
	if v, ok := s.get("required"); ok {
		if v.kind != kindArray {
			return 0, fmt.Errorf("\"required\" at %s must be an array of property names", at)
		}
		for _, r := range v.items {
			if r.kind != kindString {
				return 0, fmt.Errorf("\"required\" at %s lists a %s, not a property name", at, r.kind)
			}
			found := false
			for _, p := range props {
				found = found || p.key == r.str
			}
			if !found {
				return 0, fmt.Errorf("\"required\" at %s names %q, which is not among the properties", at, r.str)
			}
			required[r.str] = true
		}
	}
	if v, ok := s.get("additionalProperties"); ok && v.kind != kindBool {
		return 0, fmt.Errorf("\"additionalProperties\" at %s must be true or false (a schema is not supported)", at)
	}
	closeBrace, err := c.add(node{kind: nodeLit, b: '}', next: next})
	if err != nil {
		return 0, err
	}
	first, rest := closeBrace, closeBrace // entries at position len(props)
	for i := len(props) - 1; i >= 0; i-- {
		p := props[i]
		val, err := c.compile(&p.val, ptr+"/properties/"+escapePointer(p.key), rest)
		if err != nil {
			return 0, err
		}
		key := appendString(nil, p.key)
		key = append(key, ':')
		withKeyFirst, err := c.literal(key, val)
		if err != nil {
			return 0, err
		}
		withKeyRest, err := c.literal(append([]byte{','}, key...), val)
		if err != nil {
			return 0, err
		}
		if required[p.key] {
			first, rest = withKeyFirst, withKeyRest
			continue
		}
		if first, err = c.split([]int32{withKeyFirst, first}); err != nil {
			return 0, err
		}
		if rest, err = c.split([]int32{withKeyRest, rest}); err != nil {
			return 0, err
		}
	}
	return c.literal([]byte{'{'}, first)
}

// escapePointer escapes a property name for a JSON pointer.
func escapePointer(s string) string {
	return strings.NewReplacer("~", "~0", "/", "~1").Replace(s)
}

// array compiles "[" item ("," item)* "]", unrolled up to maxItems.
func (c *compiler) array(s *value, ptr, at string, next int32) (int32, error) {
	items, ok := s.get("items")
	if !ok {
		return 0, fmt.Errorf("the array at %s needs \"items\"", at)
	}
	minItems, err := intKeyword(s, "minItems", at, 0)
	if err != nil {
		return 0, err
	}
	maxItems, err := intKeyword(s, "maxItems", at, DefaultMaxItems)
	if err != nil {
		return 0, err
	}
	if minItems < 0 || maxItems < minItems {
		return 0, fmt.Errorf("the array at %s has minItems %d and maxItems %d: no length fits", at, minItems, maxItems)
	}
	closeBracket, err := c.add(node{kind: nodeLit, b: ']', next: next})
	if err != nil {
		return 0, err
	}
	// after[k]: k items written; "]" if k ≥ minItems, "," item if k < maxItems.
	var after int32 = -1
	for k := maxItems; k >= 1; k-- {
		var alts []int32
		if k >= minItems {
			alts = append(alts, closeBracket)
		}
		if k < maxItems {
			item, err := c.compile(items, ptr+"/items", after)
			if err != nil {
				return 0, err
			}
			comma, err := c.add(node{kind: nodeLit, b: ',', next: item})
			if err != nil {
				return 0, err
			}
			alts = append(alts, comma)
		}
		if after, err = c.split(alts); err != nil {
			return 0, err
		}
	}
	var alts []int32
	if minItems == 0 {
		alts = append(alts, closeBracket)
	}
	if maxItems > 0 {
		item, err := c.compile(items, ptr+"/items", after)
		if err != nil {
			return 0, err
		}
		alts = append(alts, item)
	}
	inner, err := c.split(alts)
	if err != nil {
		return 0, err
	}
	return c.literal([]byte{'['}, inner)
}

func (c *compiler) str(s *value, at string, next int32) (int32, error) {
	minLen, err := intKeyword(s, "minLength", at, 0)
	if err != nil {
		return 0, err
	}
	maxLen, err := intKeyword(s, "maxLength", at, DefaultMaxLength)
	if err != nil {
		return 0, err
	}
	if maxLen > maxStringLength {
		return 0, fmt.Errorf("maxLength %d at %s is above the supported %d", maxLen, at, maxStringLength)
	}
	// The one pattern supported: ^\S, the string starts with a
	// character that is not white space (so it is not blank either: a
	// label or a URL that trims to nothing is no value).
	startSolid := false
	if v, ok := s.get("pattern"); ok {
		if v.kind != kindString || v.str != patternStartsSolid {
			return 0, fmt.Errorf("\"pattern\" at %s: only %q (starts with a character that is not white space) is supported", at, patternStartsSolid)
		}
		startSolid, minLen = true, max(minLen, 1)
	}
	if minLen < 0 || maxLen < minLen {
		return 0, fmt.Errorf("the string at %s has minLength %d and maxLength %d: no length fits", at, minLen, maxLen)
	}
	body, err := c.add(node{kind: nodeString, next: next, minLen: minLen, maxLen: maxLen, startSolid: startSolid})
	if err != nil {
		return 0, err
	}
	return c.literal([]byte{'"'}, body)
}

func (c *compiler) integer(s *value, at string, next int32) (int32, error) {
	lo, hi := int64(-defaultIntBound), int64(defaultIntBound)
	bound := func(kw string, apply func(float64)) error {
		v, ok := s.get(kw)
		if !ok {
			return nil
		}
		if v.kind != kindNumber {
			return fmt.Errorf("%q at %s must be a number", kw, at)
		}
		f, err := strconv.ParseFloat(string(v.num), 64)
		if err != nil || math.Abs(f) > maxIntBound {
			return fmt.Errorf("%q %s at %s is outside the supported ±10^18", kw, v.num, at)
		}
		apply(f)
		return nil
	}
	errs := []error{
		bound("minimum", func(f float64) { lo = max(lo, int64(math.Ceil(f))) }),
		bound("maximum", func(f float64) { hi = min(hi, int64(math.Floor(f))) }),
		bound("exclusiveMinimum", func(f float64) { lo = max(lo, int64(math.Floor(f))+1) }),
		bound("exclusiveMaximum", func(f float64) { hi = min(hi, int64(math.Ceil(f))-1) }),
	}
	if err := errors.Join(errs...); err != nil {
		return 0, err
	}
	if lo > hi {
		return 0, fmt.Errorf("the integer at %s has an empty range [%d, %d]", at, lo, hi)
	}
	return c.add(node{kind: nodeInt, next: next, lo: lo, hi: hi})
}

// intKeyword reads a non-negative integer keyword, or def when absent.
func intKeyword(s *value, kw, at string, def int64) (int64, error) {
	v, ok := s.get(kw)
	if !ok {
		return def, nil
	}
	n, err := strconv.ParseInt(string(v.num), 10, 64)
	if v.kind != kindNumber || err != nil || n < 0 {
		return 0, fmt.Errorf("%q at %s must be a non-negative integer", kw, at)
	}
	return n, nil
}

// Text is the schema document Compile read.
func (s *Schema) Text() string { return s.text }

// States is the number of automaton nodes (a measure of the schema's size).
func (s *Schema) States() int { return len(s.prog.nodes) }
