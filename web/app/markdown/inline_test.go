package markdown

import "testing"

func TestInlines(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"plain", "just text", `Paragraph(Text"just text")`},
		{"emphasis", "*a* and _b_", `Paragraph(Emphasis(Text"a") Text" and " Emphasis(Text"b"))`},
		{"strong", "**a** and __b__", `Paragraph(Strong(Text"a") Text" and " Strong(Text"b"))`},
		{"strong emphasis", "***a***", `Paragraph(Emphasis(Strong(Text"a")))`},
		{"nested", "**bold *and em* here**", `Paragraph(Strong(Text"bold " Emphasis(Text"and em") Text" here"))`},
		{"intraword star", "un*frigging*believable", `Paragraph(Text"un" Emphasis(Text"frigging") Text"believable")`},
		{"intraword underscore stays", "snake_case_name", `Paragraph(Text"snake_case_name")`},
		{"spaced stars are text", "2 * 3 * 4", `Paragraph(Text"2 * 3 * 4")`},
		{"unclosed", "**bold", `Paragraph(Text"**bold")`},
		{"leftover delimiter", "**a*", `Paragraph(Text"*" Emphasis(Text"a"))`},
		{"emphasis across lines", "*a\nb*", `Paragraph(Emphasis(Text"a" LineBreak Text"b"))`},
		{"crossing pairs nest", "*a _b* c_", `Paragraph(Emphasis(Text"a _b") Text" c_")`},
		{"code span", "use `go test` now", `Paragraph(Text"use " Code"go test" Text" now")`},
		{"code span with backticks", "``a ` b``", "Paragraph(Code\"a ` b\")"},
		{"code span spaces", "`` `x` ``", "Paragraph(Code\"`x`\")"},
		{"code span keeps markup", "`<b>*x*</b>`", `Paragraph(Code"<b>*x*</b>")`},
		{"unmatched backticks", "a ``b` c", "Paragraph(Text\"a ``b` c\")"},
		{"escapes", `\*a\* \_b\_ \` + "`c\\`", "Paragraph(Text\"*a* _b_ `c`\")"},
		{"backslash before a letter stays", `C:\dir`, `Paragraph(Text"C:\\dir")`},
		{"link", "see [the docs](https://go.dev/doc) now", `Paragraph(Text"see " Link<https://go.dev/doc>(Text"the docs") Text" now")`},
		{"link with title", `[a](http://x.org "T")`, `Paragraph(Link<http://x.org>(Text"a"))`},
		{"link text formatting", "[**b** `c`](https://x.org)", `Paragraph(Link<https://x.org>(Strong(Text"b") Text" " Code"c"))`},
		{"no links in link text", "[a https://y.org](https://x.org)", `Paragraph(Link<https://x.org>(Text"a https://y.org"))`},
		{"relative link is text", "[a](/etc/passwd)", `Paragraph(Text"[a](/etc/passwd)")`},
		{"bracket inside text", "[a [b](https://x.org)", `Paragraph(Text"[a " Link<https://x.org>(Text"b"))`},
		{"autolink", "go to https://example.org/a_(b). Then", `Paragraph(Text"go to " Link<https://example.org/a_(b)>(Text"https://example.org/a_(b)") Text". Then")`},
		{"autolink in parentheses", "(see http://x.org)", `Paragraph(Text"(see " Link<http://x.org>(Text"http://x.org") Text")")`},
		{"autolink in strong", "**https://x.org**", `Paragraph(Strong(Link<https://x.org>(Text"https://x.org")))`},
		{"angle autolink", "<https://x.org/?a=1&b=2>", `Paragraph(Link<https://x.org/?a=1&b=2>(Text"https://x.org/?a=1&b=2"))`},
		{"not an autolink inside a word", "xhttps://x.org", `Paragraph(Text"xhttps://x.org")`},
		{"scheme alone", "http:// and https://", `Paragraph(Text"http:// and https://")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dump(Parse(tc.in)); got != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestAllowedURL(t *testing.T) {
	for u, want := range map[string]bool{
		"https://example.org":        true,
		"http://example.org/a?b=c#d": true,
		"HTTPS://EXAMPLE.ORG":        true,
		"https://":                   false,
		"https:example.org":          false,
		"//example.org":              false,
		"/local":                     false,
		"javascript:alert(1)":        false,
		"JaVaScRiPt:alert(1)":        false,
		"data:text/html,<script>":    false,
		"vbscript:x":                 false,
		"https://x.org/\"onclick=1":  false,
		"https://x.org/<script>":     false,
		"https://x.org/a b":          false,
		"https://x.org/\x00":         false,
		"https://x.org/\n":           false,
		"file:///etc/passwd":         false,
	} {
		if got := AllowedURL(u); got != want {
			t.Errorf("AllowedURL(%q) = %v, want %v", u, got, want)
		}
	}
}
