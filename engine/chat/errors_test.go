package chat

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestSyntaxErrors(t *testing.T) {
	cases := []struct {
		src       string
		line, col int
		want      string
	}{
		{"a\n{{ x | nofilter }}", 2, 8, `unknown filter "nofilter"`},
		{"{{ x is nosuchtest }}", 1, 9, `unknown test "nosuchtest"`},
		{"{% foo %}", 1, 4, "unknown tag 'foo'"},
		{"{% endfor %}", 1, 4, "unexpected 'endfor'"},
		{"{% if a %}{% else %}{% elif b %}{% endif %}", 1, 24, "unexpected 'elif'"},
		{"line1\n{% if x %}\nbody", 2, 4, "missing {% endif %}"},
		{"{{ 1 + }}", 1, 7, "unexpected end of print statement"},
		{"{{ 'abc }}", 1, 4, "unterminated string"},
		{"{% break %}", 1, 4, "'break' outside of a loop"},
		{"x\n\n  {{ y ", 3, 3, "unclosed tag"},
		{"{# never closed", 1, 1, "unclosed comment"},
		{"{% set 1 = 2 %}", 1, 8, "expected a name"},
		{"{{ f(a=1, 2) }}", 1, 11, "positional argument follows keyword argument"},
		{"{% for x in y recursive %}{% endfor %}", 1, 15, "recursive loops are not supported"},
		{"{{ 99999999999999999999 }}", 1, 4, "too large"},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("Parse(%q) = %v, want an *Error", c.src, err)
			continue
		}
		if e.Line != c.line || e.Col != c.col || !strings.Contains(e.Msg, c.want) {
			t.Errorf("Parse(%q): got line %d col %d %q, want line %d col %d containing %q", c.src, e.Line, e.Col, e.Msg, c.line, c.col, c.want)
		}
		if !strings.HasPrefix(err.Error(), "chat: template line ") {
			t.Errorf("Parse(%q) error %q does not name the line", c.src, err)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	cases := []struct {
		src  string
		line int
		want string
	}{
		{"ok\n{{ 'a' + 1 }}", 2, `can only concatenate str (not "int") to str`},
		{"{{ 1 + none }}", 1, "unsupported operand type(s) for +: 'int' and 'NoneType'"},
		{"\n\n{{ nope.attr }}", 3, "'nope' is undefined"},
		{"{{ d.missing.deeper }}", 1, "'dict object' has no attribute 'missing'"},
		{"{{ 1 // 0 }}", 1, "integer division or modulo by zero"},
		{"{% for x in 5 %}{% endfor %}", 1, "'int' object is not iterable"},
		{"{% set a, b = [1] %}", 1, "not enough values to unpack (expected 2, got 1)"},
		{"{% set x = {} %}\n{% set x.y = 1 %}", 2, "cannot assign attribute on non-namespace object"},
		{"{% macro m(a) %}{% endmacro %}{{ m(1, 2) }}", 1, "macro 'm' takes not more than 1 argument(s)"},
		{"{{ none | length }}", 1, "object of type 'NoneType' has no len()"},
		{"{{ x | tojson }}", 1, "not JSON serializable"},
		{"{{ [1, 'a'] | sort }}", 1, "'<' not supported between instances of 'str' and 'int'"},
		{"{% if true %}\n  {% for m in [1] %}\n    {{ m.nope() }}\n  {% endfor %}\n{% endif %}", 3, "'int object' has no attribute 'nope'"},
		{"{{ 'x'.split('') }}", 1, "empty separator"},
		{"{{ '{} {}'.format(1) }}", 1, "out of range"},
	}
	for _, c := range cases {
		_, err := render(t, c.src, map[string]any{"d": map[string]any{}})
		var e *Error
		if !errors.As(err, &e) {
			t.Errorf("%q: got %v, want an *Error", c.src, err)
			continue
		}
		if e.Line != c.line || e.Col != 0 || !strings.Contains(e.Msg, c.want) || e.Raised {
			t.Errorf("%q: got line %d %q, want line %d containing %q", c.src, e.Line, e.Msg, c.line, c.want)
		}
	}
}

func TestRaiseException(t *testing.T) {
	src := "{%- for m in messages %}\n" +
		"  {%- if loop.index0 is odd and m.role != 'assistant' %}\n" +
		"    {{- raise_exception('Conversation roles must alternate') }}\n" +
		"  {%- endif %}\n" +
		"{%- endfor %}"
	tmpl, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	_, err = tmpl.Render([]Message{{Role: "user", Content: "a"}, {Role: "user", Content: "b"}}, Options{})
	var e *Error
	if !errors.As(err, &e) || !e.Raised || e.Msg != "Conversation roles must alternate" || e.Line != 3 {
		t.Fatalf("got %#v", err)
	}
	if want := `chat: template line 3: raise_exception: "Conversation roles must alternate"`; err.Error() != want {
		t.Errorf("got %q, want %q", err.Error(), want)
	}
	if _, err := tmpl.Render([]Message{{Role: "user", Content: "a"}, {Role: "assistant", Content: "b"}}, Options{}); err != nil {
		t.Errorf("alternating roles: %v", err)
	}
}

// TestLimits runs templates that would hang or exhaust memory: each must
// stop quickly with an error wrapping ErrLimit.
func TestLimits(t *testing.T) {
	cases := []struct{ name, src string }{
		{"nested loops", "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}"},
		{"recursion", "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}"},
		{"mutual recursion", "{% macro a() %}{{ b() }}{% endmacro %}{% macro b() %}{{ a() }}{% endmacro %}{{ a() }}"},
		{"huge repetition", "{{ 'x' * 1000000000 }}"},
		{"doubling string", "{% set ns = namespace(s='x') %}{% for i in range(100) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}"},
		{"huge range", "{{ range(1000000000000) | length }}"},
		{"huge list", "{{ ([0] * 100000) * 100000 }}"},
		{"output", "{% for i in range(1000000) %}{{ 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' }}{% endfor %}"},
		{"growing list", "{% set ns = namespace(l=[1]) %}{% for i in range(60) %}{% set ns.l = ns.l + ns.l %}{% endfor %}"},
		{"many big strings", "{% for i in range(100000) %}{% set s = 'x' * 10000000 %}{% endfor %}"},
		{"replace blowup", "{% set ns = namespace(s='ab') %}{% for i in range(40) %}{% set ns.s = ns.s.replace('a', 'aa') %}{% endfor %}"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			tmpl, err := Parse(c.src)
			if err != nil {
				t.Fatal(err)
			}
			start := time.Now()
			_, err = tmpl.Execute(nil, fixedNow, Limits{MaxOutputBytes: 1 << 20, MaxSteps: 1_000_000})
			if !errors.Is(err, ErrLimit) {
				t.Fatalf("got %v, want a limit error", err)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("took %v to hit the limit", d)
			}
		})
	}
}

func TestDeepNestingIsAnError(t *testing.T) {
	for _, src := range []string{
		"{{ " + strings.Repeat("(", 5000) + "1" + strings.Repeat(")", 5000) + " }}",
		"{{ " + strings.Repeat("not ", 5000) + "x }}",
		"{{ " + strings.Repeat("-", 5000) + "1 }}",
		strings.Repeat("{% if true %}", 5000) + strings.Repeat("{% endif %}", 5000),
		"{{ " + strings.Repeat("[", 5000) + strings.Repeat("]", 5000) + " }}",
	} {
		_, err := Parse(src)
		if !errors.Is(err, ErrLimit) {
			t.Errorf("Parse(%.30q…) = %v, want a nesting limit error", src, err)
		}
	}
}

// TestSelfContainingValues prints and serializes a list that contains
// itself, as Python does ([[...]]) or with an error (tojson).
func TestSelfContainingValues(t *testing.T) {
	src := "{% set l = [1] %}{% set _ = l.append(l) %}{{ l }}"
	if got := mustRender(t, src, nil); got != "[1, [...]]" {
		t.Errorf("got %q", got)
	}
	_, err := render(t, "{% set l = [1] %}{% set _ = l.append(l) %}{{ l | tojson }}", nil)
	if err == nil || !strings.Contains(err.Error(), "circular reference") {
		t.Errorf("tojson of a cycle: %v", err)
	}
}

func TestBadInputsNeverPanic(t *testing.T) {
	for _, src := range []string{
		"", "{", "{{", "{%", "{#", "}}", "%}", "{{}}", "{%%}", "{% %}", "{{ . }}", "{{ x. }}", "{{ x[ }}",
		"{{ x[:] }}", "{% for %}", "{% for x %}", "{% for x in %}", "{% set %}", "{% set x %}", "{% macro %}",
		"{% macro m( %}", "{% call %}", "{% call x %}{% endcall %}", "{% filter %}", "{% with %}", "{{ 'a' 'b' }}",
		"{{ x | }}", "{{ x is }}", "{{ {1: } }}", "{{ [1,, 2] }}", "{{ f(**) }}", "{{ f(*) }}", "\xff\xfe{{ '\xff' }}",
		"{% raw %}", "{% endraw %}", "{{ 1.e5 }}", "{{ 0x10 }}", "{{ a.0.1 }}", "{{ '\\u12' }}", "{{ '\\N{DASH}' }}",
	} {
		tmpl, err := Parse(src)
		if err != nil {
			var e *Error
			if !errors.As(err, &e) || strings.Contains(e.Msg, "internal error") {
				t.Errorf("Parse(%q): %v", src, err)
			}
			continue
		}
		if _, err := tmpl.Execute(map[string]any{"x": 1}, fixedNow, Limits{}); err != nil && strings.Contains(err.Error(), "internal error") {
			t.Errorf("Render(%q): %v", src, err)
		}
	}
}
