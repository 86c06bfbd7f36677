package markdown

import (
	"fmt"
	"sort"
	"strings"
	"testing"
	"time"
)

// walk calls f on every node under n, with its depth (n's children: 1).
func walk(n *Node, depth int, f func(*Node, int)) {
	for _, c := range n.Children {
		f(c, depth+1)
		walk(c, depth+1, f)
	}
}

// maxTreeDepth bounds how deep any tree is: the document, 8 lists of
// items (or quotes, one level each), a paragraph, 16 levels of emphasis
// and links, a leaf.
const maxTreeDepth = 1 + 2*maxListDepth + 1 + maxInlineDepth + 1

// checkTree fails t if doc has a link that is not an allowed http(s)
// address, or is deeper than maxTreeDepth.
func checkTree(t *testing.T, in string, doc *Node) {
	t.Helper()
	deepest := 0
	walk(doc, 0, func(n *Node, d int) {
		deepest = max(deepest, d)
		if n.Kind == Link && (!AllowedURL(n.URL) || !strings.HasPrefix(strings.ToLower(n.URL), "http")) {
			t.Errorf("%.60q: a link to %q", in, n.URL)
		}
		if n.Kind > Quote {
			t.Errorf("%.60q: a node of unknown kind %d", in, n.Kind)
		}
	})
	if deepest > maxTreeDepth {
		t.Errorf("%.60q: the tree is %d deep, more than %d", in, deepest, maxTreeDepth)
	}
}

// Markup is text: the tree has no kind of node for HTML, and what a
// message says about <script> or <img onerror> reaches the reader word for
// word.
func TestMarkupIsText(t *testing.T) {
	for _, in := range []string{
		`<script>alert(1)</script>`,
		`<img src=x onerror="alert(1)">`,
		`<IMG SRC=x OnError=alert(1)//`,
		`<a href="javascript:alert(1)">x</a>`,
		`<svg/onload=alert(1)>`,
		`<iframe srcdoc="<script>alert(1)</script>">`,
		`</p></div><style>*{display:none}</style>`,
		`&lt;script&gt; &amp; &#x3C;`,
		`<!-- comment -->`,
	} {
		doc := Parse(in)
		checkTree(t, in, doc)
		if got := doc.PlainText(); got != in {
			t.Errorf("Parse(%q) shows %q", in, got)
		}
		walk(doc, 0, func(n *Node, _ int) {
			if n.Kind != Paragraph && n.Kind != Text {
				t.Errorf("Parse(%q) made a %s", in, n.Kind)
			}
		})
	}
	// Inside code, too.
	in := "```html\n<script>alert(1)</script>\n```\n`<img src=x onerror=alert(1)>`"
	if got, want := dump(Parse(in)), `CodeBlock[html]"<script>alert(1)</script>" Paragraph(Code"<img src=x onerror=alert(1)>")`; got != want {
		t.Errorf("got %s, want %s", got, want)
	}
}

// Links go to http(s) addresses only; any other address leaves the link
// as the text it was written as.
func TestHostileLinks(t *testing.T) {
	for _, in := range []string{
		`[click](javascript:alert(1))`,
		`[click](JAVASCRIPT:alert(1))`,
		`[click]( javascript:alert(1) )`,
		`[click](java&#115;cript:alert(1))`,
		"[click](java\tscript:alert(1))",
		`[click](data:text/html;base64,PHNjcmlwdD4=)`,
		`[click](vbscript:msgbox)`,
		`[click](//evil.example)`,
		`[click](/relative)`,
		`[click](https:evil)`,
		`[click](https://x.org" onmouseover="alert(1))`,
		`[click](<javascript:alert(1)>)`,
		`<javascript:alert(1)>`,
		`javascript:alert(1)`,
		`[a](https://ok.org)[b](javascript:x)`,
		"[x](https://ok.org/\u202e)",
	} {
		doc := Parse(in)
		checkTree(t, in, doc)
		walk(doc, 0, func(n *Node, _ int) {
			// The address before the quote is a link of its own, and harmless.
			if n.Kind == Link && n.URL != "https://ok.org" && n.URL != "https://x.org" {
				t.Errorf("Parse(%q) links to %q", in, n.URL)
			}
		})
		if !strings.Contains(in, "ok.org") && doc.PlainText() != strings.ReplaceAll(in, `\`, "") {
			t.Errorf("Parse(%q) shows %q, not the text as written", in, doc.PlainText())
		}
	}
}

// Deeply nested markers build no deeper a tree than the caps allow; the
// markers past the cap are text.
func TestNestingIsCapped(t *testing.T) {
	const n = 5000
	for name, in := range map[string]string{
		"emphasis":        strings.Repeat("*a _b ", n) + strings.Repeat("c_ d*", n),
		"strong":          strings.Repeat("**x ", n) + strings.Repeat(" y**", n),
		"list markers":    strings.Repeat("- ", n) + "x",
		"indented lists":  nestedList(n),
		"ordered markers": strings.Repeat("1. ", n) + "x",
		"links in emph":   strings.Repeat("*[a](https://x.org) ", n),
		"brackets":        strings.Repeat("[", n) + "a" + strings.Repeat("](https://x.org)", n),
		"code in lists":   strings.Repeat("- ```\n", n),
		"quotes":          strings.Repeat(">", n) + " deep",
		"quoted lists":    strings.Repeat("> - ", n) + "x",
	} {
		t.Run(name, func(t *testing.T) {
			doc := Parse(in)
			checkTree(t, in, doc)
		})
	}
	// Up to the cap, nesting works.
	in := strings.Repeat("*a _b ", 4) + "x" + strings.Repeat(" c_ d*", 4)
	depth := 0
	walk(Parse(in), 0, func(n *Node, d int) {
		if n.Kind == Emphasis {
			depth = max(depth, d)
		}
	})
	if depth != 1+8 {
		t.Errorf("%q: emphasis %d deep in the document, want 9 (a paragraph, then 8)", in, depth)
	}
}

func nestedList(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString(strings.Repeat("  ", i))
		b.WriteString("- item\n")
	}
	return b.String()
}

// hostile inputs of about size bytes, each built to make a naive parser
// quadratic.
func hostile(size int) map[string]string {
	rep := func(s string) string { return strings.Repeat(s, size/len(s)) }
	var ticks strings.Builder
	for k := 1; ticks.Len() < size; k++ {
		ticks.WriteString(strings.Repeat("`", k) + " ")
	}
	var deepList strings.Builder
	for i := 0; deepList.Len() < size; i++ {
		deepList.WriteString(strings.Repeat(" ", i%40) + "- x\n")
	}
	return map[string]string{
		"stars":            rep("*a "),
		"alternating":      rep("*_"),
		"underscore words": rep("_a "),
		"open brackets":    rep("["),
		"bracket parens":   rep("[a]("),
		"titles":           rep(`[a](https://x.org "`),
		"backtick runs":    ticks.String(),
		"unclosed ticks":   rep("`a "),
		"angle":            rep("<https://x"),
		"bare urls":        rep("https://x.org/("),
		"escapes":          rep(`\*`),
		"lines":            rep("a\n"),
		"fences":           rep("```\n"),
		"list lines":       deepList.String(),
		"markers":          rep("- "),
		"headings":         rep("# a\n"),
	}
}

// Half a megabyte of each hostile input parses in well under the time a
// quadratic parser needs: before the inputs' quadratic cases were fixed,
// a quarter of a megabyte took 6–9 s; a linear parse takes about 0.1 s,
// and a few times that on a busy machine. (BenchmarkParse shows the cost
// per byte staying flat as inputs grow.)
func TestHugeInput(t *testing.T) {
	const size, limit = 512 << 10, 5 * time.Second
	for name, in := range hostile(size) {
		t0 := time.Now()
		doc := Parse(in)
		if d := time.Since(t0); d > limit {
			t.Errorf("%s: %d KiB took %v: is some part of the parser quadratic?", name, size>>10, d)
		}
		checkTree(t, name, doc)
	}
}

// BenchmarkParse parses each hostile input at three sizes; ns/op over
// the bytes (MB/s) staying flat as the input grows is linear time.
//
//	go test ./web/app/markdown -run '^$' -bench Parse
func BenchmarkParse(b *testing.B) {
	for _, size := range []int{16 << 10, 128 << 10, 1 << 20} {
		inputs := hostile(size)
		names := make([]string, 0, len(inputs))
		for name := range inputs {
			names = append(names, name)
		}
		sort.Strings(names)
		for _, name := range names {
			in := inputs[name]
			b.Run(fmt.Sprintf("%s/%dKiB", strings.ReplaceAll(name, " ", "_"), size>>10), func(b *testing.B) {
				b.SetBytes(int64(len(in)))
				for b.Loop() {
					Parse(in)
				}
			})
		}
	}
}

// BenchmarkParseAnswer parses a typical answer of about 4 KB (prose with
// emphasis and links, lists, two code blocks): what a streaming message
// costs per redraw.
//
//	go test ./web/app/markdown -run '^$' -bench ParseAnswer
func BenchmarkParseAnswer(b *testing.B) {
	section := "## Step %d\n\nFirst, **install** the tool with `go install` (see [the docs](https://go.dev/doc/)). " +
		"It takes a *minute* or two, and https://example.org/faq answers the usual questions.\n\n" +
		"- fetch the module\n- build it\n  - with `-trimpath`\n- run the tests\n\n" +
		"```go\nfunc main() {\n\tfmt.Println(\"step %d\")\n}\n```\n\n"
	var in strings.Builder
	for i := 0; in.Len() < 4<<10; i++ {
		fmt.Fprintf(&in, section, i, i)
	}
	src := in.String()
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		Parse(src)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"# h\n\n*a* **b** `c` [d](https://e.org)\n\n- f\n  1. g\n\n```go\nh\n```",
		"<script>x</script>", "[a](javascript:b)", "***a***", "- - - x", "``a`", "\\`*_",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, in string) {
		doc := Parse(in)
		checkTree(t, in, doc)
		if again := dump(Parse(in)); again != dump(doc) {
			t.Errorf("two parses of %q differ", in)
		}
		_ = fmt.Sprint(doc.PlainText())
	})
}
