package action

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// FieldError is a malformed action: Field names the offending field
// ("action", "target.index", "text" …) and Problem says what is wrong.
type FieldError struct {
	Field   string
	Problem string
}

// Error says which field is wrong and how.
func (e *FieldError) Error() string {
	return fmt.Sprintf("field %q: %s", e.Field, e.Problem)
}

func fieldErr(name, format string, args ...any) error {
	return &FieldError{Field: name, Problem: fmt.Sprintf(format, args...)}
}

// Parse reads one action from its JSON form, strictly: unknown fields,
// fields that do not belong to the action's kind, duplicate fields, nulls
// and trailing data are errors, and so is anything Validate rejects.
// Errors name the field.
func Parse(text string) (Action, error) {
	raw, err := singleValue([]byte(text))
	if err != nil {
		return Action{}, err
	}
	return parseAction(raw)
}

// ParseList reads a JSON array of actions (the form Hearth.execute takes).
// An error names the position of the bad action (0-based).
func ParseList(text string) ([]Action, error) {
	raw, err := singleValue([]byte(text))
	if err != nil {
		return nil, err
	}
	var items []json.RawMessage
	if err := json.Unmarshal(raw, &items); err != nil || items == nil {
		return nil, fmt.Errorf("action list: want a JSON array of actions")
	}
	if len(items) > MaxListLen {
		return nil, fmt.Errorf("action list: %d actions, at most %d", len(items), MaxListLen)
	}
	list := make([]Action, 0, len(items))
	for i, item := range items {
		a, err := parseAction(item)
		if err != nil {
			return nil, fmt.Errorf("action %d: %w", i, err)
		}
		list = append(list, a)
	}
	return list, nil
}

// singleValue returns the one JSON value in b; anything after it other
// than whitespace is an error.
func singleValue(b []byte) (json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		if err == io.EOF {
			return nil, fmt.Errorf("empty input: want a JSON action")
		}
		return nil, fmt.Errorf("not JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the JSON value at offset %d", dec.InputOffset())
	}
	return raw, nil
}

// objectFields splits a JSON object into its members, in order, rejecting
// duplicates and null values. what names the object in errors.
func objectFields(raw json.RawMessage, what string) ([]string, map[string]json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, nil, fieldErr(what, "want a JSON object")
	}
	var names []string
	members := map[string]json.RawMessage{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, nil, fieldErr(what, "malformed object: %v", err)
		}
		name, _ := tok.(string)
		var value json.RawMessage
		if err := dec.Decode(&value); err != nil {
			return nil, nil, fieldErr(name, "malformed value: %v", err)
		}
		if _, dup := members[name]; dup {
			return nil, nil, fieldErr(name, "given twice")
		}
		if string(value) == "null" {
			return nil, nil, fieldErr(name, "null is not a value here")
		}
		names = append(names, name)
		members[name] = value
	}
	return names, members, nil
}

// parseAction decodes and validates one action object.
func parseAction(raw json.RawMessage) (Action, error) {
	names, members, err := objectFields(raw, "action")
	if err != nil {
		return Action{}, err
	}
	kindRaw, ok := members["action"]
	if !ok {
		return Action{}, fieldErr("action", "missing; want one of %s", kindList())
	}
	var kind Kind
	if err := json.Unmarshal(kindRaw, &kind); err != nil {
		return Action{}, fieldErr("action", "want a string, one of %s", kindList())
	}
	if !kind.Known() {
		return Action{}, fieldErr("action", "unknown action %q; want one of %s", kind, kindList())
	}
	allowed := map[string]bool{"action": true}
	for _, f := range kindFields[kind] {
		allowed[f.name] = true
		if _, ok := members[f.name]; f.required && !ok {
			return Action{}, fieldErr(f.name, "missing; a %s action needs it", kind)
		}
	}
	for _, name := range names {
		if !allowed[name] {
			return Action{}, fieldErr(name, "not a field of a %s action (fields: %s)", kind, fieldList(kind))
		}
	}
	if t, ok := members["target"]; ok {
		tnames, _, err := objectFields(t, "target")
		if err != nil {
			return Action{}, err
		}
		for _, name := range tnames {
			if name != "index" && name != "label" {
				return Action{}, fieldErr("target."+name, "not a field of a target (give index or label)")
			}
		}
		if len(tnames) != 1 {
			return Action{}, fieldErr("target", "give exactly one of index or label")
		}
	}
	a := Action{Action: kind}
	for _, name := range names {
		if err := decodeMember(&a, name, members[name]); err != nil {
			return Action{}, err
		}
	}
	for _, f := range kindFields[kind] {
		if _, ok := members[f.name]; ok && f.nonEmpty && strings.TrimSpace(a.stringField(f.name)) == "" {
			return Action{}, fieldErr(f.name, "blank; give a value or leave the field out")
		}
	}
	if err := a.Validate(); err != nil {
		return Action{}, err
	}
	return a, nil
}

// decodeMember decodes one vetted member into its field of a.
func decodeMember(a *Action, name string, raw json.RawMessage) error {
	var dst any
	want := "a string"
	switch name {
	case "action":
		return nil
	case "target":
		a.Target = &Target{}
		dst, want = a.Target, "an object with index or label"
	case "text":
		dst = &a.Text
	case "append":
		dst, want = &a.Append, "true or false"
	case "option":
		dst = &a.Option
	case "key":
		dst = &a.Key
	case "direction":
		dst = &a.Direction
	case "url":
		dst = &a.URL
	case "question":
		dst = &a.Question
	case "answer":
		dst = &a.Answer
	case "timeout_ms":
		dst, want = &a.TimeoutMS, "a whole number of milliseconds"
	}
	if err := json.Unmarshal(raw, dst); err != nil {
		if ute, ok := err.(*json.UnmarshalTypeError); ok && ute.Field != "" {
			return fieldErr(name+"."+ute.Field, "wrong type (%s)", ute.Value)
		}
		return fieldErr(name, "want %s", want)
	}
	return nil
}

func kindList() string {
	names := make([]string, len(Kinds))
	for i, k := range Kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ")
}

func fieldList(k Kind) string {
	names := []string{"action"}
	for _, f := range kindFields[k] {
		names = append(names, f.name)
	}
	return strings.Join(names, ", ")
}
