//go:build !js

package web

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/chromedp"
)

// markdownAnswer is an answer with the Markdown a chat model writes, and
// markup that must stay text.
const markdownAnswer = "Here is a small **Go** program, and how to run it:\n\n" +
	"```go\n" + markdownCode + "\n```\n\n" +
	"1. Save it as `hello.go`.\n" +
	"2. Run `go run hello.go`.\n" +
	"   - It prints *Hello from Hearth*.\n\n" +
	"Markup stays text: <script>window.hearthPwned = 1</script> and <img src=x onerror=\"window.hearthPwned = 2\">.\n" +
	"See [the Go tour](https://go.dev/tour/), but [this](javascript:window.hearthPwned=3) is no link."

const markdownCode = "package main\n\nimport \"fmt\"\n\nfunc main() {\n\tfmt.Println(\"Hello from Hearth\")\n}"

// A model's Markdown is shown formatted, from elements the page builds
// itself: the code block (its language, the code as text, a Copy button
// that puts exactly the code on the clipboard), the numbered list with a
// nested bullet, emphasis, inline code, the http(s) link with its address.
// The <script> and <img onerror> in the same message are text: no such
// element is made and nothing runs; the javascript: link is text too.
// Its elements meet WCAG AA contrast in both themes. Screenshot:
// /tmp/hearth-shots/chat.png.
func TestMarkdownMessage(t *testing.T) {
	p, s := openChat(t, writeChatModel(t))
	p.do("letting the page use the clipboard", chromedp.Func(func(ctx context.Context, tg *chromedp.Target) error {
		for _, name := range []string{"clipboard-read", "clipboard-write"} {
			if _, err := cdp.Call(ctx, tg, browser.SetPermission, browser.SetPermissionParams{
				Permission: &browser.PermissionDescriptor{Name: name}, Setting: "granted", Origin: s.URL,
			}); err != nil {
				return err
			}
		}
		return nil
	}))
	for _, m := range [][2]string{{"user", "How do I print a greeting in **Go**?"}, {"assistant", markdownAnswer}} {
		if err := eval[string](p, `hearthTest.showMessage(`+jsString(m[0])+`, `+jsString(m[1])+`) ?? ""`); err != "" {
			p.fatalf("showMessage: %s", err)
		}
	}
	waitFor(p, "the answer's code block", `document.querySelector('#messages .message-assistant .md-code')`, 30*time.Second)

	got := eval[struct {
		Code, Lang, Copy string
		CodeScrolls      bool
		Items, Nested    []string
		Strong, Em       []string
		InlineCode       []string
		Links            []struct{ Href, Text, Rel, Target string }
		LinkURL          string
		Shown            string
	}](p, `(() => {
	  const m = [...document.querySelectorAll('#messages .message-assistant .message-text')].at(-1);
	  const texts = (sel) => [...m.querySelectorAll(sel)].map((e) => e.textContent);
	  const pre = m.querySelector('.md-code pre');
	  return {
	    Code: m.querySelector('.md-code pre > code')?.textContent,
	    Lang: m.querySelector('.md-code-lang')?.textContent,
	    Copy: m.querySelector('.md-code .md-copy')?.textContent,
	    CodeScrolls: ['auto', 'scroll'].includes(getComputedStyle(pre).overflowX) && getComputedStyle(pre).whiteSpace === 'pre'
	      && /mono/i.test(getComputedStyle(pre).fontFamily),
	    Items: [...m.querySelectorAll(':scope > ol > li')].map((li) => li.firstElementChild.textContent),
	    Nested: texts('ol > li > ul > li'),
	    Strong: texts('strong'), Em: texts('em'), InlineCode: texts('code.md-inline-code'),
	    Links: [...m.querySelectorAll('a')].map((a) => ({ Href: a.getAttribute('href'), Text: a.textContent, Rel: a.rel, Target: a.target })),
	    LinkURL: m.querySelector('.md-link-url')?.textContent,
	    Shown: m.textContent,
	  };
	})()`)
	t.Logf("rendered: %+v", got)
	switch {
	case got.Code != markdownCode || got.Lang != "go" || got.Copy != "Copy" || !got.CodeScrolls:
		p.fatalf("the code block shows %q (%q, button %q, scrolls in monospace: %v); want the code as written", got.Code, got.Lang, got.Copy, got.CodeScrolls)
	case len(got.Items) != 2 || got.Items[0] != "Save it as hello.go." || got.Items[1] != "Run go run hello.go.":
		p.fatalf("the numbered list shows %q", got.Items)
	case len(got.Nested) != 1 || got.Nested[0] != "It prints Hello from Hearth.":
		p.fatalf("the nested list shows %q", got.Nested)
	case len(got.Strong) != 1 || got.Strong[0] != "Go" || len(got.Em) != 1 || got.Em[0] != "Hello from Hearth":
		p.fatalf("emphasis: strong %q, em %q", got.Strong, got.Em)
	case len(got.InlineCode) != 2 || got.InlineCode[0] != "hello.go" || got.InlineCode[1] != "go run hello.go":
		p.fatalf("inline code: %q", got.InlineCode)
	case len(got.Links) != 1 || got.Links[0].Href != "https://go.dev/tour/" || got.Links[0].Text != "the Go tour" ||
		got.Links[0].Rel != "noopener noreferrer nofollow" || got.Links[0].Target != "_blank" || got.LinkURL != " (https://go.dev/tour/)":
		p.fatalf("links: %+v, address shown %q; want the Go tour's only, opening apart", got.Links, got.LinkURL)
	}
	for _, want := range []string{`<script>window.hearthPwned = 1</script>`, `<img src=x onerror="window.hearthPwned = 2">`, `[this](javascript:window.hearthPwned=3)`} {
		if !strings.Contains(got.Shown, want) {
			p.fatalf("the answer does not show %s as text: %q", want, got.Shown)
		}
	}
	checkNoInjection(p, markdownAnswer)

	// Copy puts the code, exactly, on the clipboard, and says so.
	p.do("pressing Copy", chromedp.Click(chromedp.CSS("#messages .message-assistant .md-copy")))
	waitFor(p, "the Copy button to say Copied", `document.querySelector('#messages .message-assistant .md-copy').textContent === 'Copied'`, 5*time.Second)
	if clip := eval[string](p, `navigator.clipboard.readText()`); clip != markdownCode {
		p.fatalf("the clipboard holds %q; want the code", clip)
	}
	waitFor(p, "the Copy button to say Copy again", `document.querySelector('#messages .message-assistant .md-copy').textContent === 'Copy'`, 5*time.Second)
	p.noExceptions()
	// The whole answer in view, from its top, for the screenshot.
	eval[bool](p, `(() => {
	  const list = document.querySelector('#messages'), m = list.querySelector('.message-assistant');
	  list.scrollTop = m.offsetTop - list.offsetTop - 8;
	  return true;
	})()`)
	saveShot(p, "chat")
	checkContrast(p, "a formatted answer")
}
