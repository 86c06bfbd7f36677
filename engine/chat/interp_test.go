package chat

import (
	"strings"
	"testing"
)

// TestPythonCases renders each small feature template and compares with
// what Python's Jinja2 printed for it (python_cases_test.go).
func TestPythonCases(t *testing.T) {
	for _, c := range pythonCases {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := Parse(c.template)
			if err != nil {
				t.Fatal(err)
			}
			vars, err := fromJSON(c.vars)
			if err != nil {
				t.Fatal(err)
			}
			got, err := tmpl.run(vars.(*pyDict), fixedNow, Limits{})
			if err != nil {
				t.Fatal(err)
			}
			if got != c.want {
				t.Errorf("template %q\n got  %q\n want %q", c.template, got, c.want)
			}
		})
	}
}

func render(t *testing.T, src string, vars map[string]any) (string, error) {
	t.Helper()
	tmpl, err := Parse(src)
	if err != nil {
		return "", err
	}
	return tmpl.Execute(vars, fixedNow, Limits{})
}

func mustRender(t *testing.T, src string, vars map[string]any) string {
	t.Helper()
	out, err := render(t, src, vars)
	if err != nil {
		t.Fatalf("%q: %v", src, err)
	}
	return out
}

func TestLexerTokens(t *testing.T) {
	toks, err := lex("a {{ x.y[0] | f(1, k='v') }} b {%- if n >= 2.5e1 -%}\n c {% endif %}{# note #}\n")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, tok := range toks {
		switch tok.kind {
		case tokText:
			got = append(got, "T("+tok.text+")")
		case tokVarBegin:
			got = append(got, "{{")
		case tokVarEnd:
			got = append(got, "}}")
		case tokBlockBegin:
			got = append(got, "{%")
		case tokBlockEnd:
			got = append(got, "%}")
		case tokString:
			got = append(got, "S("+tok.text+")")
		case tokEOF:
			got = append(got, "EOF")
		default:
			got = append(got, tok.text)
		}
	}
	want := "T(a ) {{ x . y [ 0 ] | f ( 1 , k = S(v) ) }} T( b) {% if n >= 2.5e1 %} T(c ) {% endif %} EOF"
	if strings.Join(got, " ") != want {
		t.Errorf("tokens\n got  %s\n want %s", strings.Join(got, " "), want)
	}
}

func TestLexerPositions(t *testing.T) {
	toks, err := lex("line one\n  {{ name }}\n{% if é %}")
	if err != nil {
		t.Fatal(err)
	}
	for _, tok := range toks {
		switch tok.text {
		case "name":
			if tok.line != 2 || tok.col != 6 {
				t.Errorf("name at %d:%d, want 2:6", tok.line, tok.col)
			}
		case "é":
			if tok.line != 3 || tok.col != 7 {
				t.Errorf("é at %d:%d, want 3:7", tok.line, tok.col)
			}
		}
	}
}

func TestExpressions(t *testing.T) {
	cases := []struct{ src, want string }{
		{"{{ 1 + 2 * 3 - 4 / 2 }}", "5.0"},
		{"{{ 10 // 3 }} {{ 10 % 3 }} {{ 2 ** 10 }}", "3 1 1024"},
		{"{{ 'a' ~ 1 ~ 2.5 }}", "a12.5"},
		{"{{ x.y.z }}", "deep"},
		{"{{ x['y']['z'] }}", "deep"},
		{"{{ items[1:] }}", "[2, 3]"},
		{"{{ items | length > 2 and 'long' or 'short' }}", "long"},
		{"{{ 'yes' if 3 in items else 'no' }}", "yes"},
		{"{{ not items }}", "False"},
		{"{{ items | map('string') | join('-') }}", "1-2-3"},
		{"{{ {'k': items[0]}['k'] }}", "1"},
		{"{{ (items | first, items | last) }}", "(1, 3)"},
		{"{{ 1 < 2 <= 2 < 3 }}", "True"},
		{"{{ name is defined }} {{ missing is defined }}", "True False"},
	}
	vars := map[string]any{
		"x":     map[string]any{"y": map[string]any{"z": "deep"}},
		"items": []any{1, 2, 3},
		"name":  "n",
	}
	for _, c := range cases {
		if got := mustRender(t, c.src, vars); got != c.want {
			t.Errorf("%s = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestWhitespaceControl(t *testing.T) {
	cases := []struct{ src, want string }{
		// trim_blocks: the newline after a block tag goes.
		{"{% if true %}\nx\n{% endif %}\ny", "x\ny"},
		// lstrip_blocks: indentation before a block tag goes, not before {{ }}.
		{"a\n    {% if true %}b{% endif %}\n    {{ 'c' }}", "a\nb    c"},
		// "-" strips all whitespace on its side, newlines included.
		{"a  \n\n  {%- if true -%}  \n\n  b{% endif %}", "ab"},
		// "+" keeps what lstrip_blocks and trim_blocks would take.
		{"a\n  {%+ if true +%}\nb{% endif %}", "a\n  \nb"},
		// A comment behaves like a block tag.
		{"a\n  {# c #}\nb", "a\nb"},
		// One trailing newline of the source is dropped, not two.
		{"x\n\n", "x\n"},
		// Windows newlines read as "\n".
		{"a\r\n{% if true %}\r\nb{% endif %}", "a\nb"},
	}
	for _, c := range cases {
		if got := mustRender(t, c.src, nil); got != c.want {
			t.Errorf("%q renders %q, want %q", c.src, got, c.want)
		}
	}
}

func TestFilters(t *testing.T) {
	vars := map[string]any{
		"tools": []any{
			map[string]any{"name": "b", "kind": "x"},
			map[string]any{"name": "a", "kind": "y"},
		},
		"text": "  Hello World  ",
	}
	cases := []struct{ src, want string }{
		{"{{ text | trim | lower }}", "hello world"},
		{"{{ text | trim | upper | replace('WORLD', 'there') }}", "HELLO there"},
		{"{{ tools | map(attribute='name') | sort | join(',') }}", "a,b"},
		{"{{ tools | selectattr('kind', 'equalto', 'y') | map(attribute='name') | first }}", "a"},
		{"{{ tools | rejectattr('kind', 'equalto', 'y') | list | length }}", "1"},
		{"{{ tools[0] | tojson }}", `{"kind": "x", "name": "b"}`},
		{"{{ tools[0] | tojson(indent=2) }}", "{\n  \"kind\": \"x\",\n  \"name\": \"b\"\n}"},
		{"{{ missing | default('fallback') }}", "fallback"},
		{"{{ '' | default('fallback', true) }}", "fallback"},
		{"{{ 'a\nb' | indent(2, first=true) }}", "  a\n  b"},
		{"{{ '3' | int + 1 }} {{ '2.5' | float * 2 }}", "4 5.0"},
		{"{{ {'b': 1, 'a': 2} | dictsort | first }}", "('a', 2)"},
		{"{{ [3, 1, 2] | sort(reverse=true) }}", "[3, 2, 1]"},
		{"{{ ['a', 'A', 'b'] | unique | list }}", "['a', 'b']"},
		{"{{ '{\"x\": [1, 2.5]}' | from_json }}", "{'x': [1, 2.5]}"},
	}
	for _, c := range cases {
		if got := mustRender(t, c.src, vars); got != c.want {
			t.Errorf("%s = %q, want %q", c.src, got, c.want)
		}
	}
}

func TestStatements(t *testing.T) {
	cases := []struct{ src, want string }{
		{"{% for m in ['a', 'b'] %}{{ loop.index }}{{ m }}{% if not loop.last %},{% endif %}{% endfor %}", "1a,2b"},
		{"{% set ns = namespace(n=0) %}{% for i in range(5) %}{% set ns.n = ns.n + i %}{% endfor %}{{ ns.n }}", "10"},
		{"{% set x = 1 %}{% for i in [1] %}{% set x = 2 %}{% endfor %}{{ x }}", "1"},
		{"{% macro tag(name, body='') %}<{{ name }}>{{ body }}</{{ name }}>{% endmacro %}{{ tag('b', body='x') }}", "<b>x</b>"},
		{"{% for i in range(10) %}{% if i is odd %}{% continue %}{% endif %}{% if i > 6 %}{% break %}{% endif %}{{ i }}{% endfor %}", "0246"},
		{"{% set block %}a{{ 1 }}b{% endset %}{{ block | length }}", "3"},
		{"{% filter upper %}x{{ 'y' }}{% endfilter %}", "XY"},
		{"{% generation %}kept{% endgeneration %}", "kept"},
		{"{% raw %}{{ x }}{% endraw %}", "{{ x }}"},
	}
	for _, c := range cases {
		if got := mustRender(t, c.src, nil); got != c.want {
			t.Errorf("%s = %q, want %q", c.src, got, c.want)
		}
	}
}
