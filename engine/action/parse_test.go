package action

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// validActions are actions in their JSON form that Parse must accept.
var validActions = []string{
	`{"action":"click","target":{"index":7}}`,
	`{"action":"click","target":{"index":0}}`,
	`{"action":"click","target":{"label":"Place order"}}`,
	`{"action":"type","target":{"label":"Email"},"text":"a@b.c"}`,
	`{"action":"type","target":{"index":3},"text":""}`,
	`{"action":"type","target":{"index":3},"text":" more","append":true}`,
	`{"action":"type","target":{"index":3},"text":"x","append":false}`,
	`{"action":"type","target":{"label":"Name"},"text":"Zoë Ünal — 東京"}`,
	`{"action":"select","target":{"label":"Country"},"option":"France"}`,
	`{"action":"check","target":{"label":"Express delivery"}}`,
	`{"action":"uncheck","target":{"index":2}}`,
	`{"action":"press_key","key":"Enter"}`,
	`{"action":"press_key","target":{"index":1},"key":"Tab"}`,
	`{"action":"scroll","direction":"down"}`,
	`{"action":"scroll","target":{"index":4},"direction":"up"}`,
	`{"action":"hover","target":{"label":"Menu"}}`,
	`{"action":"wait_for","text":"Thank you"}`,
	`{"action":"wait_for","target":{"label":"Results"},"timeout_ms":5000}`,
	`{"action":"wait_for","text":"Saved","timeout_ms":0}`,
	`{"action":"extract"}`,
	`{"action":"extract","target":{"index":12}}`,
	`{"action":"navigate","url":"/account"}`,
	`{"action":"ask_user","question":"Which address, home or work?"}`,
	`{"action":"done","answer":"The form is filled in."}`,
	"  {\"action\":\"done\",\"answer\":\"ok\"}\n\t",                                           // surrounding whitespace
	`{"target":{"index":7},"action":"click"}`,                                                 // member order is free in Parse
	`{"action":"type","target":{"index":1},"text":"` + strings.Repeat("é", MaxTextLen) + `"}`, // limit counts characters
}

// invalidActions are malformed actions and the field the error must name.
var invalidActions = []struct {
	json, field string
}{
	{`{"target":{"index":7}}`, "action"},
	{`{"action":"smash","target":{"index":7}}`, "action"},
	{`{"action":7}`, "action"},
	{`{"Action":"click","target":{"index":7}}`, "action"}, // names are case-sensitive
	{`{"action":"click"}`, "target"},
	{`{"action":"click","target":{}}`, "target"},
	{`{"action":"click","target":{"index":1,"label":"Save"}}`, "target"},
	{`{"action":"click","target":{"index":-1}}`, "target.index"},
	{`{"action":"click","target":{"index":1.5}}`, "target.index"},
	{`{"action":"click","target":{"index":"3"}}`, "target.index"},
	{`{"action":"click","target":{"label":"   "}}`, "target"},
	{`{"action":"click","target":{"label":"` + strings.Repeat("a", MaxLabelLen+1) + `"}}`, "target.label"},
	{`{"action":"click","target":{"name":"Save"}}`, "target.name"},
	{`{"action":"click","target":null}`, "target"},
	{`{"action":"click","target":{"index":1},"text":"hi"}`, "text"},
	{`{"action":"click","target":{"index":1},"text":""}`, "text"},
	{`{"action":"click","target":{"index":1},"selector":"#x"}`, "selector"},
	{`{"action":"click","target":{"index":1},"target":{"index":2}}`, "target"},
	{`{"action":"type","target":{"index":1}}`, "text"},
	{`{"action":"type","text":"x"}`, "target"},
	{`{"action":"type","target":{"index":1},"text":"` + strings.Repeat("a", MaxTextLen+1) + `"}`, "text"},
	{`{"action":"type","target":{"index":1},"text":"x","append":"yes"}`, "append"},
	{`{"action":"select","target":{"index":1}}`, "option"},
	{`{"action":"select","target":{"index":1},"option":""}`, "option"},
	{`{"action":"press_key"}`, "key"},
	{`{"action":"press_key","key":"` + strings.Repeat("k", MaxKeyLen+1) + `"}`, "key"},
	{`{"action":"scroll"}`, "direction"},
	{`{"action":"scroll","direction":"left"}`, "direction"},
	{`{"action":"wait_for"}`, "text"},
	{`{"action":"wait_for","text":"x","target":{"index":1}}`, "text"},
	{`{"action":"wait_for","text":"x","timeout_ms":-5}`, "timeout_ms"},
	{`{"action":"wait_for","text":"x","timeout_ms":999999}`, "timeout_ms"},
	{`{"action":"wait_for","target":{"index":1},"text":""}`, "text"},
	{`{"action":"navigate"}`, "url"},
	{`{"action":"navigate","url":"  "}`, "url"},
	{`{"action":"ask_user"}`, "question"},
	{`{"action":"done"}`, "answer"},
	{`{"action":"done","answer":"ok","answer":"no"}`, "answer"},
	{`{"action":"hover","target":{"index":1},"key":"a"}`, "key"},
}

func TestParseAcceptsValidActions(t *testing.T) {
	for _, text := range validActions {
		a, err := Parse(text)
		if err != nil {
			t.Errorf("Parse(%s): %v", text, err)
			continue
		}
		if err := a.Validate(); err != nil {
			t.Errorf("Parse(%s) gave an action Validate rejects: %v", text, err)
		}
	}
}

func TestParseReadsFields(t *testing.T) {
	a, err := Parse(`{"action":"type","target":{"label":"Email"},"text":"a@b.c","append":true}`)
	if err != nil {
		t.Fatal(err)
	}
	if a.Action != Type || a.Target == nil || a.Target.Label != "Email" || a.Target.Index != nil || a.Text != "a@b.c" || !a.Append {
		t.Fatalf("got %+v", a)
	}
	a, err = Parse(`{"action":"click","target":{"index":0}}`)
	if err != nil {
		t.Fatal(err)
	}
	if a.Target == nil || a.Target.Index == nil || *a.Target.Index != 0 {
		t.Fatalf("index 0 lost: %+v", a.Target)
	}
}

func TestParseRejectsWithFieldName(t *testing.T) {
	for _, c := range invalidActions {
		_, err := Parse(c.json)
		if err == nil {
			t.Errorf("Parse(%s) accepted it", c.json)
			continue
		}
		var fe *FieldError
		if !errors.As(err, &fe) {
			t.Errorf("Parse(%s): %v is not a FieldError", c.json, err)
			continue
		}
		if fe.Field != c.field {
			t.Errorf("Parse(%s): error names %q, want %q (%v)", c.json, fe.Field, c.field, err)
		}
		if !strings.Contains(err.Error(), c.field) {
			t.Errorf("Parse(%s): message %q does not name %q", c.json, err, c.field)
		}
	}
}

func TestParseRejectsNonObjectsAndTrailingData(t *testing.T) {
	for _, text := range []string{
		``, `   `, `null`, `[]`, `"click"`, `42`, `{`, `{"action":"click","target":{"index":1}`,
		`{"action":"extract"} {"action":"extract"}`,
		`{"action":"extract"}x`,
		`{"action":"extract"},`,
		`{"action":"extract"}]`,
		`{"action":"done","answer":"ok"}` + "\x00",
	} {
		if a, err := Parse(text); err == nil {
			t.Errorf("Parse(%q) accepted it as %+v", text, a)
		}
	}
}

func TestParseList(t *testing.T) {
	list, err := ParseList(`[{"action":"type","target":{"label":"Email"},"text":"a@b.c"},{"action":"click","target":{"index":7}}]`)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 || list[0].Action != Type || list[1].Action != Click || *list[1].Target.Index != 7 {
		t.Fatalf("got %+v", list)
	}
	if list, err := ParseList(`[]`); err != nil || len(list) != 0 {
		t.Fatalf("empty list: %v %v", list, err)
	}
	_, err = ParseList(`[{"action":"extract"},{"action":"click"}]`)
	if err == nil || !strings.Contains(err.Error(), "action 1") || !strings.Contains(err.Error(), "target") {
		t.Fatalf("want an error naming action 1 and target, got %v", err)
	}
	for _, text := range []string{`{"action":"extract"}`, `null`, `[1]`, `[{"action":"extract"}] []`} {
		if _, err := ParseList(text); err == nil {
			t.Errorf("ParseList(%s) accepted it", text)
		}
	}
	long := "[" + strings.Repeat(`{"action":"extract"},`, MaxListLen) + `{"action":"extract"}]`
	if _, err := ParseList(long); err == nil {
		t.Errorf("ParseList accepted %d actions", MaxListLen+1)
	}
}

func TestValidateGoActions(t *testing.T) {
	one := 1
	bad := []struct {
		a     Action
		field string
	}{
		{Action{Action: "fly"}, "action"},
		{Action{Action: Click}, "target"},
		{Action{Action: Click, Target: &Target{Index: &one}, URL: "/x"}, "url"},
		{Action{Action: Type, Target: &Target{Label: "a"}, Text: "x", Key: "Enter"}, "key"},
		{Action{Action: Scroll, Direction: "sideways"}, "direction"},
		{Action{Action: WaitFor, Text: "  "}, "text"},
		{Action{Action: WaitFor}, "text"},
	}
	for _, c := range bad {
		err := c.a.Validate()
		var fe *FieldError
		if !errors.As(err, &fe) || fe.Field != c.field {
			t.Errorf("Validate(%+v) = %v, want an error naming %q", c.a, err, c.field)
		}
	}
	if err := (Action{Action: Type, Target: &Target{Index: &one}}).Validate(); err != nil {
		t.Errorf("typing empty text (clearing a field) rejected: %v", err)
	}
}

// FuzzParse checks Parse never panics and that what it accepts validates
// and round-trips.
func FuzzParse(f *testing.F) {
	for _, s := range validActions {
		f.Add(s)
	}
	for _, c := range invalidActions {
		f.Add(c.json)
	}
	f.Fuzz(func(t *testing.T, text string) {
		a, err := Parse(text)
		if err != nil {
			return
		}
		if err := a.Validate(); err != nil {
			t.Fatalf("Parse accepted %q but Validate rejects it: %v", text, err)
		}
	})
}

// TestMarshalRoundTrip checks that every valid action encodes to JSON
// Parse reads back as the same action.
func TestMarshalRoundTrip(t *testing.T) {
	for _, text := range validActions {
		a, err := Parse(text)
		if err != nil {
			t.Fatal(err)
		}
		enc, err := json.Marshal(a)
		if err != nil {
			t.Fatal(err)
		}
		b, err := Parse(string(enc))
		if err != nil {
			t.Errorf("%s encodes as %s, which does not parse: %v", text, enc, err)
			continue
		}
		if !reflect.DeepEqual(a, b) {
			t.Errorf("round trip of %s: %+v became %+v", text, a, b)
		}
		if !strings.HasPrefix(string(enc), `{"action":`) {
			t.Errorf("%s does not start with the action", enc)
		}
	}
}
