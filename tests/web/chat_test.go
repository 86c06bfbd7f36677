//go:build !js

package web

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/hearth-ai/hearth/engine/chat"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/tokenizer"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// writeChatModel writes a synthetic phi3 model (random weights, 22 MB in
// Q8_0) with Phi-3's real vocabulary, whose file carries Phi-3's chat
// template.
func writeChatModel(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "synth-phi3-q8_0.gguf")
	spec := synth.Spec{
		Arch: synth.Phi3, VocabPath: filepath.Join(testdata.VocabDir(t), "ggml-vocab-phi-3.gguf"),
		NEmbd: 256, NLayer: 4, NHead: 4, NFF: 1024, Type: dtype.Q8_0, Seed: 11,
	}
	if err := synth.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	return path
}

// loadState is what the model pane shows.
type loadState struct {
	Progress float64 `json:"progress"` // the bar's value, -1 without one
	Phase    string  `json:"phase"`
	Summary  string  `json:"summary"`
	Ready    bool    `json:"ready"`
	Error    string  `json:"error"`
	Status   string  `json:"status"`
}

const loadStateJS = `(() => {
  const q = (s) => document.querySelector(s);
  const bar = q('#load-progress');
  return {
    progress: bar && bar.hasAttribute('value') ? Number(bar.getAttribute('value')) : -1,
    phase: q('#load-phase')?.textContent ?? '',
    summary: q('#load-summary')?.textContent ?? '',
    ready: !!q('#model-info'),
    error: q('#model-error')?.textContent ?? '',
    status: q('#model-status')?.textContent ?? '',
  };
})()`

// answerState is what the chat shows of the last answer. Text is the
// answer as written (the page formats its Markdown, so its text nodes
// lack the markers): from the test hook when the page has one (?test=1),
// else the text shown.
type answerState struct {
	Text       string `json:"text"`
	Stats      string `json:"stats"`
	Error      string `json:"error"`
	StopActive bool   `json:"stopActive"`
}

const answerStateJS = `(() => {
  const all = document.querySelectorAll('#messages .message-assistant');
  const m = all[all.length - 1];
  return {
    text: window.hearthTest?.messages?.().filter((x) => x.role === 'assistant').at(-1)?.text ?? m?.querySelector('.message-text')?.textContent ?? '',
    stats: m?.querySelector('.message-stats')?.textContent ?? '',
    error: m?.querySelector('.message-error')?.textContent ?? '',
    stopActive: !document.querySelector('#chat-stop').disabled,
  };
})()`

// The app end to end: the page opens with ?model=<url> and loads the
// model at once, its progress bar moving through the download (paced by
// the server) and full at the end; a message sent with the model's own
// chat template (the prompt's ids are the file's Phi-3 template rendered
// and tokenized) gets an answer that streams in token by token until Stop
// ends it; markup in the user's message stays text.
func TestChatEndToEnd(t *testing.T) {
	model := writeChatModel(t)
	s := newSite(t, map[string]string{"/models/synth.gguf": model})
	p := newPage(t, 4*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?test=1&model=/models/synth.gguf"))

	// The load: progress values seen on the way, then ready.
	var seen []float64
	var st loadState
	deadline := time.Now().Add(2 * time.Minute)
	for {
		st = eval[loadState](p, loadStateJS)
		if st.Progress > 0 && st.Progress < 100 && !slices.Contains(seen, st.Progress) {
			seen = append(seen, st.Progress)
		}
		if st.Ready || st.Error != "" {
			break
		}
		if time.Now().After(deadline) {
			p.fatalf("the model did not load in 2 minutes: %+v", st)
		}
		p.sleep(20 * time.Millisecond)
	}
	t.Logf("progress values seen during the load: %v; then %+v", seen, st)
	switch {
	case st.Error != "":
		p.fatalf("the load failed: %s", st.Error)
	case len(seen) < 2:
		p.fatalf("the progress bar showed %v between 0 and 100; want it to move (two values or more)", seen)
	case st.Progress != 100 || st.Phase != "Loaded":
		p.fatalf("after the load the bar shows %v%% (%q); want 100%% and Loaded", st.Progress, st.Phase)
	case !regexp.MustCompile(`^\d+\.\d MB of \d+\.\d MB$`).MatchString(st.Summary):
		p.fatalf("after the load the summary says %q", st.Summary)
	case !strings.Contains(st.Status, "synth.gguf (phi3, Q8_0) is ready"):
		p.fatalf("the header says %q", st.Status)
	}

	// A message, with markup that must stay text.
	const message = `Hello <img src=x onerror="window.hearthPwned=1"> there`
	p.do("typing a message and pressing Enter",
		chromedp.SendKeys("#chat-input", message),
		chromedp.WaitEnabled("#chat-send"),
		chromedp.SendKeys("#chat-input", kb.Enter),
	)

	// The answer streams: its text grows while Stop is active.
	var lengths []int
	deadline = time.Now().Add(time.Minute)
	for len(lengths) < 3 {
		a := eval[answerState](p, answerStateJS)
		if a.Error != "" || a.Stats != "" {
			p.fatalf("the answer ended before it could be watched growing (lengths %v): %+v", lengths, a)
		}
		n := len([]rune(a.Text))
		if n > 0 && a.StopActive && (len(lengths) == 0 || n > lengths[len(lengths)-1]) {
			lengths = append(lengths, n)
		}
		if time.Now().After(deadline) {
			p.fatalf("no streaming answer in a minute (lengths %v): %+v", lengths, a)
		}
		p.sleep(10 * time.Millisecond)
	}
	t.Logf("answer lengths seen while streaming: %v", lengths)

	// Stop ends it: Stop turns inactive, the stats say so, the text stays.
	p.do("pressing Stop", chromedp.Click("#chat-stop"))
	a := waitAnswerEnd(p)
	t.Logf("the answer after Stop: %d characters, %q", len([]rune(a.Text)), a.Stats)
	m := regexp.MustCompile(`^(\d+) tokens · [\d.]+ tokens/s · stopped$`).FindStringSubmatch(a.Stats)
	if m == nil || a.StopActive || a.Error != "" {
		p.fatalf("after Stop: %+v; want stats ending in \"stopped\" and Stop inactive", a)
	}
	if n, _ := strconv.Atoi(m[1]); n < 3 || n >= 1024 {
		p.fatalf("the stopped answer has %d tokens; want more than the 3 seen streaming and fewer than the whole budget (1024)", n)
	}
	if len([]rune(a.Text)) < lengths[len(lengths)-1] {
		p.fatalf("the answer shrank after Stop: %d characters, %d before", len([]rune(a.Text)), lengths[len(lengths)-1])
	}
	p.sleep(300 * time.Millisecond)
	if later := eval[answerState](p, answerStateJS); later.Text != a.Text {
		p.fatalf("the answer still grows after Stop ended it")
	}

	// The prompt was the conversation in the model's own template.
	checkPrompt(t, p, model, []chat.Message{{Role: "user", Content: message}})

	// A second message: the prompt holds the whole conversation, the
	// first answer as the page shows it.
	const second = "And once more?"
	p.do("sending a second message",
		chromedp.SendKeys("#chat-input", second),
		chromedp.WaitEnabled("#chat-send"),
		chromedp.Click("#chat-send"),
	)
	deadline = time.Now().Add(time.Minute)
	for eval[int](p, `document.querySelectorAll('#messages .message-assistant').length`) < 2 || eval[answerState](p, answerStateJS).Text == "" {
		if time.Now().After(deadline) {
			p.fatalf("no second answer in a minute")
		}
		p.sleep(10 * time.Millisecond)
	}
	p.do("pressing Stop", chromedp.Click("#chat-stop"))
	if b := waitAnswerEnd(p); b.Error != "" {
		p.fatalf("the second answer failed: %s", b.Error)
	}
	checkPrompt(t, p, model, []chat.Message{{Role: "user", Content: message}, {Role: "assistant", Content: a.Text}, {Role: "user", Content: second}})

	// The user's markup is text: no element came of it, nothing ran.
	checkNoInjection(p, message)
	p.noExceptions()

	if shot := os.Getenv("HEARTH_APP_SCREENSHOT"); shot != "" {
		png, err := chromedp.Run(p.ctx, chromedp.CaptureScreenshot())
		if err != nil {
			p.fatalf("screenshot: %v", err)
		}
		if err := os.WriteFile(shot, png, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("screenshot: %s", shot)
	}
}

// waitAnswerEnd waits until the last answer has ended, and returns it.
func waitAnswerEnd(p *page) answerState {
	p.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		a := eval[answerState](p, answerStateJS)
		if a.Stats != "" || a.Error != "" {
			return a
		}
		if time.Now().After(deadline) {
			p.fatalf("the answer did not end 30 s after Stop: %+v", a)
		}
		p.sleep(20 * time.Millisecond)
	}
}

// checkPrompt compares the ids of the page's last prompt with the file's
// chat template rendered for the conversation and tokenized as llama.cpp
// does (the template writes BOS itself, so the tokenizer adds none).
func checkPrompt(t *testing.T, p *page, model string, conversation []chat.Message) {
	t.Helper()
	got := eval[struct {
		IDs      []int32 `json:"ids"`
		Text     string  `json:"text"`
		Template string  `json:"template"`
	}](p, `hearthTest.lastPrompt()`)
	f, err := gguf.Open(model)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src, _ := f.Value("tokenizer.chat_template")
	tmpl, err := chat.Parse(fmt.Sprint(src))
	if err != nil {
		t.Fatal(err)
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	bos, eos := string(tok.PieceSpecial(tok.BOS())), string(tok.PieceSpecial(tok.EOS()))
	text, err := tmpl.Render(conversation, chat.Options{AddGenerationPrompt: true, BOSToken: bos, EOSToken: eos})
	if err != nil {
		t.Fatal(err)
	}
	// Phi-3's template: BOS, each turn, then the assistant's header.
	wantText := ""
	for _, m := range conversation {
		wantText += "<|" + m.Role + "|>\n" + m.Content + "<|end|>\n"
	}
	wantText += "<|assistant|>\n"
	if text != bos+wantText || got.Text != wantText {
		t.Fatalf("the template gives %q, the page tokenized %q; want %q after BOS %q", text, got.Text, wantText, bos)
	}
	want := tok.Encode(wantText, true, true)
	if got.Template != "gguf" || !slices.Equal(got.IDs, want) {
		t.Fatalf("the page's prompt (%s template) has ids\n%v\nwant\n%v", got.Template, got.IDs, want)
	}
	if want[0] != tok.BOS() || slices.Contains(want[1:], tok.BOS()) {
		t.Fatalf("the prompt %v should hold BOS %d once, first", want, tok.BOS())
	}
}

// checkNoInjection fails the test if markup in the messages became
// elements or ran, or if a message does not show what was written. The
// messages' Markdown is formatted, so their elements may only be the ones
// the formatter makes (no event handler attributes, links to http(s)
// only); each text must be a message as written (the test hook's, or the
// text shown without it), and its tags must show as text.
func checkNoInjection(p *page, texts ...string) {
	p.t.Helper()
	p.sleep(300 * time.Millisecond) // time for a failed image to fire onerror
	got := eval[struct {
		Elements int      `json:"elements"`
		Pwned    bool     `json:"pwned"`
		Texts    []string `json:"texts"`
		Shown    []string `json:"shown"`
		Foreign  []string `json:"foreign"`
	}](p, `(() => {
	  const shown = [...document.querySelectorAll('#messages .message-text')];
	  const allowed = new Set(['P', 'EM', 'STRONG', 'CODE', 'PRE', 'UL', 'OL', 'LI', 'A', 'BR', 'HR', 'H3', 'H4', 'H5', 'H6', 'BLOCKQUOTE', 'DIV', 'SPAN', 'BUTTON']);
	  const foreign = [];
	  for (const e of shown.flatMap((m) => [...m.querySelectorAll('*')])) {
	    const bad = [...e.attributes].filter((a) => a.name.startsWith('on') || (a.name === 'href' && !/^https?:/i.test(a.value)));
	    if (!allowed.has(e.tagName) || bad.length > 0) foreign.push(e.outerHTML.slice(0, 120));
	  }
	  return {
	    elements: document.querySelectorAll('#messages img, #messages script, #messages b, #messages iframe, #messages svg').length,
	    pwned: window.hearthPwned !== undefined,
	    texts: window.hearthTest?.messages?.().map((m) => m.text) ?? shown.map((e) => e.textContent),
	    shown: shown.map((e) => e.textContent),
	    foreign,
	  };
	})()`)
	if got.Elements != 0 || got.Pwned || len(got.Foreign) != 0 {
		p.fatalf("markup in a message became %d elements (elements the formatter does not make: %q); injected code ran: %v", got.Elements, got.Foreign, got.Pwned)
	}
	tags := regexp.MustCompile(`<[^>]*>`)
	for _, want := range texts {
		if !slices.Contains(got.Texts, want) {
			p.fatalf("no message is %q; the messages are %q", want, got.Texts)
		}
		for _, tag := range tags.FindAllString(want, -1) {
			if !slices.ContainsFunc(got.Shown, func(s string) bool { return strings.Contains(s, tag) }) {
				p.fatalf("no message shows the markup %s as text; the messages show %q", tag, got.Shown)
			}
		}
	}
}
