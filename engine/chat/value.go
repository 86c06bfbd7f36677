package chat

// Template values follow Python's data model, because chat templates are
// written for (and their outputs trained with) Python Jinja:
//
//	None       nil
//	Undefined  undefined (a missing variable, key or attribute)
//	bool       bool
//	int        int64
//	float      float64
//	str        string (indexed by code point, as Python does)
//	list/tuple *pyList
//	dict       *pyDict (keeps insertion order)
//	namespace  *pyNamespace
//	callables  *macro, *builtin, *boundMethod
//	loop       *loopInfo
type value = any

// undefined is the value of a missing variable, key or attribute. Like
// Jinja's default Undefined it prints as "", is false, iterates as empty, and
// raises an error when used in arithmetic or looked into.
type undefined struct {
	hint string // what was missing, for the error message
}

func undefinedName(name string) undefined {
	return undefined{hint: "'" + name + "' is undefined"}
}

func undefinedAttr(obj value, name string) undefined {
	return undefined{hint: "'" + typeName(obj) + " object' has no attribute '" + name + "'"}
}

func (u undefined) message() string {
	if u.hint == "" {
		return "value is undefined"
	}
	return u.hint
}

// pyList is a Python list, or a tuple when Tuple is set (it only changes how
// it prints).
type pyList struct {
	Items []value
	Tuple bool
}

func newList(items []value) *pyList   { return &pyList{Items: items} }
func newTuple(items ...value) *pyList { return &pyList{Items: items, Tuple: true} }

// pyDict is a Python dict: any hashable key, insertion order kept.
type pyDict struct {
	keys   []value
	values []value
	index  map[hashKey]int
}

type hashKey struct {
	kind byte // 'n' none, 'i' int (and bool, integral float), 'f' float, 's' str, 't' tuple
	s    string
	i    int64
	f    float64
}

func newDict() *pyDict { return &pyDict{index: map[hashKey]int{}} }

// keyOf gives the hash key of a dict key, with Python's rule that equal
// numbers (True, 1, 1.0) are the same key.
func keyOf(k value) (hashKey, error) {
	switch v := k.(type) {
	case nil:
		return hashKey{kind: 'n'}, nil
	case bool:
		if v {
			return hashKey{kind: 'i', i: 1}, nil
		}
		return hashKey{kind: 'i'}, nil
	case int64:
		return hashKey{kind: 'i', i: v}, nil
	case float64:
		if v == float64(int64(v)) {
			return hashKey{kind: 'i', i: int64(v)}, nil
		}
		return hashKey{kind: 'f', f: v}, nil
	case string:
		return hashKey{kind: 's', s: v}, nil
	case *pyList:
		if v.Tuple {
			return hashKey{kind: 't', s: reprValue(v)}, nil
		}
	}
	return hashKey{}, errorf("unhashable type: '%s'", typeName(k))
}

// Len is the number of entries.
func (d *pyDict) Len() int { return len(d.keys) }

// Get returns the value stored under k.
func (d *pyDict) Get(k value) (value, bool) {
	h, err := keyOf(k)
	if err != nil {
		return nil, false
	}
	i, ok := d.index[h]
	if !ok {
		return nil, false
	}
	return d.values[i], true
}

// Set stores v under k, keeping the position of an existing key.
func (d *pyDict) Set(k, v value) error {
	h, err := keyOf(k)
	if err != nil {
		return err
	}
	if i, ok := d.index[h]; ok {
		d.values[i] = v
		return nil
	}
	d.index[h] = len(d.keys)
	d.keys = append(d.keys, k)
	d.values = append(d.values, v)
	return nil
}

// SetString stores v under the string key k.
func (d *pyDict) SetString(k string, v value) { _ = d.Set(k, v) }

// Delete removes k and returns its value.
func (d *pyDict) Delete(k value) (value, bool) {
	h, err := keyOf(k)
	if err != nil {
		return nil, false
	}
	i, ok := d.index[h]
	if !ok {
		return nil, false
	}
	v := d.values[i]
	d.keys = append(d.keys[:i], d.keys[i+1:]...)
	d.values = append(d.values[:i], d.values[i+1:]...)
	delete(d.index, h)
	for j := i; j < len(d.keys); j++ {
		hk, _ := keyOf(d.keys[j])
		d.index[hk] = j
	}
	return v, true
}

// Keys returns the keys in insertion order.
func (d *pyDict) Keys() []value { return append([]value(nil), d.keys...) }

// Values returns the values in insertion order.
func (d *pyDict) Values() []value { return append([]value(nil), d.values...) }

// Items returns (key, value) tuples in insertion order.
func (d *pyDict) Items() []value {
	out := make([]value, len(d.keys))
	for i := range d.keys {
		out[i] = newTuple(d.keys[i], d.values[i])
	}
	return out
}

func (d *pyDict) copyDict() *pyDict {
	c := newDict()
	for i := range d.keys {
		_ = c.Set(d.keys[i], d.values[i])
	}
	return c
}

// pyNamespace is the mutable object made by namespace(): the one thing a
// template may assign attributes to, so state can outlive a loop iteration.
type pyNamespace struct {
	attrs *pyDict
}

// typeName is Python's type name of a value, for error messages.
func typeName(v value) string {
	switch x := v.(type) {
	case nil:
		return "NoneType"
	case undefined:
		return "Undefined"
	case bool:
		return "bool"
	case int64:
		return "int"
	case float64:
		return "float"
	case string:
		return "str"
	case *pyList:
		if x.Tuple {
			return "tuple"
		}
		return "list"
	case *pyDict:
		return "dict"
	case *pyNamespace:
		return "Namespace"
	case *macro:
		return "Macro"
	case *builtin, *boundMethod:
		return "builtin_function_or_method"
	case *loopInfo:
		return "LoopContext"
	}
	return "object"
}

// truthy is Python's bool(v).
func truthy(v value) bool {
	switch x := v.(type) {
	case nil, undefined:
		return false
	case bool:
		return x
	case int64:
		return x != 0
	case float64:
		return x != 0
	case string:
		return x != ""
	case *pyList:
		return len(x.Items) > 0
	case *pyDict:
		return x.Len() > 0
	}
	return true
}

func isUndefined(v value) bool {
	_, ok := v.(undefined)
	return ok
}
