package chat

import (
	"encoding/json"
	"math"
	"reflect"
	"sort"
)

// toValue converts a Go value to a template value. Maps become dicts with
// their keys in sorted order (Go maps have none); a float64 with a whole
// value becomes an int, because that is what a JSON number such as 3 (the
// usual source of these maps) is in Python; nil maps and slices become None.
func toValue(v any, depth int) (value, error) {
	if depth > maxNesting {
		return nil, errorf("value nested deeper than %d levels", maxNesting)
	}
	switch x := v.(type) {
	case nil, bool, string, int64, undefined, *pyList, *pyDict, *pyNamespace:
		return x, nil
	case int:
		return int64(x), nil
	case int32:
		return int64(x), nil
	case float32:
		return floatValue(float64(x)), nil
	case float64:
		return floatValue(x), nil
	case json.Number:
		return jsonNumber(x)
	case Message:
		return messageValue(x, false)
	case Tool:
		return toolValue(x)
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return rv.Int(), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		u := rv.Uint()
		if u > math.MaxInt64 {
			return nil, errorf("integer %d is too large", u)
		}
		return int64(u), nil
	case reflect.Float32, reflect.Float64:
		return floatValue(rv.Float()), nil
	case reflect.Bool:
		return rv.Bool(), nil
	case reflect.String:
		return rv.String(), nil
	case reflect.Pointer, reflect.Interface:
		if rv.IsNil() {
			return nil, nil
		}
		return toValue(rv.Elem().Interface(), depth+1)
	case reflect.Slice, reflect.Array:
		if rv.Kind() == reflect.Slice && rv.IsNil() {
			return nil, nil
		}
		items := make([]value, rv.Len())
		for i := range items {
			item, err := toValue(rv.Index(i).Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			items[i] = item
		}
		return newList(items), nil
	case reflect.Map:
		if rv.IsNil() {
			return nil, nil
		}
		if rv.Type().Key().Kind() != reflect.String {
			return nil, errorf("map keys must be strings, not %s", rv.Type().Key())
		}
		keys := make([]string, 0, rv.Len())
		for _, k := range rv.MapKeys() {
			keys = append(keys, k.String())
		}
		sort.Strings(keys)
		d := newDict()
		for _, k := range keys {
			item, err := toValue(rv.MapIndex(reflect.ValueOf(k).Convert(rv.Type().Key())).Interface(), depth+1)
			if err != nil {
				return nil, err
			}
			d.SetString(k, item)
		}
		return d, nil
	}
	return nil, errorf("unsupported value type %T", v)
}

func floatValue(f float64) value {
	if f == math.Trunc(f) && math.Abs(f) < 1<<53 {
		return int64(f)
	}
	return f
}
