package chat

import (
	"strings"
	"testing"
)

// FuzzTemplate parses and renders arbitrary sources: whatever the input, the
// result is output or an *Error, never a panic (Parse and Render turn a
// panic into an "internal error", which fails here).
func FuzzTemplate(f *testing.F) {
	for _, c := range pythonCases {
		f.Add(c.template)
	}
	f.Add("{% for m in messages %}{{ m.role | upper }}: {{ m.content | trim }}\n{% endfor %}")
	f.Fuzz(func(t *testing.T, src string) {
		tmpl, err := Parse(src)
		if err != nil {
			if strings.Contains(err.Error(), "internal error") {
				t.Fatalf("Parse(%q): %v", src, err)
			}
			return
		}
		vars := map[string]any{
			"messages": []any{map[string]any{"role": "user", "content": " hi "}},
			"x":        map[string]any{"y": []any{1, "two", 3.5, nil, true}},
		}
		_, err = tmpl.Execute(vars, fixedNow, Limits{MaxSteps: 20000, MaxOutputBytes: 1 << 16})
		if err != nil && strings.Contains(err.Error(), "internal error") {
			t.Fatalf("Render(%q): %v", src, err)
		}
	})
}
