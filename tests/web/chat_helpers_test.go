//go:build !js

package web

import (
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// The helpers of the chat's tests (chat_*_test.go).

// smallContext is the context of the model writeSmallContextModel writes.
const smallContext = 256

// writeSmallContextModel writes a synthetic qwen2 model (random weights,
// 11 MB in Q8_0) with Qwen2's real vocabulary and chat template (which
// takes a system prompt), whose context is only smallContext tokens.
func writeSmallContextModel(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "synth-qwen2-ctx256-q8_0.gguf")
	spec := synth.Spec{
		Arch: synth.Qwen2, VocabPath: filepath.Join(testdata.VocabDir(t), "ggml-vocab-qwen2.gguf"),
		NEmbd: 64, NLayer: 2, NHead: 2, NFF: 128, NCtx: smallContext, Type: dtype.Q8_0, Seed: 5,
		TiedEmbeddings: true,
	}
	if err := synth.WriteFile(path, spec); err != nil {
		t.Fatal(err)
	}
	return path
}

// chatMessage is a message as the test hook reports it.
type chatMessage struct {
	Role         string `json:"role"`
	Text         string `json:"text"`
	Stats        string `json:"stats"`
	Error        string `json:"error"`
	OutOfContext bool   `json:"outOfContext"`
	Streaming    bool   `json:"streaming"`
	Tokens       int    `json:"tokens"`
}

// messages is the conversation the page holds (?test=1 pages only).
func messages(p *page) []chatMessage {
	p.t.Helper()
	return eval[[]chatMessage](p, `hearthTest.messages()`)
}

// openChat opens the page with the model at modelPath (served as
// /models/m.gguf) loaded, and the test hook on.
func openChat(t *testing.T, modelPath string) (*page, *site) {
	t.Helper()
	s := newSite(t, map[string]string{"/models/m.gguf": modelPath})
	p := newPage(t, 4*time.Minute)
	p.do("opening the page", chromedp.Navigate(s.URL+"/?test=1&model=/models/m.gguf"))
	waitModelReady(p)
	return p, s
}

// waitAnswered waits until the conversation has n messages and the last
// one is a finished answer, and returns the messages. An answer that
// failed fails the test.
func waitAnswered(p *page, n int) []chatMessage {
	p.t.Helper()
	deadline := time.Now().Add(90 * time.Second)
	for {
		ms := messages(p)
		if len(ms) == n && ms[n-1].Role == "assistant" && !ms[n-1].Streaming {
			if ms[n-1].Error != "" {
				p.fatalf("the answer failed: %s", ms[n-1].Error)
			}
			if eval[bool](p, `!document.querySelector('#chat-stop').disabled`) {
				p.sleep(20 * time.Millisecond) // the page has not caught up yet
				continue
			}
			return ms
		}
		if time.Now().After(deadline) {
			p.fatalf("no finished answer as message %d in 90 s: %+v", n, ms)
		}
		p.sleep(20 * time.Millisecond)
	}
}

// setField types value into the input or text area id, replacing what it
// held, as a person would (the page hears an input event).
func setField(p *page, id, value string) {
	p.t.Helper()
	ok := eval[bool](p, `(() => {
	  const e = document.getElementById(`+jsString(id)+`);
	  if (!e) return false;
	  e.value = `+jsString(value)+`;
	  e.dispatchEvent(new Event('input', { bubbles: true }));
	  return true;
	})()`)
	if !ok {
		p.fatalf("no field #%s on the page", id)
	}
}

// setSettings opens the settings panel (if closed) and fills its fields.
func setSettings(p *page, fields map[string]string) {
	p.t.Helper()
	if eval[string](p, `document.querySelector('#settings-toggle').getAttribute('aria-expanded')`) != "true" {
		p.do("opening the settings", chromedp.Click(chromedp.CSS("#settings-toggle")))
		waitFor(p, "the settings panel", `document.querySelector('#settings-panel')`, 5*time.Second)
	}
	for id, v := range fields {
		setField(p, id, v)
	}
	// Each field shows what was typed and no error.
	for id, v := range fields {
		waitFor(p, "the field "+id+" to hold "+v, `document.getElementById(`+jsString(id)+`).value === `+jsString(v)+
			` && !document.getElementById(`+jsString(id+"-error")+`)`, 5*time.Second)
	}
}

// clickAndWait clicks selector once it is enabled.
func clickAndWait(p *page, what, selector string) {
	p.t.Helper()
	p.do(what, chromedp.WaitEnabled(chromedp.CSS(selector)), chromedp.Click(chromedp.CSS(selector)))
}
