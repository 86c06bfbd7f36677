package chat

import (
	"encoding/json"
	"io"
	"math"
	"sort"
	"strconv"
	"strings"
)

// tojson is Python's json.dumps, which is what transformers installs as
// the tojson filter (Jinja's own would HTML-escape): ", " and ": "
// separators, non-ASCII kept, floats as Python prints them.

type jsonOptions struct {
	indent      string // "" with hasIndent false: single line
	hasIndent   bool
	itemSep     string
	keySep      string
	sortKeys    bool
	ensureASCII bool
}

func defaultJSONOptions() jsonOptions {
	return jsonOptions{itemSep: ", ", keySep: ": "}
}

type jsonWriter struct {
	opts jsonOptions
	b    strings.Builder
	seen map[any]bool
}

func toJSON(v value, opts jsonOptions) (string, error) {
	w := &jsonWriter{opts: opts, seen: map[any]bool{}}
	if err := w.write(v, 0); err != nil {
		return "", err
	}
	return w.b.String(), nil
}

func (w *jsonWriter) newline(level int) {
	if w.opts.hasIndent {
		w.b.WriteByte('\n')
		for i := 0; i < level; i++ {
			w.b.WriteString(w.opts.indent)
		}
	}
}

func (w *jsonWriter) write(v value, level int) error {
	if w.b.Len() > maxStringBytes {
		return limitErrorf("tojson output exceeds %d bytes", maxStringBytes)
	}
	switch x := v.(type) {
	case nil:
		w.b.WriteString("null")
	case bool:
		if x {
			w.b.WriteString("true")
		} else {
			w.b.WriteString("false")
		}
	case int64:
		w.b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		switch {
		case math.IsNaN(x):
			w.b.WriteString("NaN")
		case math.IsInf(x, 1):
			w.b.WriteString("Infinity")
		case math.IsInf(x, -1):
			w.b.WriteString("-Infinity")
		default:
			w.b.WriteString(formatFloat(x))
		}
	case string:
		w.b.WriteString(jsonQuote(x, w.opts.ensureASCII))
	case *pyList:
		if w.seen[x] {
			return errorf("tojson: circular reference detected")
		}
		if len(x.Items) == 0 {
			w.b.WriteString("[]")
			return nil
		}
		w.seen[x] = true
		defer delete(w.seen, x)
		w.b.WriteByte('[')
		for i, item := range x.Items {
			if i > 0 {
				w.b.WriteString(w.opts.itemSep)
			}
			w.newline(level + 1)
			if err := w.write(item, level+1); err != nil {
				return err
			}
		}
		w.newline(level)
		w.b.WriteByte(']')
	case *pyDict:
		if w.seen[x] {
			return errorf("tojson: circular reference detected")
		}
		if x.Len() == 0 {
			w.b.WriteString("{}")
			return nil
		}
		w.seen[x] = true
		defer delete(w.seen, x)
		keys := make([]string, x.Len())
		for i, k := range x.keys {
			s, err := jsonKey(k)
			if err != nil {
				return err
			}
			keys[i] = s
		}
		order := make([]int, len(keys))
		for i := range order {
			order[i] = i
		}
		if w.opts.sortKeys {
			sort.SliceStable(order, func(a, b int) bool { return keys[order[a]] < keys[order[b]] })
		}
		w.b.WriteByte('{')
		for n, i := range order {
			if n > 0 {
				w.b.WriteString(w.opts.itemSep)
			}
			w.newline(level + 1)
			w.b.WriteString(jsonQuote(keys[i], w.opts.ensureASCII))
			w.b.WriteString(w.opts.keySep)
			if err := w.write(x.values[i], level+1); err != nil {
				return err
			}
		}
		w.newline(level)
		w.b.WriteByte('}')
	default:
		return errorf("tojson: object of type %s is not JSON serializable", typeName(v))
	}
	return nil
}

// jsonKey converts a dict key as json.dumps does: strings as they are,
// numbers, booleans and None spelled as JSON.
func jsonKey(k value) (string, error) {
	switch x := k.(type) {
	case string:
		return x, nil
	case nil:
		return "null", nil
	case bool:
		if x {
			return "true", nil
		}
		return "false", nil
	case int64:
		return strconv.FormatInt(x, 10), nil
	case float64:
		return formatFloat(x), nil
	}
	return "", errorf("tojson: keys must be str, int, float, bool or None, not %s", typeName(k))
}

func jsonQuote(s string, ensureASCII bool) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch r {
		case '"':
			b.WriteString(`\"`)
		case '\\':
			b.WriteString(`\\`)
		case '\n':
			b.WriteString(`\n`)
		case '\r':
			b.WriteString(`\r`)
		case '\t':
			b.WriteString(`\t`)
		case '\b':
			b.WriteString(`\b`)
		case '\f':
			b.WriteString(`\f`)
		default:
			switch {
			case r < 0x20 || ensureASCII && r == 0x7f:
				b.WriteString(`\u00` + hex2(int(r)))
			case ensureASCII && r > 0x7f:
				if r > 0xffff {
					r -= 0x10000
					b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(0xd800+(r>>10)), 16), 4))
					b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(0xdc00+(r&0x3ff)), 16), 4))
				} else {
					b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(r), 16), 4))
				}
			default:
				b.WriteRune(r)
			}
		}
	}
	b.WriteByte('"')
	return b.String()
}

// fromJSON parses JSON text into template values (objects keep their key
// order; whole numbers without a fraction or exponent become ints).
func fromJSON(s string) (value, error) {
	dec := json.NewDecoder(strings.NewReader(s))
	dec.UseNumber()
	v, err := decodeJSONValue(dec, 0)
	if err != nil {
		return nil, errorf("from_json: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errorf("from_json: extra data after the JSON value")
	}
	return v, nil
}

func decodeJSONValue(dec *json.Decoder, depth int) (value, error) {
	if depth > maxNesting {
		return nil, limitErrorf("JSON nested deeper than %d levels", maxNesting)
	}
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case json.Delim:
		switch t {
		case '[':
			l := newList(nil)
			for dec.More() {
				item, err := decodeJSONValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				l.Items = append(l.Items, item)
			}
			_, err := dec.Token()
			return l, err
		case '{':
			d := newDict()
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					return nil, err
				}
				v, err := decodeJSONValue(dec, depth+1)
				if err != nil {
					return nil, err
				}
				d.SetString(k.(string), v)
			}
			_, err := dec.Token()
			return d, err
		}
	case json.Number:
		return jsonNumber(t)
	case string, bool, nil:
		return t, nil
	}
	return nil, errorf("unexpected JSON token %v", tok)
}

func jsonNumber(n json.Number) (value, error) {
	if !strings.ContainsAny(string(n), ".eE") {
		if i, err := n.Int64(); err == nil {
			return i, nil
		}
	}
	f, err := n.Float64()
	if err != nil {
		return nil, err
	}
	return f, nil
}
