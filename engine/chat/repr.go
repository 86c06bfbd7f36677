package chat

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// How values print: Python's str() for {{ }} output and the string filter,
// and Python's repr() inside containers ({{ [1, 'a', None] }} prints
// "[1, 'a', None]").

// maxStringBytes caps any one string a template builds (repr, join,
// repetition, concatenation …); past it the template gets a limit error.
const maxStringBytes = 16 << 20

// strValue is Python's str(v); Undefined prints as "".
func strValue(v value) string {
	switch x := v.(type) {
	case string:
		return x
	case undefined:
		return ""
	}
	return reprValue(v)
}

// reprValue is Python's repr(v). A container inside itself prints as
// [...] or {...}, as in Python; output past maxStringBytes is cut short
// (callers that keep the string check its length).
func reprValue(v value) string {
	w := reprWriter{seen: map[any]bool{}}
	w.write(v)
	return w.b.String()
}

type reprWriter struct {
	b    strings.Builder
	seen map[any]bool // containers being printed
}

func (w *reprWriter) write(v value) {
	b := &w.b
	if b.Len() > maxStringBytes {
		return
	}
	switch x := v.(type) {
	case nil:
		b.WriteString("None")
	case undefined:
		b.WriteString("Undefined")
	case bool:
		if x {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(formatFloat(x))
	case string:
		b.WriteString(quoteString(x))
	case *pyList:
		open, close := "[", "]"
		if x.Tuple {
			open, close = "(", ")"
		}
		if w.seen[x] {
			b.WriteString(open + "..." + close)
			return
		}
		w.seen[x] = true
		defer delete(w.seen, x)
		b.WriteString(open)
		for i, item := range x.Items {
			if i > 0 {
				b.WriteString(", ")
			}
			w.write(item)
		}
		if x.Tuple && len(x.Items) == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
	case *pyDict:
		if w.seen[x] {
			b.WriteString("{...}")
			return
		}
		w.seen[x] = true
		defer delete(w.seen, x)
		b.WriteString("{")
		for i, k := range x.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			w.write(k)
			b.WriteString(": ")
			w.write(x.values[i])
		}
		b.WriteString("}")
	case *pyNamespace:
		if w.seen[x] {
			b.WriteString("<Namespace ...>")
			return
		}
		w.seen[x] = true
		defer delete(w.seen, x)
		b.WriteString("<Namespace ")
		for i, k := range x.attrs.keys {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(strValue(k))
			b.WriteString("=")
			w.write(x.attrs.values[i])
		}
		b.WriteString(">")
	case *macro:
		b.WriteString("<Macro '" + x.name + "'>")
	case *builtin:
		b.WriteString("<built-in function " + x.name + ">")
	case *boundMethod:
		b.WriteString("<built-in method " + x.name + " of " + typeName(x.recv) + " object>")
	default:
		b.WriteString("<" + typeName(v) + " object>")
	}
}

// formatFloat is Python's repr of a float: the shortest digits that read
// back exactly, in positional notation for exponents -4..15, with ".0" on
// whole numbers.
func formatFloat(f float64) string {
	switch {
	case math.IsNaN(f):
		return "nan"
	case math.IsInf(f, 1):
		return "inf"
	case math.IsInf(f, -1):
		return "-inf"
	}
	exp := 0
	if f != 0 {
		e := strconv.FormatFloat(f, 'e', -1, 64)
		exp, _ = strconv.Atoi(e[strings.IndexByte(e, 'e')+1:])
	}
	if exp < -4 || exp >= 16 {
		return strconv.FormatFloat(f, 'e', -1, 64)
	}
	s := strconv.FormatFloat(f, 'f', -1, 64)
	if !strings.ContainsAny(s, ".") {
		s += ".0"
	}
	return s
}

// quoteString is Python's repr of a str: single quotes unless the text has
// a single quote and no double quote; backslash escapes for the quote,
// backslash, \n \r \t and unprintable characters.
func quoteString(s string) string {
	quote := '\''
	if strings.ContainsRune(s, '\'') && !strings.ContainsRune(s, '"') {
		quote = '"'
	}
	var b strings.Builder
	b.WriteRune(quote)
	for _, r := range s {
		switch {
		case r == quote || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\r':
			b.WriteString(`\r`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || r == 0x7f:
			b.WriteString(`\x` + hex2(int(r)))
		case r < 0x80 || isPyPrintable(r):
			b.WriteRune(r)
		case r < 0x100:
			b.WriteString(`\x` + hex2(int(r)))
		case r < 0x10000:
			b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(r), 16), 4))
		default:
			b.WriteString(`\U` + leftPad(strconv.FormatInt(int64(r), 16), 8))
		}
	}
	b.WriteRune(quote)
	return b.String()
}

// isPyPrintable approximates Python's str.isprintable for one character:
// letters, marks, numbers, punctuation, symbols and the plain space.
func isPyPrintable(r rune) bool {
	if r == ' ' {
		return true
	}
	return unicode.In(r, unicode.L, unicode.M, unicode.N, unicode.P, unicode.S)
}

func hex2(v int) string { return leftPad(strconv.FormatInt(int64(v), 16), 2) }

func leftPad(s string, n int) string {
	for len(s) < n {
		s = "0" + s
	}
	return s
}
