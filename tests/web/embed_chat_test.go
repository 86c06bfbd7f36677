//go:build !js

package web

import (
	"os"
	"strconv"
	"strings"
	"testing"
	"time"
)

// A synthetic model named by data-model loads when the panel first opens
// (not before), with its progress shown; the Chat tab streams the answer,
// Stop ends it, Clear empties the conversation; Hearth.chat answers the
// page with the same tokens it streams.
func TestEmbedChatStreamsAndStops(t *testing.T) {
	model := writeEmbedModel(t)
	info, err := os.Stat(model)
	if err != nil {
		t.Fatal(err)
	}
	hearth := newHearthServer(t, map[string]string{"/models/synth.gguf": model})
	modelURL := hearth.URL + "/models/synth.gguf"
	host := newHostPage(t, hostHTML("", "<p>A page about tea.</p>", scriptTag(hearth.URL, map[string]string{"model": modelURL, "title": "Tea helper"})))
	p := openEmbed(t, host.URL+"/")

	// Lazy: nothing loads until the panel opens.
	p.sleep(500 * time.Millisecond)
	if n := eval[int](p, `hearthSeen.progress.length + hearthSeen.load.length`); n != 0 {
		p.fatalf("the model started loading before the panel was opened (%d events)", n)
	}
	eval[bool](p, `(() => {
	  const sr = `+shadowJS+`;
	  window.statusLog = [];
	  new MutationObserver(() => statusLog.push(sr.querySelector('.status').textContent))
	    .observe(sr.querySelector('.status'), { childList: true, characterData: true, subtree: true });
	  return true;
	})()`)
	clickInWidget(p, "opening the panel", ".launcher")
	st := waitWidget(p, "the model to load", 2*time.Minute, func(st widgetState) bool {
		if st.Error != "" {
			p.fatalf("loading the model failed: %s", st.Error)
		}
		return strings.Contains(st.Status, "is ready")
	})
	if st.Status != "synth.gguf (qwen2, Q8_0) is ready." || st.Progress {
		p.fatalf("after the load the widget shows %+v", st)
	}
	// The progress was shown in bytes and percent while downloading.
	statusLog := eval[[]string](p, `statusLog`)
	sawPercent := false
	for _, s := range statusLog {
		if strings.HasPrefix(s, "Downloading synth.gguf — ") && strings.Contains(s, "MB of ") && strings.HasSuffix(s, "%)") {
			sawPercent = true
		}
	}
	if !sawPercent {
		p.fatalf("no download progress in bytes and percent was shown; the status went %q", statusLog)
	}
	type progress struct {
		Phase   string `json:"phase"`
		Loaded  int64  `json:"loaded"`
		Total   int64  `json:"total"`
		Percent int    `json:"percent"`
	}
	events := eval[[]progress](p, `hearthSeen.progress`)
	var last progress
	for _, e := range events {
		if e.Phase == "download" {
			last = e
		}
	}
	if last.Total != info.Size() || last.Loaded != info.Size() || last.Percent != 100 {
		p.fatalf("the last download progress event is %+v, want all %d bytes", last, info.Size())
	}
	if n := eval[int](p, `hearthSeen.load.length`); n != 1 {
		p.fatalf("%d load events, want 1", n)
	}

	// Chat: the answer streams in; Stop ends it after few more tokens.
	inWidget[bool](p, `q('.chat-input').value = 'Tell me about green tea, at length.'; return true;`)
	clickInWidget(p, "sending the message", ".send")
	st = waitWidget(p, "the answer to stream", time.Minute, func(st widgetState) bool {
		if len(st.Messages) == 2 && strings.HasPrefix(st.Messages[1], "assistant: Error:") {
			p.fatalf("the answer failed: %s", st.Messages[1])
		}
		return st.Streaming && len(st.Messages) == 2 && len(st.Messages[1]) > len("assistant: ")+3
	})
	if st.Messages[0] != "user: Tell me about green tea, at length." || !st.StopOn || st.SendOn {
		p.fatalf("while streaming the widget shows %+v", st)
	}
	tokensAtStop := eval[int](p, `hearthSeen.token.length`)
	clickInWidget(p, "stopping the answer", ".chat-stop")
	st = waitWidget(p, "the answer to end", 30*time.Second, func(st widgetState) bool { return !st.Streaming && st.SendOn })
	tokens := eval[int](p, `hearthSeen.token.length`)
	// Tokens already streamed while the click travelled are let through.
	if tokens > tokensAtStop+32 || tokens >= 512 {
		p.fatalf("Stop did not end the answer: %d tokens at the click, %d in all", tokensAtStop, tokens)
	}
	t.Logf("Stop: %d tokens when clicked, %d in all", tokensAtStop, tokens)
	streamed := eval[string](p, `hearthSeen.token.map((t) => t.text).join('')`)
	if got := strings.TrimPrefix(st.Messages[1], "assistant: "); got != streamed || got == "" {
		p.fatalf("the widget shows %q, the token events carried %q", got, streamed)
	}
	if st.StopOn || st.Error != "" {
		p.fatalf("after Stop the widget shows %+v", st)
	}

	shootPage(p, "embed-chat")

	// Clear empties the conversation.
	clickInWidget(p, "clearing the chat", ".clear")
	waitWidget(p, "the conversation to clear", 5*time.Second, func(st widgetState) bool { return len(st.Messages) == 0 })

	// The API: the page's own chat, with its own token callback.
	type answer struct {
		Text   string   `json:"text"`
		Pieces []string `json:"pieces"`
		Events int      `json:"events"`
	}
	before := eval[int](p, `hearthSeen.token.length`)
	a := eval[answer](p, `(async () => {
	  const pieces = [];
	  const text = await Hearth.chat([{ role: 'user', content: 'Hello' }], { maxTokens: 8, temperature: 0, onToken: (t) => pieces.push(t) });
	  return { text, pieces, events: hearthSeen.token.length };
	})()`)
	if len(a.Pieces) != 8 || strings.Join(a.Pieces, "") != a.Text || a.Events-before != 8 {
		p.fatalf("Hearth.chat with maxTokens 8: %+v (%d token events before)", a, before)
	}
	// Greedy is greedy: the same question, the same answer.
	again := eval[string](p, `Hearth.chat('Hello', { maxTokens: 8, temperature: 0 })`)
	if again != a.Text {
		p.fatalf("the same greedy chat answered %q, then %q", a.Text, again)
	}
	p.noExceptions()
}

// A data-model URL that does not exist: the widget names the URL and the
// HTTP status, and the error event says the same.
func TestEmbedBadModelURL(t *testing.T) {
	hearth := newHearthServer(t, nil)
	bad := hearth.URL + "/models/no-such-model.gguf"
	host := newHostPage(t, hostHTML("", "<p>page</p>", scriptTag(hearth.URL, map[string]string{"model": bad, "open": "yes"})))
	p := openEmbed(t, host.URL+"/")
	st := waitWidget(p, "the load to fail", time.Minute, func(st widgetState) bool { return st.Error != "" })
	if !strings.Contains(st.Error, "could not load the model "+bad) || !strings.Contains(st.Error, "404") {
		p.fatalf("the widget's error does not name the URL and the problem: %q", st.Error)
	}
	if st.Progress || st.Status != "No model is loaded." {
		p.fatalf("after the failed load the widget shows %+v", st)
	}
	if errs := eval[[]string](p, `hearthSeen.error`); len(errs) != 1 || errs[0] != st.Error {
		p.fatalf("error events %q, want the widget's %q once", errs, st.Error)
	}
	// The page stays usable: sending a message reports the same problem
	// in the conversation, not a hang.
	inWidget[bool](p, `q('.chat-input').value = 'hi'; return true;`)
	clickInWidget(p, "sending a message", ".send")
	st = waitWidget(p, "the message to fail", time.Minute, func(st widgetState) bool { return len(st.Messages) == 2 && !st.Streaming })
	if !strings.Contains(st.Messages[1], "Error: could not load the model "+bad) {
		p.fatalf("the failed answer says %q", st.Messages[1])
	}
	p.noExceptions()
}

// On a cross-origin isolated host page (COOP + COEP), the engine worker
// started from the other origin runs data-threads threads (its helper
// workers are started the cross-origin way too), with data-n-ctx's
// context; the widget's stylesheet and the action runtime load under the
// page's COEP.
func TestEmbedIsolatedPageRunsThreads(t *testing.T) {
	model := writeEmbedModel(t)
	hearth := newHearthServer(t, map[string]string{"/models/synth.gguf": model})
	modelURL := hearth.URL + "/models/synth.gguf"
	host := newIsolatedHostPage(t, hostHTML("", signupBody, scriptTag(hearth.URL, map[string]string{
		"model": modelURL, "threads": "2", "n-ctx": "512", "system-prompt": "You answer in one word.",
	})))
	p := openEmbed(t, host.URL+"/")
	if !eval[bool](p, `crossOriginIsolated`) {
		p.fatalf("the host page is not cross-origin isolated")
	}
	type loadInfo struct {
		Threads int    `json:"threads"`
		Context int    `json:"context"`
		Arch    string `json:"arch"`
	}
	// Watch what the page sends the engine worker.
	eval[bool](p, `(() => {
	  window.chatRequests = [];
	  const post = Worker.prototype.postMessage;
	  Worker.prototype.postMessage = function (msg, ...rest) {
	    if (msg && msg.type === 'chat') chatRequests.push(msg.messages);
	    return post.call(this, msg, ...rest);
	  };
	  return true;
	})()`)
	info := eval[loadInfo](p, `Hearth.load(`+jsString(modelURL)+`)`)
	if info.Threads != 2 || info.Context != 512 || info.Arch != "qwen2" {
		p.fatalf("the load with data-threads=2 data-n-ctx=512 reports %+v", info)
	}
	pieces := eval[[]string](p, `(async () => { const p = []; await Hearth.chat('Hello', { maxTokens: 6, temperature: 0, onToken: (t) => p.push(t) }); return p; })()`)
	if len(pieces) != 6 {
		p.fatalf("a chat of 6 tokens on two threads streamed %q", pieces)
	}
	// data-system-prompt opens the conversation.
	type message struct{ Role, Content string }
	sent := eval[[][]message](p, `chatRequests`)
	if len(sent) != 1 || len(sent[0]) != 2 || sent[0][0] != (message{"system", "You answer in one word."}) || sent[0][1] != (message{"user", "Hello"}) {
		p.fatalf("the chat sent the engine %+v", sent)
	}
	waitFor(p, "the widget's stylesheet under COEP", shadowJS+`?.querySelector('.root')?.dataset.styled === 'true'`, 20*time.Second)
	if got := eval[string](p, `getComputedStyle(`+shadowJS+`.querySelector('.launcher')).position`); got != "fixed" {
		p.fatalf("under COEP the widget's stylesheet did not apply (launcher position %q)", got)
	}
	obs := eval[observed](p, `Hearth.observe()`)
	if len(obs.Elements) < 3 {
		p.fatalf("Hearth.observe() under COEP: %+v", obs)
	}
	p.noExceptions()
}

// A conversation longer than the model's context slides: Hearth.chat leaves
// out the oldest turns (keeping the system message), says how many, and
// answers; the widget shows a notice above the answer. A single message
// longer than the context is an error that says so.
func TestEmbedChatSlidesOverLongConversations(t *testing.T) {
	model := writeSmallContextModel(t) // a 256-token context
	hearth := newHearthServer(t, map[string]string{"/models/small.gguf": model})
	host := newHostPage(t, hostHTML("", "<p>page</p>", scriptTag(hearth.URL, map[string]string{"model": hearth.URL + "/models/small.gguf"})))
	p := openEmbed(t, host.URL+"/")
	info := eval[map[string]any](p, `Hearth.load(`+jsString(hearth.URL+"/models/small.gguf")+`)`)
	if info["context"] != float64(smallContext) {
		p.fatalf("the model loaded with %v; want a %d-token context", info["context"], smallContext)
	}
	type result struct {
		Text    string `json:"text"`
		Dropped int    `json:"dropped"`
	}
	r := eval[result](p, `(async () => {
	  const messages = [{ role: 'system', content: 'You are terse.' }];
	  for (let i = 0; i < 24; i++) {
	    messages.push({ role: i % 2 ? 'assistant' : 'user', content: 'Turn ' + i + ': tell me about green and black tea, their leaves and their brewing.' });
	  }
	  messages.push({ role: 'user', content: 'And oolong?' });
	  let dropped = 0;
	  const text = await Hearth.chat(messages, { maxTokens: 8, onTrim: (n) => { dropped = n; } });
	  return { text, dropped };
	})()`)
	if r.Dropped <= 0 || r.Dropped > 24 || r.Text == "" {
		p.fatalf("a conversation over the context: %+v; want an answer with the oldest turns left out", r)
	}
	t.Logf("left out %d of 24 turns", r.Dropped)
	msg := eval[string](p, `Hearth.chat('tea '.repeat(400), { maxTokens: 8 }).then(() => 'answered', (e) => e.message)`)
	if !strings.Contains(msg, "more than the model's context of 256 tokens") {
		p.fatalf("a message over the context: %q", msg)
	}

	// In the widget: enough long questions to pass the context.
	clickInWidget(p, "opening the panel", ".launcher")
	for i := 0; i < 6; i++ {
		inWidget[bool](p, `q('.chat-input').value = 'Question `+strconv.Itoa(i)+`: ' + 'tell me about tea leaves and brewing. '.repeat(6); return true;`)
		clickInWidget(p, "sending", "button.send")
		waitWidget(p, "the answer", time.Minute, func(st widgetState) bool { return !st.Streaming && st.SendOn })
	}
	notes := inWidget[[]string](p, `return [...sr.querySelectorAll('.chat-notice')].map((n) => n.textContent);`)
	if len(notes) == 0 || !strings.Contains(notes[len(notes)-1], "longer than the model's context") {
		p.fatalf("no notice after the conversation passed the context: %q", notes)
	}
	p.noExceptions()
}
