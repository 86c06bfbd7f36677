//go:build !js

package web

import (
	"fmt"
	"strings"
	"testing"
)

// A conversation longer than the model's context (a synthetic Qwen2 model
// whose context is 256 tokens): once the prompt and the answer's room no
// longer fit, the page says so, marks the messages the model no longer
// sees, and keeps answering from a window that holds the system prompt and
// the latest messages, within the context. Screenshot (with the settings
// panel open): /tmp/hearth-shots/chat-context.png. All of it meets WCAG
// AA contrast in both themes.
func TestContextWindow(t *testing.T) {
	p, _ := openChat(t, writeSmallContextModel(t))
	if info := eval[string](p, `document.querySelector('#model-info').textContent`); !strings.Contains(info, fmt.Sprintf("%d tokens", smallContext)) {
		p.fatalf("the model pane says %q; want a context of %d tokens", info, smallContext)
	}
	const maxTokens, system = 24, "You are a ship's log. Keep each entry short."
	setSettings(p, map[string]string{"setting-max-tokens": fmt.Sprint(maxTokens), "setting-temperature": "0"})
	setField(p, "settings-system-prompt", system)

	type prompt struct {
		IDs  []int32 `json:"ids"`
		Text string  `json:"text"`
	}
	noticeAt := 0
	for i := 1; i <= 8; i++ {
		entry := fmt.Sprintf("Entry %d: the wind came from the north-west at dawn, we trimmed the sails and sighted gulls near the rocky coast.", i)
		sendMessage(p, entry)
		ms := waitAnswered(p, 2*i)
		pr := eval[prompt](p, `hearthTest.lastPrompt()`)
		notice := eval[string](p, `document.querySelector('#context-notice')?.textContent ?? ''`)
		t.Logf("entry %d: prompt %d tokens, answer %q; notice %q", i, len(pr.IDs), ms[2*i-1].Stats, notice)
		if len(pr.IDs)+maxTokens > smallContext {
			p.fatalf("entry %d: a prompt of %d tokens leaves no room for %d in %d", i, len(pr.IDs), maxTokens, smallContext)
		}
		if !strings.HasPrefix(pr.Text, "<|im_start|>system\n"+system+"<|im_end|>") || !strings.Contains(pr.Text, entry) {
			p.fatalf("entry %d: the prompt lost the system prompt or the last entry:\n%s", i, pr.Text)
		}
		if notice == "" {
			if noticeAt > 0 {
				p.fatalf("entry %d: the notice went away", i)
			}
			for _, m := range ms {
				if m.OutOfContext {
					p.fatalf("entry %d: a message is marked outside the context without a notice", i)
				}
			}
			continue
		}
		// The window slid: the notice says why, the oldest messages are
		// marked, the prompt lacks them, and the answer came anyway.
		if !strings.Contains(notice, fmt.Sprintf("context of %d tokens", smallContext)) {
			p.fatalf("the notice says %q", notice)
		}
		if !ms[0].OutOfContext || ms[len(ms)-1].OutOfContext || ms[len(ms)-2].OutOfContext || strings.Contains(pr.Text, "Entry 1:") {
			p.fatalf("entry %d: marks %v; the prompt:\n%s", i, outside(ms), pr.Text)
		}
		marked := eval[int](p, `document.querySelectorAll('#messages .message-outside').length`)
		if want := len(outside(ms)); marked != want || want%2 != 0 {
			p.fatalf("entry %d: %d messages shown as outside the context, %d marked; want whole exchanges", i, marked, want)
		}
		if ms[2*i-1].Stats == "" || ms[2*i-1].Tokens == 0 {
			p.fatalf("entry %d: no answer after the notice: %+v", i, ms[2*i-1])
		}
		if noticeAt == 0 {
			noticeAt = i
			continue
		}
		break // answered twice past the notice
	}
	if noticeAt == 0 {
		p.fatalf("eight entries never outgrew a context of %d tokens", smallContext)
	}
	p.noExceptions()
	saveShot(p, "chat-context")
	checkContrast(p, "the settings, a context notice and messages outside the context")
}

// outside lists the indices of the messages marked outside the context.
func outside(ms []chatMessage) []int {
	var out []int
	for i, m := range ms {
		if m.OutOfContext {
			out = append(out, i)
		}
	}
	return out
}
