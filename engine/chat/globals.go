package chat

import (
	"fmt"
	"strings"
	"time"
)

// Global functions: Jinja's range, dict and namespace, and the two that
// transformers adds for chat templates, raise_exception and strftime_now.

var globals map[string]value

func init() {
	globals = map[string]value{
		"range":           &builtin{"range", globalRange},
		"dict":            &builtin{"dict", globalDict},
		"namespace":       &builtin{"namespace", globalNamespace},
		"raise_exception": &builtin{"raise_exception", globalRaise},
		"strftime_now":    &builtin{"strftime_now", globalStrftimeNow},
	}
}

func globalRange(r *renderer, a args) (value, error) {
	if len(a.kw) > 0 {
		return nil, errorf("range() takes no keyword arguments")
	}
	var bounds []int64
	for _, v := range a.pos {
		i, ok := asIndex(v)
		if !ok {
			return nil, errorf("'%s' object cannot be interpreted as an integer", typeName(v))
		}
		bounds = append(bounds, i)
	}
	start, stop, step := int64(0), int64(0), int64(1)
	switch len(bounds) {
	case 1:
		stop = bounds[0]
	case 2:
		start, stop = bounds[0], bounds[1]
	case 3:
		start, stop, step = bounds[0], bounds[1], bounds[2]
	default:
		return nil, errorf("range expected 1 to 3 arguments, got %d", len(bounds))
	}
	if step == 0 {
		return nil, errorf("range() arg 3 must not be zero")
	}
	var n int64
	if step > 0 && stop > start {
		n = (stop - start + step - 1) / step
	} else if step < 0 && stop < start {
		n = (start - stop - step - 1) / -step
	}
	if n > maxListItems {
		return nil, limitErrorf("range of %d items is longer than %d", n, maxListItems)
	}
	if err := r.charge(int(n)); err != nil {
		return nil, err
	}
	items := make([]value, n)
	for i := range items {
		items[i] = start + int64(i)*step
	}
	return newList(items), nil
}

// fillDict adds a mapping or an iterable of pairs, then keyword arguments.
func (r *renderer) fillDict(d *pyDict, fname string, a args) error {
	if len(a.pos) > 1 {
		return errorf("%s expected at most 1 argument, got %d", fname, len(a.pos))
	}
	if len(a.pos) == 1 {
		switch src := a.pos[0].(type) {
		case *pyDict:
			for i, k := range src.keys {
				if err := d.Set(k, src.values[i]); err != nil {
					return err
				}
			}
		default:
			items, err := r.iterate(src)
			if err != nil {
				return err
			}
			for _, item := range items {
				pair, ok := item.(*pyList)
				if !ok || len(pair.Items) != 2 {
					return errorf("%s: each element must be a (key, value) pair", fname)
				}
				if err := d.Set(pair.Items[0], pair.Items[1]); err != nil {
					return err
				}
			}
		}
	}
	for _, kw := range a.kw {
		d.SetString(kw.name, kw.value)
	}
	return nil
}

func globalDict(r *renderer, a args) (value, error) {
	d := newDict()
	return d, r.fillDict(d, "dict", a)
}

func globalNamespace(r *renderer, a args) (value, error) {
	d := newDict()
	if err := r.fillDict(d, "namespace", a); err != nil {
		return nil, err
	}
	return &pyNamespace{attrs: d}, nil
}

func globalRaise(r *renderer, a args) (value, error) {
	msg := ""
	if len(a.pos) > 0 {
		msg = strValue(a.pos[0])
	}
	return nil, &Error{Msg: msg, Raised: true}
}

func globalStrftimeNow(r *renderer, a args) (value, error) {
	p, err := a.bind("strftime_now", []string{"format"}, 1)
	if err != nil {
		return nil, err
	}
	format, err := argString("strftime_now", p[0])
	if err != nil {
		return nil, err
	}
	return strftime(r.now, format), nil
}

// strftime formats t like Python's time.strftime in the C locale.
func strftime(t time.Time, format string) string {
	var b strings.Builder
	for i := 0; i < len(format); i++ {
		if format[i] != '%' || i+1 == len(format) {
			b.WriteByte(format[i])
			continue
		}
		i++
		switch c := format[i]; c {
		case 'Y':
			fmt.Fprintf(&b, "%d", t.Year())
		case 'y':
			fmt.Fprintf(&b, "%02d", t.Year()%100)
		case 'm':
			fmt.Fprintf(&b, "%02d", int(t.Month()))
		case 'd':
			fmt.Fprintf(&b, "%02d", t.Day())
		case 'e':
			fmt.Fprintf(&b, "%2d", t.Day())
		case 'j':
			fmt.Fprintf(&b, "%03d", t.YearDay())
		case 'H':
			fmt.Fprintf(&b, "%02d", t.Hour())
		case 'I':
			fmt.Fprintf(&b, "%02d", (t.Hour()+11)%12+1)
		case 'M':
			fmt.Fprintf(&b, "%02d", t.Minute())
		case 'S':
			fmt.Fprintf(&b, "%02d", t.Second())
		case 'f':
			fmt.Fprintf(&b, "%06d", t.Nanosecond()/1000)
		case 'p':
			b.WriteString(t.Format("PM"))
		case 'b', 'h':
			b.WriteString(t.Format("Jan"))
		case 'B':
			b.WriteString(t.Format("January"))
		case 'a':
			b.WriteString(t.Format("Mon"))
		case 'A':
			b.WriteString(t.Format("Monday"))
		case 'w':
			fmt.Fprintf(&b, "%d", int(t.Weekday()))
		case 'Z':
			b.WriteString(t.Format("MST"))
		case 'z':
			b.WriteString(t.Format("-0700"))
		case 'F':
			b.WriteString(t.Format("2006-01-02"))
		case 'T':
			b.WriteString(t.Format("15:04:05"))
		case 'D':
			b.WriteString(t.Format("01/02/06"))
		case '%':
			b.WriteByte('%')
		default:
			b.WriteByte('%')
			b.WriteByte(c)
		}
	}
	return b.String()
}
