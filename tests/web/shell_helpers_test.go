//go:build !js

package web

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// The helpers of the offline, accessibility and layout tests.

// shotDir is where the tests leave screenshots for the note.
const shotDir = "/tmp/hearth-shots"

// saveShot writes a full-page screenshot to shotDir/name.png.
func saveShot(p *page, name string) {
	p.t.Helper()
	png, err := chromedp.Run(p.ctx, chromedp.FullScreenshot(100))
	if err != nil {
		p.fatalf("screenshot %s: %v", name, err)
	}
	if err := os.MkdirAll(shotDir, 0o755); err != nil {
		p.t.Fatal(err)
	}
	file := filepath.Join(shotDir, name+".png")
	if err := os.WriteFile(file, png, 0o644); err != nil {
		p.t.Fatal(err)
	}
	p.t.Logf("screenshot: %s", file)
}

// emulateColorScheme makes the page's prefers-color-scheme "light" or
// "dark", as a system setting would.
func emulateColorScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}},
		})
		return err
	})
}

// waitFor polls a JavaScript condition until it is true, failing the test
// with what after timeout.
func waitFor(p *page, what, cond string, timeout time.Duration) {
	p.t.Helper()
	deadline := time.Now().Add(timeout)
	for !eval[bool](p, "!!("+cond+")") {
		if time.Now().After(deadline) {
			p.fatalf("%s: not within %v (%s)", what, timeout, cond)
		}
		p.sleep(20 * time.Millisecond)
	}
}

// waitModelReady waits until the model pane shows a loaded model and
// returns what it shows; a load error fails the test.
func waitModelReady(p *page) loadState {
	p.t.Helper()
	st := waitLoadEnd(p)
	if st.Error != "" || !st.Ready {
		p.fatalf("the model did not load: %+v", st)
	}
	return st
}

// waitServiceWorker waits until the page's service worker is active (its
// install, which fills the cache, is over) and returns its script URL.
func waitServiceWorker(p *page) string {
	p.t.Helper()
	return eval[string](p, `Promise.race([
	  navigator.serviceWorker.ready.then((r) => r.active.scriptURL),
	  new Promise((_, reject) => setTimeout(() => reject(new Error('no active service worker in 60 s')), 60000)),
	])`)
}

// sendMessage types text into the message box and presses Enter.
func sendMessage(p *page, text string) {
	p.t.Helper()
	p.do("typing a message and pressing Enter",
		chromedp.SendKeys("#chat-input", text),
		chromedp.WaitEnabled("#chat-send"),
		chromedp.SendKeys("#chat-input", kb.Enter),
	)
}

// waitAnswerStreaming waits until the last answer shows text while the
// generation runs, and returns it.
func waitAnswerStreaming(p *page) answerState {
	p.t.Helper()
	deadline := time.Now().Add(time.Minute)
	for {
		a := eval[answerState](p, answerStateJS)
		switch {
		case a.Error != "":
			p.fatalf("the answer failed: %s", a.Error)
		case a.Text != "" && a.StopActive:
			return a
		case a.Stats != "":
			p.fatalf("the answer ended before it could be stopped: %+v", a)
		case time.Now().After(deadline):
			p.fatalf("no streaming answer in a minute: %+v", a)
		}
		p.sleep(10 * time.Millisecond)
	}
}

// pressKey sends one key to whatever has the focus.
func pressKey(p *page, key string) {
	p.t.Helper()
	p.do("pressing "+strings.Trim(jsString(key), `"`), chromedp.KeyEvent(key))
}

// testModels serves the synthetic chat model at /models/synth.gguf.
func testModels(t *testing.T) map[string]string {
	t.Helper()
	return map[string]string{"/models/synth.gguf": writeChatModel(t)}
}
