package action

import (
	"encoding/json"
	"strconv"
	"strings"
)

// Schema returns the whole action set as a JSON schema document, in the
// subset engine/sample/constrain compiles: a oneOf of objects (one per
// Kind, in Kinds order), properties in a fixed order with "action" (a
// const) first, required, additionalProperties false, bounded strings
// (every string has a maxLength), bounded integers and booleans. A target
// is itself a oneOf of {"index":…} and {"label":…}. The document is
// compact JSON.
func Schema() []byte {
	return buildSchema(Kinds, indexBounds{0, MaxIndex})
}

// indexBounds is the range of target indices a schema allows; hi < 0
// leaves index targets out.
type indexBounds struct{ lo, hi int }

// SchemaFor narrows Schema to one page and one policy: only the kinds the
// policy allows, and target.index bounded by the observation's first and
// last element indices, so a constrained model cannot name an element that is
// not there. With no elements, index targets and the kinds that need a
// target are left out.
func SchemaFor(obs Observation, pol Policy) []byte {
	first, last := -1, -1
	for _, el := range obs.Elements {
		if el.Index > last {
			last = el.Index
		}
		if first < 0 || el.Index < first {
			first = el.Index
		}
	}
	var kinds []Kind
	for _, k := range Kinds {
		if !pol.Allows(k) || (last < 0 && NeedsTarget(k)) {
			continue
		}
		kinds = append(kinds, k)
	}
	return buildSchema(kinds, indexBounds{max(first, 0), last})
}

// buildSchema writes the schema for kinds, with index targets in ix.
func buildSchema(kinds []Kind, ix indexBounds) []byte {
	var b strings.Builder
	b.WriteString(`{"oneOf":[`)
	for i, k := range kinds {
		if i > 0 {
			b.WriteByte(',')
		}
		writeKind(&b, k, ix)
	}
	b.WriteString(`]}`)
	return []byte(b.String())
}

// writeKind writes the schema of kind k: one object, or for wait_for two
// (a target, or a text: exactly one of them, which one object cannot say).
func writeKind(b *strings.Builder, k Kind, ix indexBounds) {
	if k != WaitFor {
		writeObject(b, k, kindFields[k], ix)
		return
	}
	var byTarget, byText []field
	for _, f := range kindFields[k] {
		switch f.name {
		case "target":
			f.required = true
			byTarget = append(byTarget, f)
		case "text":
			f.required = true
			byText = append(byText, f)
		default:
			byTarget, byText = append(byTarget, f), append(byText, f)
		}
	}
	writeObject(b, k, byTarget, ix)
	b.WriteByte(',')
	writeObject(b, k, byText, ix)
}

func writeObject(b *strings.Builder, k Kind, fields []field, ix indexBounds) {
	required := []string{"action"}
	b.WriteString(`{"type":"object","properties":{"action":{"const":`)
	b.WriteString(quote(string(k)))
	b.WriteByte('}')
	for _, f := range fields {
		b.WriteByte(',')
		b.WriteString(quote(f.name))
		b.WriteByte(':')
		writeField(b, f, ix)
		if f.required {
			required = append(required, f.name)
		}
	}
	b.WriteString(`},"required":[`)
	for i, name := range required {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(quote(name))
	}
	b.WriteString(`],"additionalProperties":false}`)
}

func writeField(b *strings.Builder, f field, ix indexBounds) {
	switch f.kind {
	case fieldTarget:
		b.WriteString(`{"oneOf":[`)
		if ix.hi >= 0 {
			b.WriteString(`{"type":"object","properties":{"index":{"type":"integer","minimum":`)
			b.WriteString(strconv.Itoa(ix.lo))
			b.WriteString(`,"maximum":`)
			b.WriteString(strconv.Itoa(ix.hi))
			b.WriteString(`}},"required":["index"],"additionalProperties":false},`)
		}
		b.WriteString(`{"type":"object","properties":{"label":{"type":"string","minLength":1,"pattern":"^\\S","maxLength":`)
		b.WriteString(strconv.Itoa(MaxLabelLen))
		b.WriteString(`}},"required":["label"],"additionalProperties":false}]}`)
	case fieldString:
		b.WriteString(`{"type":"string",`)
		if f.nonEmpty {
			// Parse refuses a blank value; "^\S" keeps a constrained
			// model from writing one (it starts with a visible character).
			b.WriteString(`"minLength":1,"pattern":"^\\S",`)
		}
		b.WriteString(`"maxLength":`)
		b.WriteString(strconv.Itoa(f.max))
		b.WriteByte('}')
	case fieldEnum:
		b.WriteString(`{"type":"string","enum":[`)
		for i, v := range f.enum {
			if i > 0 {
				b.WriteByte(',')
			}
			b.WriteString(quote(v))
		}
		b.WriteString(`]}`)
	case fieldBool:
		b.WriteString(`{"type":"boolean"}`)
	case fieldInt:
		b.WriteString(`{"type":"integer","minimum":0,"maximum":`)
		b.WriteString(strconv.Itoa(f.max))
		b.WriteByte('}')
	}
}

func quote(s string) string {
	q, _ := json.Marshal(s)
	return string(q)
}
