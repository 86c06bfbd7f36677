package constrain

import (
	"maps"
	"slices"
	"testing"
)

// FuzzCompile: no schema text makes Compile panic; whatever it accepts
// yields a matcher whose initial state can reach a complete document.
func FuzzCompile(f *testing.F) {
	for _, s := range trickySchemas {
		f.Add([]byte(s))
	}
	f.Add([]byte(`{"type":"array","items":{"enum":[null,[],{}]},"maxItems":2}`))
	f.Add([]byte(`{"anyOf":[{"type":"integer","exclusiveMaximum":-5},{"const":"\u2028"}]}`))
	f.Fuzz(func(t *testing.T, schema []byte) {
		s, err := Compile(schema)
		if err != nil || s.States() > 20000 {
			return
		}
		// Greedy walk over single bytes: always some byte continues
		// until the document is complete.
		st := s.NewState()
		for i := 0; !st.Complete(); i++ {
			if i > 100000 {
				t.Fatal("no complete document within 100000 bytes")
			}
			progressed := false
			for b := 0; b < 256 && !progressed; b++ {
				if st.Accepts([]byte{byte(b)}) {
					progressed = st.Feed([]byte{byte(b)}) == nil
				}
			}
			if !progressed {
				t.Fatalf("schema %s: stuck after %d bytes", schema, st.Len())
			}
		}
	})
}

// FuzzDocuments: every text the matcher takes as a complete document
// parses and validates (by the independent checker).
func FuzzDocuments(f *testing.F) {
	names := slices.Sorted(maps.Keys(trickySchemas))
	for i, doc := range []string{`{"c":true}`, `{"a":-3,"b":"x","c":false,"d":null}`, `{"k":"En"}`, `["a","\u00e9"]`,
		`{"n":-0.5e+12,"i":-999}`, `{"kind":"a","items":[{"x":1},{"y":null}]}`} {
		f.Add(uint8(i), []byte(doc))
	}
	compiled := map[string]*Schema{}
	for name, s := range trickySchemas {
		compiled[name] = mustCompile(f, s)
	}
	f.Fuzz(func(t *testing.T, which uint8, doc []byte) {
		name := names[int(which)%len(names)]
		st := compiled[name].NewState()
		if st.Feed(doc) != nil || !st.Complete() {
			return
		}
		if err := validateDoc([]byte(trickySchemas[name]), doc); err != nil {
			t.Fatalf("%s: the matcher takes %q as complete, but: %v", name, doc, err)
		}
	})
}
