package action

import (
	"strings"
	"unicode/utf8"
)

// Validate checks an action built in Go (or decoded) against the action
// set: a known kind, the kind's required fields, no fields of other kinds,
// a target with exactly one of index (≥ 0) or label (non-blank), and the
// length limits. The error is a *FieldError naming the field.
func (a Action) Validate() error {
	fields, ok := kindFields[a.Action]
	if !ok {
		return fieldErr("action", "unknown action %q; want one of %s", a.Action, kindList())
	}
	has := map[string]bool{}
	for _, f := range fields {
		has[f.name] = true
		if err := a.checkField(f); err != nil {
			return err
		}
	}
	for _, name := range a.setFields() {
		if !has[name] {
			return fieldErr(name, "not a field of a %s action (fields: %s)", a.Action, fieldList(a.Action))
		}
	}
	if a.Action == WaitFor && (a.Target == nil) == (a.Text == "") {
		return fieldErr("text", "a wait_for action needs exactly one of text or target")
	}
	return nil
}

// setFields names the fields of a that hold a non-zero value.
func (a Action) setFields() []string {
	var names []string
	add := func(set bool, name string) {
		if set {
			names = append(names, name)
		}
	}
	add(a.Target != nil, "target")
	add(a.Text != "", "text")
	add(a.Append, "append")
	add(a.Option != "", "option")
	add(a.Key != "", "key")
	add(a.Direction != "", "direction")
	add(a.URL != "", "url")
	add(a.Question != "", "question")
	add(a.Answer != "", "answer")
	add(a.TimeoutMS != 0, "timeout_ms")
	return names
}

// checkField checks one field of a's kind.
func (a Action) checkField(f field) error {
	switch f.kind {
	case fieldTarget:
		if a.Target == nil {
			if f.required {
				return fieldErr("target", "missing; a %s action needs a target", a.Action)
			}
			return nil
		}
		return a.Target.validate()
	case fieldString, fieldEnum:
		s := a.stringField(f.name)
		if f.nonEmpty && (f.required || s != "") && strings.TrimSpace(s) == "" {
			return fieldErr(f.name, "missing or blank; a %s action needs it", a.Action)
		}
		if f.kind == fieldEnum {
			for _, v := range f.enum {
				if s == v {
					return nil
				}
			}
			return fieldErr(f.name, "%q is not one of %s", s, strings.Join(f.enum, ", "))
		}
		if n := utf8.RuneCountInString(s); n > f.max {
			return fieldErr(f.name, "%d characters, at most %d", n, f.max)
		}
		if !utf8.ValidString(s) {
			return fieldErr(f.name, "not valid UTF-8")
		}
	case fieldInt:
		if a.TimeoutMS < 0 || a.TimeoutMS > f.max {
			return fieldErr(f.name, "%d is outside 0…%d", a.TimeoutMS, f.max)
		}
	}
	return nil
}

func (a Action) stringField(name string) string {
	switch name {
	case "text":
		return a.Text
	case "option":
		return a.Option
	case "key":
		return a.Key
	case "direction":
		return a.Direction
	case "url":
		return a.URL
	case "question":
		return a.Question
	case "answer":
		return a.Answer
	}
	return "" // kindFields names only the fields above
}

// validate checks that t names exactly one thing.
func (t *Target) validate() error {
	switch {
	case t.Index != nil && t.Label != "":
		return fieldErr("target", "give exactly one of index or label, not both")
	case t.Index != nil:
		if *t.Index < 0 || *t.Index > MaxIndex {
			return fieldErr("target.index", "%d is outside 0…%d", *t.Index, MaxIndex)
		}
	case strings.TrimSpace(t.Label) == "":
		return fieldErr("target", "give exactly one of index (a number ≥ 0) or label (non-empty text)")
	default:
		if n := utf8.RuneCountInString(t.Label); n > MaxLabelLen {
			return fieldErr("target.label", "%d characters, at most %d", n, MaxLabelLen)
		}
	}
	return nil
}
