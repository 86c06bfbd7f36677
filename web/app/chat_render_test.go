package main

import (
	"errors"
	"regexp"
	"strings"
	"testing"
)

// readyApp is an app with a (pretend-)loaded model and no engine.
func readyApp() *App {
	app := NewApp(brokenEngine{errors.New("no engine in this test")}, nil)
	app.Model.Status, app.Model.Source = ModelReady, "https://example.org/models/tiny-q8_0.gguf"
	app.Model.Info = ModelInfo{Arch: "llama", WeightType: "Q8_0", Context: 2048, Threads: 1}
	app.Model.Progress.Done = true
	return app
}

// Markdown in an answer becomes the elements it stands for, built from
// the parse: a code block (its language, Copy, the code as text in a
// scrollable pre), a list, emphasis, a link to an http(s) address with the
// address beside it. Markup and other links stay text.
func TestMarkdownRendersAsElements(t *testing.T) {
	app := readyApp()
	app.ShowMessage("user", "Show me **Go**")
	app.ShowMessage("assistant", "Here:\n\n```go\nif a < b && c > d {\n\tfmt.Println(\"<b>\")\n}\n```\n\n"+
		"- one *two*\n- `three`\n\nSee [the tour](https://go.dev/tour) or [this](javascript:alert(1)).\n\n"+
		"> quoted *text*\n\n<script>alert(1)</script><img src=x onerror=alert(2)>")
	page := renderPage(t, app)
	for _, want := range []string{
		`<strong>Go</strong>`,
		`<div class="md-code"><div class="md-code-bar"><span class="md-code-lang">go</span><button type="button" class="md-copy" aria-label="Copy the go code">Copy</button></div>`,
		`<pre tabindex="0" aria-label="go code"><code>if a &lt; b &amp;&amp; c &gt; d {` + "\n\tfmt.Println(&#34;&lt;b&gt;&#34;)\n}</code></pre>",
		`<ul><li><p>one <em>two</em></p></li><li><p><code class="md-inline-code">three</code></p></li></ul>`,
		`<a href="https://go.dev/tour" target="_blank" rel="noopener noreferrer nofollow" class="md-link">the tour</a><span class="md-link-url"> (https://go.dev/tour)</span>`,
		`or [this](javascript:alert(1)).`,
		`<blockquote><p>quoted <em>text</em></p></blockquote>`,
		`<p>&lt;script&gt;alert(1)&lt;/script&gt;&lt;img src=x onerror=alert(2)&gt;</p>`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %s", want)
		}
	}
	for _, bad := range []*regexp.Regexp{
		regexp.MustCompile(`<script`), regexp.MustCompile(`<img`), regexp.MustCompile(`href="javascript`),
		regexp.MustCompile(`<[a-z]+[^>]* on[a-z]+=`),
	} {
		if bad.MatchString(page) {
			t.Errorf("the page matches %s", bad)
		}
	}
	if t.Failed() {
		t.Logf("page:\n%s", page)
	}
}

// An answer streaming in shows its unfinished code block as a code block
// in progress, and how fast tokens come; a finished answer shows its stats
// and the engine's memory, Edit sits on the user's messages and
// Regenerate on the last answer.
func TestMessageFooterAndActions(t *testing.T) {
	app := readyApp()
	app.ShowMessage("user", "Write code")
	m := app.Chat.add("assistant", "```python\nprint(1)")
	m.Streaming, m.Tokens, m.Started = true, 11, app.Now().Add(-2e9)
	app.Chat.Generating = true
	page := renderPage(t, app)
	if !strings.Contains(page, `<div class="md-code md-code-open">`) || !strings.Contains(page, `<code>print(1)</code>`) {
		t.Errorf("a streaming code block is not shown in progress")
	}
	if !regexp.MustCompile(`<span class="message-live">11 tokens · 5\.\d tokens/s</span>`).MatchString(page) {
		t.Errorf("no live speed while streaming")
	}
	if strings.Contains(page, "message-regenerate") || strings.Contains(page, "message-edit") {
		t.Errorf("Edit or Regenerate offered while an answer is written")
	}

	m.Text += "\n```"
	m.Streaming, app.Chat.Generating = false, false
	m.Stats, m.MemoryBytes = "11 tokens · 5.0 tokens/s", 123_400_000
	page = renderPage(t, app)
	for _, want := range []string{
		`<div class="md-code">`, `<span class="message-stats">11 tokens · 5.0 tokens/s</span>`,
		`123.4 MB memory</span>`, `class="message-action message-edit"`, `class="message-action message-regenerate"`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("a finished answer's page lacks %s", want)
		}
	}
	if strings.Contains(page, "message-live") {
		t.Error("the live speed stays after the answer ended")
	}
}

// When the window slides, the messages left out are marked and the notice
// says how many and why; a prompt that leaves the answer less room than
// asked says that too.
func TestMarkWindow(t *testing.T) {
	app := readyApp()
	for _, s := range []string{"q1", "a1", "q2", "a2", "q3"} {
		role := "user"
		if s[0] == 'a' {
			role = "assistant"
		}
		app.ShowMessage(role, s)
	}
	app.Chat.add("assistant", "") // the answer about to stream
	app.markWindow(2, 256, 200, 56)
	var marked []string
	for _, m := range app.Chat.Messages {
		if m.OutOfContext {
			marked = append(marked, m.Text)
		}
	}
	if strings.Join(marked, ",") != "q1,a1" {
		t.Errorf("marked %q; want q1, a1", marked)
	}
	want := "This conversation is longer than the model's context of 256 tokens: the model no longer sees its first 2 messages (marked below). The system prompt and the latest messages (200 tokens) are kept. Only 56 tokens of the context are left for the answer."
	if app.Chat.Notice != want {
		t.Errorf("the notice says %q", app.Chat.Notice)
	}
	page := renderPage(t, app)
	if got := strings.Count(page, "outside the model&#39;s context"); got != 2 {
		t.Errorf("%d messages labelled outside the context, want 2", got)
	}
	if !strings.Contains(page, `id="context-notice"`) || !strings.Contains(page, "longer than the model&#39;s context of 256 tokens") {
		t.Error("the notice is not on the page")
	}
	// A conversation that fits again clears the marks and the notice.
	app.markWindow(0, 256, 100, 1024/2)
	if app.Chat.Notice != "" || app.Chat.Messages[0].OutOfContext {
		t.Errorf("after fitting: notice %q, first message outside %v", app.Chat.Notice, app.Chat.Messages[0].OutOfContext)
	}
}
