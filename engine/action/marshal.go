package action

import (
	"encoding/json"
	"strconv"
	"strings"
)

// MarshalJSON writes an action in its canonical form: "action" first,
// then the kind's fields in schema order, required ones always (so
// clearing a field, {"action":"type",…,"text":""}, survives a round trip)
// and optional ones when set. An action of an unknown kind is written
// with its non-empty fields.
func (a Action) MarshalJSON() ([]byte, error) {
	fields, ok := kindFields[a.Action]
	if !ok {
		type plain Action // no methods: the default encoding
		return json.Marshal(plain(a))
	}
	var b strings.Builder
	b.WriteString(`{"action":`)
	b.WriteString(quote(string(a.Action)))
	for _, f := range fields {
		var value string
		switch f.kind {
		case fieldTarget:
			if a.Target == nil {
				continue
			}
			t, err := json.Marshal(a.Target)
			if err != nil {
				return nil, err
			}
			value = string(t)
		case fieldString, fieldEnum:
			s := a.stringField(f.name)
			if s == "" && !f.required {
				continue
			}
			value = quote(s)
		case fieldBool:
			if !a.Append {
				continue
			}
			value = "true"
		case fieldInt:
			if a.TimeoutMS == 0 {
				continue
			}
			value = strconv.Itoa(a.TimeoutMS)
		}
		b.WriteString("," + quote(f.name) + ":" + value)
	}
	b.WriteByte('}')
	return []byte(b.String()), nil
}
