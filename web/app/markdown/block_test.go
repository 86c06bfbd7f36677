package markdown

import "testing"

func TestBlocks(t *testing.T) {
	tests := []struct{ name, in, want string }{
		{"empty", "", ""},
		{"blank lines only", "\n \n\t\n", ""},
		{"paragraphs", "one\n\ntwo", `Paragraph(Text"one") Paragraph(Text"two")`},
		{"line breaks kept", "a\nb  \n  c", `Paragraph(Text"a" LineBreak Text"b" LineBreak Text"c")`},
		{"crlf", "a\r\nb\r\n\r\nc", `Paragraph(Text"a" LineBreak Text"b") Paragraph(Text"c")`},
		{"headings", "# One\n### Three ###\n####### seven", `Heading1(Text"One") Heading3(Text"Three") Paragraph(Text"####### seven")`},
		{"heading needs a space", "#hashtag", `Paragraph(Text"#hashtag")`},
		{"empty headings", "#\n## ##", `Heading1 Heading2`},
		{"heading closing hashes stay inside words", "# C#", `Heading1(Text"C#")`},
		{"heading interrupts a paragraph", "text\n## Next", `Paragraph(Text"text") Heading2(Text"Next")`},
		{"thematic break", "a\n\n* * *\n\n---\nb", `Paragraph(Text"a") ThematicBreak ThematicBreak Paragraph(Text"b")`},
		{"fenced code", "```go\nfunc f() {\n\treturn\n}\n```", `CodeBlock[go]"func f() {\n\treturn\n}"`},
		{"tilde fence with info", "~~~ python extra words\nx = 1\n~~~", `CodeBlock[python]"x = 1"`},
		{"fence closes only with as many", "````\n```\n````", "CodeBlock[]\"```\""},
		{"code keeps markdown and markup", "```\n# not a heading\n<b>*x*</b>\n```", `CodeBlock[]"# not a heading\n<b>*x*</b>"`},
		{"unclosed fence is open", "text\n```js\nlet a = 1;", `Paragraph(Text"text") CodeBlock[js,open]"let a = 1;"`},
		{"fence being typed", "```js\nlet a = 1;\n", `CodeBlock[js,open]"let a = 1;"`},
		{"indented fence strips its indent", "  ```\n  a\n    b\n```", `CodeBlock[]"a\n  b"`},
		{"backtick info has no backticks", "``` a`b\nc", "Paragraph(Text\"``` a`b\" LineBreak Text\"c\")"},
		{"bullet list", "- a\n- b\n* c", `List(Item(Paragraph(Text"a")) Item(Paragraph(Text"b"))) List(Item(Paragraph(Text"c")))`},
		{"ordered list", "3. x\n4) y\n5. z", `List#3(Item(Paragraph(Text"x"))) List#4(Item(Paragraph(Text"y"))) List#5(Item(Paragraph(Text"z")))`},
		{"list interrupts a paragraph", "Steps:\n1. one\n2. two", `Paragraph(Text"Steps:") List#1(Item(Paragraph(Text"one")) Item(Paragraph(Text"two")))`},
		{"nested list", "- a\n  - b\n    - c\n- d", `List(Item(Paragraph(Text"a") List(Item(Paragraph(Text"b") List(Item(Paragraph(Text"c")))))) Item(Paragraph(Text"d")))`},
		{"nested ordered in bullets", "- a\n   1. b", `List(Item(Paragraph(Text"a") List#1(Item(Paragraph(Text"b")))))`},
		{"item with two paragraphs", "- a\n\n  b\n- c", `List(Item(Paragraph(Text"a") Paragraph(Text"b")) Item(Paragraph(Text"c")))`},
		{"lazy continuation", "- a\nb\n\nc", `List(Item(Paragraph(Text"a" LineBreak Text"b"))) Paragraph(Text"c")`},
		{"code in an item", "1. run\n   ```sh\n   make\n   ```\n2. done", `List#1(Item(Paragraph(Text"run") CodeBlock[sh]"make") Item(Paragraph(Text"done")))`},
		{"not markers", "-a\n1.5 million\n+b", `Paragraph(Text"-a" LineBreak Text"1.5 million" LineBreak Text"+b")`},
		{"empty item", "-\n- b", `List(Item Item(Paragraph(Text"b")))`},
		{"tab indentation", "- a\n\t- b", `List(Item(Paragraph(Text"a") List(Item(Paragraph(Text"b")))))`},
		{"quote", "> a\n>b\nlazy\n\nc", `Quote(Paragraph(Text"a" LineBreak Text"b" LineBreak Text"lazy")) Paragraph(Text"c")`},
		{"quote with blocks", "> # T\n> - x\n>\n> ```\n> code\n> ```", `Quote(Heading1(Text"T") List(Item(Paragraph(Text"x"))) CodeBlock[]"code")`},
		{"nested quote", "> > deep\n> shallow", `Quote(Quote(Paragraph(Text"deep" LineBreak Text"shallow")))`},
		{"quote ends at a blank line", "> a\n\n> b", `Quote(Paragraph(Text"a")) Quote(Paragraph(Text"b"))`},
		{"not a quote", "a > b", `Paragraph(Text"a > b")`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := dump(Parse(tc.in)); got != tc.want {
				t.Errorf("Parse(%q)\n got %s\nwant %s", tc.in, got, tc.want)
			}
		})
	}
}

// While a message streams in, every prefix of it parses, and a code block
// whose closing fence has not come yet shows as a code block in progress
// holding the code so far.
func TestStreamingPrefixes(t *testing.T) {
	msg := "Here is code:\n\n```go\nfmt.Println(\"hi\")\n```\n\nDone."
	sawOpen := false
	for i := range len(msg) + 1 {
		doc := Parse(msg[:i])
		for _, b := range doc.Children {
			if b.Kind == CodeBlock && b.Open {
				sawOpen = true
				if b.Lang != "" && b.Lang != "go" && b.Lang != "g" {
					t.Errorf("prefix %q: language %q", msg[:i], b.Lang)
				}
			}
		}
	}
	if !sawOpen {
		t.Error("no prefix showed an open code block")
	}
	half := Parse(msg[:len("Here is code:\n\n```go\nfmt.Print")])
	if got, want := dump(half), `Paragraph(Text"Here is code:") CodeBlock[go,open]"fmt.Print"`; got != want {
		t.Errorf("half-way: got %s, want %s", got, want)
	}
	if got, want := dump(Parse(msg)), `Paragraph(Text"Here is code:") CodeBlock[go]"fmt.Println(\"hi\")" Paragraph(Text"Done.")`; got != want {
		t.Errorf("whole: got %s, want %s", got, want)
	}
}

func TestPlainText(t *testing.T) {
	doc := Parse("# T\n\nHello *you*\nthere `x`\n\n- a\n- b")
	if got, want := doc.PlainText(), "T\n\nHello you\nthere x\n\na\n\nb"; got != want {
		t.Errorf("PlainText = %q, want %q", got, want)
	}
}
