package constrain

import (
	"strings"
	"testing"
)

// feedAll reports whether doc is accepted byte by byte and complete.
func feedAll(s *Schema, doc string) (accepted, complete bool) {
	st := s.NewState()
	if st.Feed([]byte(doc)) != nil {
		return false, false
	}
	return true, st.Complete()
}

func TestStateAcceptsAndRejects(t *testing.T) {
	cases := []struct {
		name, schema string
		good, bad    []string // bad: not a complete valid document in our compact form
	}{
		{
			name:   "optional properties",
			schema: `{"type":"object","properties":{"a":{"type":"integer"},"b":{"type":"boolean"},"c":{"type":"null"}},"required":["b"],"additionalProperties":false}`,
			good:   []string{`{"b":true}`, `{"a":1,"b":false}`, `{"b":true,"c":null}`, `{"a":-7,"b":true,"c":null}`},
			bad:    []string{`{}`, `{"a":1}`, `{"b":true,"a":1}`, `{"b":true,}`, `{,"b":true}`, `{"b": true}`, `{"c":null,"b":true}`, `{"b":true}x`},
		},
		{
			name:   "a string that starts solid",
			schema: `{"type":"string","maxLength":5,"pattern":"^\\S"}`,
			good:   []string{`"a"`, `"a b"`, `"é "`, `"東"`, `"-\t"`},
			bad:    []string{`""`, `" a"`, `"\ta"`, `"\u0041"`, `"\u00a0"`, "\"\u00a0x\"", "\"\u3000x\"", `"abcdef"`},
		},
		{
			name:   "all optional",
			schema: `{"type":"object","properties":{"a":{"type":"boolean"},"b":{"type":"boolean"}}}`,
			good:   []string{`{}`, `{"a":true}`, `{"b":false}`, `{"a":true,"b":true}`},
			bad:    []string{`{,}`, `{"a":true,}`, `{"b":true,"a":true}`},
		},
		{
			name:   "enums sharing prefixes",
			schema: `{"enum":["a","ab","abc",1,12,true,null,{"k":[1,2]}]}`,
			good:   []string{`"a"`, `"ab"`, `"abc"`, `1`, `12`, `true`, `null`, `{"k":[1,2]}`},
			bad:    []string{`"abcd"`, `"b"`, `123`, `2`, `false`, `{"k":[1]}`, `"a"x`},
		},
		{
			name:   "integer bounds",
			schema: `{"type":"integer","minimum":-15,"maximum":120}`,
			good:   []string{`0`, `-15`, `-9`, `-1`, `7`, `12`, `99`, `100`, `120`},
			bad:    []string{`-16`, `-0`, `121`, `130`, `007`, `01`, `1.5`, `-`, `1e2`, `200`, `-20`},
		},
		{
			name:   "positive integers",
			schema: `{"type":"integer","minimum":10,"maximum":12}`,
			good:   []string{`10`, `11`, `12`},
			bad:    []string{`0`, `1`, `9`, `13`, `-10`, `100`},
		},
		{
			name:   "exclusive bounds",
			schema: `{"type":"integer","exclusiveMinimum":0,"exclusiveMaximum":3}`,
			good:   []string{`1`, `2`},
			bad:    []string{`0`, `3`, `-1`},
		},
		{
			name:   "numbers",
			schema: `{"type":"number"}`,
			good:   []string{`0`, `-0`, `1.5`, `-12.25e+10`, `3E-2`, `0.001`, `123456789012345`},
			bad:    []string{`01`, `1.`, `.5`, `+1`, `1e`, `1e123`, `1234567890123456`, `NaN`, `--1`},
		},
		{
			name:   "string lengths count characters",
			schema: `{"type":"string","minLength":2,"maxLength":3}`,
			good:   []string{`"ab"`, `"abc"`, `"é€"`, `"😀😀😀"`, `"a\nb"`, `"\"\\"`, `"\u00e9x"`, `"a\/"`},
			bad:    []string{`"a"`, `"abcd"`, `"é€😀a"`, `"\u00e9"`, `"ab`, "\"a\tb\"", `"a\x"`, `"\ud83d\ude00x"`},
		},
		{
			name:   "invalid UTF-8 is refused",
			schema: `{"type":"string"}`,
			good:   []string{"\"\xed\x9f\xbf\"", "\"\xf4\x8f\xbf\xbf\"", "\"\xe0\xa0\x80\""},
			bad:    []string{"\"\xc0\xaf\"", "\"\xed\xa0\x80\"", "\"\xf4\x90\x80\x80\"", "\"\xe0\x80\xaf\"", "\"\xff\"", "\"\x80\"", "\"\xe2\x82\""},
		},
		{
			name:   "arrays",
			schema: `{"type":"array","items":{"type":"integer","minimum":0,"maximum":9},"minItems":1,"maxItems":3}`,
			good:   []string{`[1]`, `[1,2]`, `[0,0,9]`},
			bad:    []string{`[]`, `[1,2,3,4]`, `[1,]`, `[,1]`, `[10]`},
		},
		{
			name:   "oneOf nested objects",
			schema: `{"oneOf":[{"type":"object","properties":{"t":{"const":"x"},"v":{"type":"integer","minimum":0,"maximum":5}},"required":["t","v"]},{"type":"object","properties":{"t":{"const":"y"},"w":{"type":"array","items":{"type":"string","maxLength":2},"maxItems":2}},"required":["t"]}]}`,
			good:   []string{`{"t":"x","v":5}`, `{"t":"y"}`, `{"t":"y","w":[]}`, `{"t":"y","w":["ab",""]}`},
			bad:    []string{`{"t":"x"}`, `{"t":"x","w":[]}`, `{"t":"y","v":1}`, `{"t":"y","w":["abc"]}`, `{"t":"z"}`},
		},
		{
			name:   "type lists",
			schema: `{"type":["string","null"],"maxLength":1}`,
			good:   []string{`null`, `""`, `"a"`},
			bad:    []string{`"ab"`, `nul`, `0`},
		},
		{
			name:   "default string bound",
			schema: `{"type":"string"}`,
			good:   []string{`"` + strings.Repeat("a", DefaultMaxLength) + `"`},
			bad:    []string{`"` + strings.Repeat("a", DefaultMaxLength+1) + `"`},
		},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := mustCompile(t, c.schema)
			for _, doc := range c.good {
				if acc, comp := feedAll(s, doc); !acc || !comp {
					t.Errorf("%s: accepted %v, complete %v; want a complete document", doc, acc, comp)
				}
				if err := validateDoc([]byte(c.schema), []byte(doc)); err != nil && c.name != "default string bound" {
					t.Errorf("the test's own checker refuses good document %s: %v", doc, err)
				}
			}
			for _, doc := range c.bad {
				if acc, comp := feedAll(s, doc); acc && comp {
					t.Errorf("%s: accepted as a complete document; want it refused", doc)
				}
			}
		})
	}
}

func TestStateFeedErrorLeavesStateAlone(t *testing.T) {
	s := mustCompile(t, `{"type":"object","properties":{"a":{"type":"string","maxLength":2}},"required":["a"]}`)
	st := s.NewState()
	if err := st.Feed([]byte(`{"a":"x`)); err != nil {
		t.Fatal(err)
	}
	err := st.Feed([]byte(`yz"}`)) // 'z' would be the third character
	if err == nil || !strings.Contains(err.Error(), "offset 8") {
		t.Fatalf("Feed past maxLength: err = %v, want an error at offset 8", err)
	}
	if err := st.Feed([]byte(`yz"}`)); err == nil {
		t.Fatal("the failed Feed changed the state")
	}
	if err := st.Feed([]byte(`y"}`)); err != nil || !st.Done() {
		t.Fatalf("Feed after a failure: %v, done %v", err, st.Done())
	}
}

func TestDone(t *testing.T) {
	s := mustCompile(t, `{"type":"integer","minimum":0,"maximum":50}`)
	st := s.NewState()
	must := func(err error) {
		if err != nil {
			t.Fatal(err)
		}
	}
	must(st.Feed([]byte("4")))
	if !st.Complete() || st.Done() {
		t.Fatalf(`"4": complete %v done %v; want complete, not done ("40" may follow)`, st.Complete(), st.Done())
	}
	must(st.Feed([]byte("5")))
	if !st.Done() {
		t.Fatal(`"45" is not done; no digit can follow`)
	}
	obj := mustCompile(t, `{"type":"object","properties":{"a":{"type":"boolean"}}}`).NewState()
	must(obj.Feed([]byte(`{}`)))
	if !obj.Done() {
		t.Fatal(`"{}" is not done`)
	}
}
