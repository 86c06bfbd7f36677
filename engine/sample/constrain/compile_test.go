package constrain

import (
	"strings"
	"testing"
)

func TestCompileRefusesWhatItDoesNotSupport(t *testing.T) {
	cases := []struct{ schema, want string }{
		{`{"type":"string","pattern":"a+"}`, `"pattern"`},
		{`{"type":"string","format":"email"}`, `"format"`},
		{`{"$ref":"#/$defs/a"}`, `"$ref"`},
		{`{"allOf":[{"type":"string"}]}`, `"allOf"`},
		{`{"type":"integer","multipleOf":2}`, `"multipleOf"`},
		{`{"type":"number","minimum":0}`, `"minimum" at / does not apply to type number`},
		{`{"type":"object","properties":{"a":{"type":"date"}}}`, `"date" at /properties/a`},
		{`{"type":"object","properties":{"a":{"type":"string","minLength":3,"maxLength":2}}}`, `no length fits`},
		{`{"type":"integer","minimum":5,"maximum":4}`, `empty range`},
		{`{"type":"integer","maximum":1e19}`, `outside the supported`},
		{`{"type":"array"}`, `needs "items"`},
		{`{"enum":[]}`, `non-empty array`},
		{`{"oneOf":[]}`, `non-empty array`},
		{`{"type":"object","required":["x"]}`, `names "x"`},
		{`{"type":"object","additionalProperties":{"type":"string"}}`, `a schema is not supported`},
		{`{"const":1,"minimum":0}`, `"minimum" beside "const"`},
		{`{"type":"string","maxLength":-1}`, `non-negative integer`},
		{`{"oneOf":[{"type":"string"}],"type":"object"}`, `same single type`},
		{`{"title":"no type"}`, `has no "type"`},
		{`true`, `boolean`},
		{`{"type":"string"`, `not valid JSON`},
		{`{"type":"string"} {}`, `not valid JSON`},
		{`{"type":"string","type":"integer"}`, `appears twice`},
		{`{"type":"array","items":{"type":"array","items":{"type":"array","items":{"type":"array","items":{"type":"string"},"maxItems":1000},"maxItems":1000},"maxItems":1000},"maxItems":1000}`, `more than`},
	}
	for _, c := range cases {
		_, err := Compile([]byte(c.schema))
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("Compile(%s) = %v; want an error containing %s", c.schema, err, c.want)
		}
	}
}

func TestCompileKeepsDocumentOrder(t *testing.T) {
	s := mustCompile(t, `{"type":"object","properties":{"z":{"const":1},"a":{"const":2},"m":{"const":3}},"required":["m","a","z"]}`)
	if acc, comp := feedAll(s, `{"z":1,"a":2,"m":3}`); !acc || !comp {
		t.Fatal("the properties' document order is refused")
	}
	if acc, _ := feedAll(s, `{"a":2`); acc {
		t.Fatal("a property out of document order is accepted")
	}
}
