package action

import (
	"bytes"
	"encoding/json"
	"math/rand"
	"strconv"
	"strings"
	"testing"
)

func mustSchema(t *testing.T, doc []byte) *jnode {
	t.Helper()
	if !json.Valid(doc) {
		t.Fatalf("schema is not valid JSON: %s", doc)
	}
	var compact bytes.Buffer
	if err := json.Compact(&compact, doc); err != nil || !bytes.Equal(compact.Bytes(), doc) {
		t.Fatalf("schema is not compact JSON")
	}
	s, err := parseOrdered(doc)
	if err != nil {
		t.Fatal(err)
	}
	if err := checkSubset(s, "$"); err != nil {
		t.Fatalf("schema leaves the subset: %v", err)
	}
	return s
}

// schemaKinds lists the action kinds of a schema's variants in order,
// checking that each variant starts with the "action" const.
func schemaKinds(t *testing.T, s *jnode) []Kind {
	t.Helper()
	var kinds []Kind
	for i, v := range s.get("oneOf").items {
		props := v.get("properties")
		if props == nil || len(props.members) == 0 || props.members[0].key != "action" {
			t.Fatalf("variant %d does not start with the action property", i)
		}
		c := props.members[0].value.get("const")
		if c == nil {
			t.Fatalf("variant %d: action is not a const", i)
		}
		kinds = append(kinds, Kind(c.str))
	}
	return kinds
}

func TestSchemaListsEveryKindOnceInOrder(t *testing.T) {
	s := mustSchema(t, Schema())
	var got []Kind
	for _, k := range schemaKinds(t, s) {
		if len(got) == 0 || got[len(got)-1] != k { // wait_for has two variants
			got = append(got, k)
		}
	}
	if len(got) != len(Kinds) {
		t.Fatalf("schema has %d variants, the action set %d", len(got), len(Kinds))
	}
	for i, k := range Kinds {
		if got[i] != k {
			t.Errorf("variant %d is %q, want %q", i, got[i], k)
		}
	}
}

func TestSchemaDescribesEveryParsedAction(t *testing.T) {
	s := mustSchema(t, Schema())
	for _, text := range validActions {
		a, err := Parse(text)
		if err != nil {
			t.Fatalf("Parse(%s): %v", text, err)
		}
		// Both the text as given and the action re-encoded by Go.
		enc, _ := json.Marshal(a)
		for _, doc := range []string{text, string(enc)} {
			v, err := parseOrdered([]byte(doc))
			if err != nil {
				t.Fatal(err)
			}
			if !validates(s, v) {
				t.Errorf("Parse accepts %s but the schema does not describe it", doc)
			}
		}
	}
}

func TestSchemaRejectsMalformedActions(t *testing.T) {
	s := mustSchema(t, Schema())
	for _, c := range invalidActions {
		v, err := parseOrdered([]byte(c.json))
		if err != nil { // duplicate keys: not a JSON document the schema could describe
			continue
		}
		if validates(s, v) {
			t.Errorf("the schema admits %s, which Parse refuses", c.json)
		}
	}
}

// TestSchemaInstancesParse generates random instances of the schema and
// checks Parse accepts them all:
// with the test above, the schema and Parse describe the same language.
func TestSchemaInstancesParse(t *testing.T) {
	s := mustSchema(t, Schema())
	rng := rand.New(rand.NewSource(5))
	seen := map[Kind]int{}
	for i := 0; i < 3000; i++ {
		doc := generate(rng, s)
		a, err := Parse(doc)
		if err != nil {
			t.Fatalf("schema instance %s does not parse: %v", doc, err)
		}
		seen[a.Action]++
	}
	for _, k := range Kinds {
		if seen[k] == 0 {
			t.Errorf("no generated %s action parsed", k)
		}
	}
}

// generate writes a random instance of schema s, members in schema order.
func generate(rng *rand.Rand, s *jnode) string {
	if one := s.get("oneOf"); one != nil {
		return generate(rng, one.items[rng.Intn(len(one.items))])
	}
	if c := s.get("const"); c != nil {
		return strconv.Quote(c.str)
	}
	switch s.get("type").str {
	case "object":
		required := map[string]bool{}
		for _, r := range s.get("required").items {
			required[r.str] = true
		}
		var parts []string
		for _, m := range s.get("properties").members {
			if required[m.key] || rng.Intn(2) == 0 {
				parts = append(parts, strconv.Quote(m.key)+":"+generate(rng, m.value))
			}
		}
		return "{" + strings.Join(parts, ",") + "}"
	case "string":
		if e := s.get("enum"); e != nil {
			return strconv.Quote(e.items[rng.Intn(len(e.items))].str)
		}
		lo, hi := intKeyword(s, "minLength", 0), intKeyword(s, "maxLength", 0)
		n := lo + rng.Intn(hi-lo+1)
		pool := []rune(`abcXYZ 09"\é東-`)
		var b strings.Builder
		for j := 0; j < n; j++ {
			if j == 0 {
				b.WriteRune('a' + rune(rng.Intn(26))) // not blank
				continue
			}
			b.WriteRune(pool[rng.Intn(len(pool))])
		}
		q, _ := json.Marshal(b.String())
		return string(q)
	case "integer":
		lo, hi := intKeyword(s, "minimum", 0), intKeyword(s, "maximum", 0)
		return strconv.Itoa(lo + rng.Intn(hi-lo+1))
	case "boolean":
		return strconv.FormatBool(rng.Intn(2) == 0)
	}
	return "null"
}

func TestSchemaForBoundsIndexAndKinds(t *testing.T) {
	obs := Observation{URL: "http://127.0.0.1/", Elements: []Element{{Index: 2, Role: "button", Name: "A"}, {Index: 5, Role: "button", Name: "B"}, {Index: 3, Role: "link", Name: "C"}}}
	pol := Policy{AllowActions: []Kind{Click, Type}, DenyActions: []Kind{Type}}
	s := mustSchema(t, SchemaFor(obs, pol))
	kinds := schemaKinds(t, s)
	if len(kinds) != 2 || kinds[0] != Click || kinds[1] != Done {
		t.Fatalf("kinds %v, want [click done]", kinds)
	}
	for _, c := range []struct {
		doc string
		ok  bool
	}{
		{`{"action":"click","target":{"index":5}}`, true},
		{`{"action":"click","target":{"index":2}}`, true},
		{`{"action":"click","target":{"index":1}}`, false}, // below the page's first index
		{`{"action":"click","target":{"index":6}}`, false},
		{`{"action":"click","target":{"label":"B"}}`, true},
		{`{"action":"type","target":{"index":0},"text":"x"}`, false},
		{`{"action":"navigate","url":"/x"}`, false},
		{`{"action":"done","answer":"ok"}`, true},
	} {
		v, _ := parseOrdered([]byte(c.doc))
		if got := validates(s, v); got != c.ok {
			t.Errorf("SchemaFor validates %s: %v, want %v", c.doc, got, c.ok)
		}
	}

	// No elements: nothing to name by index, and no kind that needs a target.
	empty := mustSchema(t, SchemaFor(Observation{}, Policy{}))
	for _, k := range schemaKinds(t, empty) {
		if NeedsTarget(k) {
			t.Errorf("SchemaFor an empty page offers %s", k)
		}
	}
	if bytes.Contains(SchemaFor(Observation{}, Policy{}), []byte(`"index"`)) {
		t.Errorf("SchemaFor an empty page offers index targets")
	}
}

// FuzzParseWithinSchema checks, on arbitrary input, that whatever Parse
// accepts the schema describes.
func FuzzParseWithinSchema(f *testing.F) {
	for _, s := range validActions {
		f.Add(s)
	}
	for _, c := range invalidActions {
		f.Add(c.json)
	}
	schema, err := parseOrdered(Schema())
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, text string) {
		if _, err := Parse(text); err != nil {
			return
		}
		v, err := parseOrdered([]byte(text))
		if err != nil {
			t.Fatalf("Parse accepted %q, which is not one JSON document: %v", text, err)
		}
		if !validates(schema, v) {
			t.Fatalf("Parse accepted %q, which the schema does not describe", text)
		}
	})
}
