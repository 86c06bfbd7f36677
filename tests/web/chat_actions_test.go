//go:build !js

package web

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/engine/chat"
)

// tokensStats reads "N tokens · … · why" from an answer's stats.
var tokensStats = regexp.MustCompile(`^(\d+) tokens? · [\d.]+ tokens/s(?: · (.*))?$`)

// statsOf checks an answer's stats and returns its token count and why it
// ended.
func statsOf(p *page, m chatMessage) (string, string) {
	p.t.Helper()
	s := tokensStats.FindStringSubmatch(m.Stats)
	if s == nil {
		p.fatalf("the answer's stats say %q", m.Stats)
	}
	return s[1], s[2]
}

// The settings reach the engine: max tokens 3 gives answers of exactly
// three tokens; at temperature 0 the answer is the same whatever the seed
// (greedy decoding), while at temperature 2 two seeds give two answers; a
// repetition penalty is taken (the engine refuses one without a window,
// so this checks the window goes with it); a system prompt the model's
// template leaves out is reported. Regenerate replaces the last answer
// each time, in place.
func TestSettingsReachTheEngine(t *testing.T) {
	p, _ := openChat(t, writeChatModel(t))
	setSettings(p, map[string]string{"setting-max-tokens": "3", "setting-temperature": "0", "setting-seed": "1"})
	sendMessage(p, "Tell me about the sea")
	ms := waitAnswered(p, 2)
	if n, why := statsOf(p, ms[1]); n != "3" || why != "stopped at the token limit" || ms[1].Tokens != 3 {
		p.fatalf("with max tokens 3 the answer has %s tokens (%d streamed), ended %q", n, ms[1].Tokens, why)
	}
	greedy := ms[1].Text

	regenerate := func(fields map[string]string) chatMessage {
		p.t.Helper()
		setSettings(p, fields)
		clickAndWait(p, "pressing Regenerate", "#messages .message-regenerate")
		// The old answer goes at once; the new one takes its place.
		waitFor(p, "the answer to restart", `hearthTest.messages().length === 2 && hearthTest.messages()[1].streaming`, 10*time.Second)
		ms := waitAnswered(p, 2)
		if ms[0].Text != "Tell me about the sea" {
			p.fatalf("the question changed: %+v", ms)
		}
		return ms[1]
	}
	if a := regenerate(map[string]string{"setting-max-tokens": "12", "setting-seed": "2"}); !strings.HasPrefix(a.Text, greedy) || a.Tokens != 12 {
		p.fatalf("greedy with another seed and 12 tokens gave %q (%d tokens); want it to start with the 3-token answer %q", a.Text, a.Tokens, greedy)
	} else {
		greedy = a.Text
	}
	if a := regenerate(map[string]string{"setting-seed": "3"}); a.Text != greedy {
		p.fatalf("temperature 0 gave %q with seed 3 and %q with seed 2", a.Text, greedy)
	}
	hot := map[string]string{"setting-temperature": "2", "setting-top-k": "0", "setting-top-p": "1", "setting-min-p": "0", "setting-seed": "11"}
	first := regenerate(hot)
	hot["setting-seed"] = "12"
	second := regenerate(hot)
	t.Logf("temperature 0: %q; temperature 2, seeds 11 and 12: %q, %q", greedy, first.Text, second.Text)
	if first.Text == second.Text || first.Text == greedy {
		p.fatalf("temperature 2 gave %q with seed 11, %q with seed 12 (greedy: %q): the settings did not reach the sampler", first.Text, second.Text, greedy)
	}
	// Seed 11 again: the same draws.
	hot["setting-seed"] = "11"
	if again := regenerate(hot); again.Text != first.Text {
		p.fatalf("seed 11 gave %q, then %q", first.Text, again.Text)
	}
	if a := regenerate(map[string]string{"setting-repeat-penalty": "1.3"}); a.Error != "" || a.Tokens != 12 {
		p.fatalf("with a repetition penalty: %+v", a)
	}
	// Phi-3's template has no place for a system prompt: the page says so.
	setField(p, "settings-system-prompt", "Answer in French.")
	regenerate(nil)
	if notice := eval[string](p, `document.querySelector('#context-notice')?.textContent ?? ''`); !strings.Contains(notice, "leaves out the system prompt") {
		p.fatalf("with a system prompt Phi-3's template drops, the notice says %q", notice)
	}
	p.noExceptions()
}

// Edit and resend: editing an earlier message of the user's drops the
// conversation after it and answers the edited message; Cancel leaves all
// as it was. The prompt of the new answer is the edited conversation in
// the model's own template. The answer shows its speed and the engine's
// memory.
func TestEditAndResend(t *testing.T) {
	model := writeChatModel(t)
	p, _ := openChat(t, model)
	setSettings(p, map[string]string{"setting-max-tokens": "4"})
	sendMessage(p, "First question")
	waitAnswered(p, 2)
	sendMessage(p, "Second question")
	before := waitAnswered(p, 4)

	// Edit, then Cancel: nothing changes.
	p.do("pressing Edit on the first message", chromedp.Click(chromedp.CSS(`#messages .message-user .message-edit`)))
	waitFor(p, "the edit box", `document.querySelector('#edit-input')?.value === 'First question' && document.activeElement?.id === 'edit-input'`, 5*time.Second)
	if eval[int](p, `document.querySelectorAll('#messages .message-regenerate, #messages .message-edit').length`) != 0 {
		p.fatalf("Edit and Regenerate are offered while a message is edited")
	}
	p.do("pressing Cancel", chromedp.Click(chromedp.CSS("#edit-cancel")))
	waitFor(p, "the edit box to close", `!document.querySelector('#edit-input')`, 5*time.Second)
	if after := messages(p); len(after) != 4 || after[0].Text != "First question" || after[3].Text != before[3].Text {
		p.fatalf("Cancel changed the conversation: %+v", after)
	}

	// Edit and send.
	p.do("pressing Edit on the first message again", chromedp.Click(chromedp.CSS(`#messages .message-user .message-edit`)))
	waitFor(p, "the edit box", `document.querySelector('#edit-input')`, 5*time.Second)
	setField(p, "edit-input", "An edited question")
	clickAndWait(p, "sending the edit", "#edit-send")
	ms := waitAnswered(p, 2)
	if ms[0].Role != "user" || ms[0].Text != "An edited question" || strings.Contains(eval[string](p, `document.querySelector('#messages').textContent`), "Second question") {
		p.fatalf("after the edit the conversation is %+v", ms)
	}
	if n, _ := statsOf(p, ms[1]); n != "4" {
		p.fatalf("the new answer has %s tokens, want 4 (max tokens)", n)
	}
	checkPrompt(t, p, model, []chat.Message{{Role: "user", Content: "An edited question"}})

	// The page shows it: two messages, the edited one formatted.
	if got := eval[[]string](p, `[...document.querySelectorAll('#messages .message-text')].map((e) => e.textContent)`); len(got) != 2 || got[0] != "An edited question" {
		p.fatalf("the page shows %q", got)
	}
	// Under the answer: its speed, and the engine's memory (the arena holds
	// the 22 MB of weights, so more than that).
	footer := eval[[]string](p, `[...document.querySelectorAll('#messages .message-assistant .message-footer > span')].map((e) => e.textContent)`)
	m := regexp.MustCompile(`^(\d+\.\d) MB memory$`).FindStringSubmatch(footer[len(footer)-1])
	if len(footer) != 2 || !tokensStats.MatchString(footer[0]) || m == nil {
		p.fatalf("the answer's footer shows %q; want its stats and the memory", footer)
	}
	if mb, _ := strconv.ParseFloat(m[1], 64); mb < 22 || mb > 1000 {
		p.fatalf("the engine's memory is shown as %v MB", mb)
	}
	p.noExceptions()
}
