//go:build !js

package web

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"
)

// paneState is where the chat's parts and the model panel sit in the
// viewport.
type paneState struct {
	ViewHeight    float64 `json:"viewHeight"`    // innerHeight
	PageHeight    float64 `json:"pageHeight"`    // document.documentElement.scrollHeight
	ListTop       float64 `json:"listTop"`       // #messages' box
	ListBottom    float64 `json:"listBottom"`    //
	ListScroll    float64 `json:"listScroll"`    // its scrollHeight
	ListClient    float64 `json:"listClient"`    // its clientHeight
	ListTopPos    float64 `json:"listTopPos"`    // its scrollTop
	InputTop      float64 `json:"inputTop"`      // #chat-input's box
	InputBottom   float64 `json:"inputBottom"`   //
	ChatBottom    float64 `json:"chatBottom"`    // the chat pane's box
	PanelBottom   float64 `json:"panelBottom"`   // the model panel's box
	PanelScroll   float64 `json:"panelScroll"`   // its scrollHeight
	PanelClient   float64 `json:"panelClient"`   // its clientHeight
	PanelOverflow string  `json:"panelOverflow"` // its computed overflow-y
	CatalogOpen   bool    `json:"catalogOpen"`   // #catalog's <details> open
	CatalogShown  bool    `json:"catalogShown"`  // a catalog entry is shown
	SavedOpen     bool    `json:"savedOpen"`     // the saved models' <details> open
}

const paneStateJS = `(() => {
  const q = (s) => document.querySelector(s);
  const box = (s) => q(s)?.getBoundingClientRect() ?? { top: -1, bottom: -1, height: 0 };
  const list = q('#messages'), panel = q('.model-panel');
  return {
    viewHeight: innerHeight, pageHeight: document.documentElement.scrollHeight,
    listTop: box('#messages').top, listBottom: box('#messages').bottom,
    listScroll: list.scrollHeight, listClient: list.clientHeight, listTopPos: list.scrollTop,
    inputTop: box('#chat-input').top, inputBottom: box('#chat-input').bottom,
    chatBottom: box('.chat-panel').bottom,
    panelBottom: box('.model-panel').bottom, panelScroll: panel.scrollHeight, panelClient: panel.clientHeight,
    panelOverflow: getComputedStyle(panel).overflowY,
    catalogOpen: !!q('#catalog details')?.open, catalogShown: !!q('#catalog .catalog-entry')?.checkVisibility(),
    savedOpen: !!q('#cached-models details')?.open,
  };
})()`

// showMessages adds finished messages through the test hook and waits
// until the page shows them all.
func showMessages(p *page, ms [][2]string) {
	p.t.Helper()
	before := eval[int](p, `document.querySelectorAll('#messages .message').length`)
	for _, m := range ms {
		if err := eval[string](p, `hearthTest.showMessage(`+jsString(m[0])+`, `+jsString(m[1])+`) ?? ""`); err != "" {
			p.fatalf("showMessage: %s", err)
		}
	}
	want := before + len(ms)
	waitFor(p, fmt.Sprintf("%d messages on the page", want), fmt.Sprintf(`document.querySelectorAll('#messages .message').length === %d`, want), 30*time.Second)
	p.sleep(200 * time.Millisecond) // the scroll that follows the render
}

// longConversation is a conversation of many messages, more than a
// desktop's screen holds.
func longConversation() [][2]string {
	var ms [][2]string
	for i := 1; i <= 8; i++ {
		ms = append(ms,
			[2]string{"user", fmt.Sprintf("Question %d: how do I keep a fire going through the night?", i)},
			[2]string{"assistant", fmt.Sprintf("Answer %d. Bank the embers under ash, add a split log of hard wood, "+
				"and leave the damper a little open so the fire breathes slowly until morning.", i)})
	}
	return ms
}

// waitAnswerGrows waits until the page shows more of the answer being
// written than it did: a few renders of new text.
func waitAnswerGrows(p *page) {
	p.t.Helper()
	const shown = `document.querySelector('#messages .message-assistant:last-of-type .message-text')?.textContent.length ?? 0`
	n := eval[int](p, shown)
	waitFor(p, "the answer to grow on the page", fmt.Sprintf(`%s >= %d`, shown, n+40), 10*time.Second)
}

// hideScrollbars gives the page a phone's scrollbars, drawn over the page
// rather than beside it (so that a full-page screenshot has the screen's
// width).
func hideScrollbars() chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetScrollbarsHidden, emulation.SetScrollbarsHiddenParams{Hidden: true})
		return err
	})
}

// toggleCatalog focuses the catalog's summary and presses key on it (the
// keyboard alone opens and closes it), then waits for the catalog to be
// open or closed as wanted.
func toggleCatalog(p *page, key string, open bool) {
	p.t.Helper()
	eval[any](p, `document.querySelector('#catalog summary').focus() ?? null`)
	if !eval[bool](p, `document.activeElement === document.querySelector('#catalog summary')`) {
		p.fatalf("the catalog's summary cannot take the focus")
	}
	pressKey(p, key)
	waitFor(p, fmt.Sprintf("the catalog open=%v after the key", open),
		fmt.Sprintf(`document.querySelector('#catalog details').open === %v && document.querySelector('#catalog .catalog-entry').checkVisibility() === %v`, open, open),
		5*time.Second)
}

// On a desktop (1280×800) the page is the screen's height: the chat pane
// fills it below the header, its message list takes the height its head
// and the input leave and scrolls (the conversation is longer than the
// screen), the list's bottom and the input sit inside the viewport, and
// the page itself does not scroll. Open settings share the pane and keep
// the list at its newest message. While an answer streams in the list
// follows it, unless the reader has scrolled up. The catalog is open
// before a model is loaded and folds away once one is; Enter and Space on
// its summary unfold and fold it, and the model panel then scrolls by
// itself within the screen. Screenshot: /tmp/hearth-shots/final-desktop.png.
func TestDesktopChatFillsScreen(t *testing.T) {
	s := newSite(t, testModels(t))
	p := newPage(t, 3*time.Minute)
	p.do("opening the page on a desktop screen",
		chromedp.EmulateViewport(1280, 800, chromedp.EmulateScale(1)),
		emulateColorScheme("light"),
		chromedp.Navigate(s.URL+"/?test=1"),
		chromedp.WaitVisible("#model-open-file"),
	)
	waitFor(p, "the catalog", `document.querySelector('#catalog .catalog-entry')`, 30*time.Second)
	if st := eval[paneState](p, paneStateJS); !st.CatalogOpen || !st.CatalogShown || !st.SavedOpen {
		p.fatalf("before a model is loaded: %+v; want the catalog and the saved models open", st)
	}

	setURL(p, "/models/synth.gguf")
	p.do("pressing Load", chromedp.Click("#model-load"))
	waitModelReady(p)
	p.sleep(100 * time.Millisecond) // the render after the load
	st := eval[paneState](p, paneStateJS)
	if st.CatalogOpen || st.CatalogShown || !st.SavedOpen {
		p.fatalf("with a model loaded: %+v; want the catalog folded away, the saved models open", st)
	}

	// A conversation longer than the screen.
	showMessages(p, longConversation())
	st = eval[paneState](p, paneStateJS)
	t.Logf("a long conversation: %+v", st)
	switch {
	case st.PageHeight > st.ViewHeight:
		p.fatalf("the page scrolls: it is %v px tall in a %v px viewport", st.PageHeight, st.ViewHeight)
	case st.ListScroll <= st.ListClient:
		p.fatalf("the message list does not scroll: scrollHeight %v, clientHeight %v", st.ListScroll, st.ListClient)
	case st.ListBottom > st.ViewHeight || st.InputBottom > st.ViewHeight || st.ChatBottom > st.ViewHeight:
		p.fatalf("below the viewport (%v px): the list's bottom %v, the input's %v, the pane's %v", st.ViewHeight, st.ListBottom, st.InputBottom, st.ChatBottom)
	case st.InputTop-st.ListBottom > 40:
		p.fatalf("%v px of empty space between the message list and the input", st.InputTop-st.ListBottom)
	case st.ViewHeight-st.ChatBottom > 40:
		p.fatalf("the chat pane ends %v px above the viewport's bottom", st.ViewHeight-st.ChatBottom)
	case st.ListClient < st.ViewHeight/2:
		p.fatalf("the message list is %v px tall in a %v px viewport; want it to take the pane", st.ListClient, st.ViewHeight)
	case st.ListScroll-st.ListTopPos-st.ListClient > 2:
		p.fatalf("the list is not at its newest message: %v px below", st.ListScroll-st.ListTopPos-st.ListClient)
	}

	// The settings open above the conversation: they take what it can
	// spare and scroll by themselves; the list keeps its newest message in
	// view and the input stays on the screen.
	p.do("opening the settings", chromedp.Click("#settings-toggle"))
	waitFor(p, "the settings panel", `document.querySelector('#settings-panel')`, 5*time.Second)
	p.sleep(200 * time.Millisecond)
	st = eval[paneState](p, paneStateJS)
	switch {
	case st.PageHeight > st.ViewHeight || st.InputBottom > st.ViewHeight:
		p.fatalf("with the settings open the page is %v px, the input's bottom at %v, in a %v px viewport", st.PageHeight, st.InputBottom, st.ViewHeight)
	case st.ListClient < 120:
		p.fatalf("with the settings open the message list is %v px tall", st.ListClient)
	case st.ListScroll-st.ListTopPos-st.ListClient > 2:
		p.fatalf("opening the settings moved the list off its newest message: %v px below", st.ListScroll-st.ListTopPos-st.ListClient)
	}
	p.do("closing the settings", chromedp.Click("#settings-toggle"))
	waitFor(p, "the settings closed", `!document.querySelector('#settings-panel')`, 5*time.Second)

	// Streaming: the list follows the answer, then stays where the reader
	// scrolled to.
	sendMessage(p, "Tell me a long story about a hearth.")
	waitAnswerStreaming(p)
	waitAnswerGrows(p)
	st = eval[paneState](p, paneStateJS)
	if below := st.ListScroll - st.ListTopPos - st.ListClient; below > 64 {
		p.fatalf("while the answer streams the list is %v px above its bottom; want it to follow", below)
	}
	eval[any](p, `document.querySelector('#messages').scrollTop = 0`)
	waitAnswerGrows(p)
	if st = eval[paneState](p, paneStateJS); st.ListTopPos > 1 {
		p.fatalf("the reader scrolled the list up while the answer streamed, and it moved to %v px", st.ListTopPos)
	}
	if eval[answerState](p, answerStateJS).StopActive {
		p.do("pressing Stop", chromedp.Click("#chat-stop"))
	}
	waitAnswerEnd(p)

	// The catalog by keyboard: Enter unfolds it, the model panel scrolls
	// within the screen; Space folds it again.
	toggleCatalog(p, kb.Enter, true)
	st = eval[paneState](p, paneStateJS)
	switch {
	case st.PanelOverflow != "auto" || st.PanelScroll <= st.PanelClient:
		p.fatalf("with the catalog open the model panel does not scroll by itself: overflow-y %s, scrollHeight %v, clientHeight %v", st.PanelOverflow, st.PanelScroll, st.PanelClient)
	case st.PanelBottom > st.ViewHeight || st.PageHeight > st.ViewHeight:
		p.fatalf("with the catalog open the page grows past the viewport: panel bottom %v, page %v, viewport %v", st.PanelBottom, st.PageHeight, st.ViewHeight)
	}
	toggleCatalog(p, " ", false)
	eval[any](p, `document.activeElement.blur() ?? (document.querySelector('.model-panel').scrollTop = 0)`)

	showMessages(p, [][2]string{{"user", "How do I print a greeting in **Go**?"}, {"assistant", markdownAnswer}})
	st = eval[paneState](p, paneStateJS)
	if st.ListScroll-st.ListTopPos-st.ListClient > 2 || st.InputBottom > st.ViewHeight {
		p.fatalf("after the last answer: %+v; want the list at its newest message and the input in view", st)
	}
	// chromedp's Enter leaves its separate "char" event's newline in the
	// box (a real Enter, its keydown prevented, types none): cleared for
	// the screenshot, which shows the placeholder.
	setField(p, "chat-input", "")
	saveShot(p, "final-desktop")
	p.noExceptions()
}

// On a phone (360×740) a loaded model folds the model panel to one line,
// its name and Change model, so that the chat follows the header: the
// catalog is out of the way and the message box is on the first screen.
// Change model unfolds the panel and folds it again. Screenshot:
// /tmp/hearth-shots/final-phone.png.
func TestPhoneChatComesFirst(t *testing.T) {
	s := newSite(t, testModels(t))
	p := newPage(t, 3*time.Minute)
	p.do("opening the page on a phone",
		chromedp.EmulateViewport(360, 740, chromedp.EmulateScale(2)),
		emulateColorScheme("light"),
		hideScrollbars(),
		chromedp.Navigate(s.URL+"/?test=1&model=/models/synth.gguf"),
	)
	waitModelReady(p)
	p.sleep(100 * time.Millisecond) // the render after the load

	type phoneState struct {
		BodyShown  bool    `json:"bodyShown"`
		Toggle     bool    `json:"toggle"`
		Expanded   string  `json:"expanded"`
		Summary    string  `json:"summary"`
		ChatTop    float64 `json:"chatTop"`
		InputTop   float64 `json:"inputTop"`
		ViewHeight float64 `json:"viewHeight"`
	}
	const phoneStateJS = `(() => {
	  const q = (s) => document.querySelector(s);
	  const toggle = q('#model-panel-toggle');
	  return {
	    bodyShown: q('#model-panel-body').checkVisibility(),
	    toggle: !!toggle && toggle.getBoundingClientRect().height >= 24,
	    expanded: toggle?.getAttribute('aria-expanded') ?? '',
	    summary: q('.model-panel-summary')?.textContent ?? '',
	    chatTop: q('.chat-panel').getBoundingClientRect().top + scrollY,
	    inputTop: q('#chat-input').getBoundingClientRect().top + scrollY,
	    viewHeight: innerHeight,
	  };
	})()`
	st := eval[phoneState](p, phoneStateJS)
	t.Logf("a phone with a model loaded: %+v", st)
	switch {
	case st.BodyShown || !st.Toggle || st.Expanded != "false" || st.Summary != "synth.gguf":
		p.fatalf("with a model loaded the model panel is not folded to its name and Change model: %+v", st)
	case st.ChatTop > st.ViewHeight/2:
		p.fatalf("the chat starts %v px down a %v px screen", st.ChatTop, st.ViewHeight)
	case st.InputTop > st.ViewHeight:
		p.fatalf("the message box is %v px down a %v px screen", st.InputTop, st.ViewHeight)
	}

	p.do("pressing Change model", chromedp.Click("#model-panel-toggle"))
	waitFor(p, "the model panel unfolded", `document.querySelector('#model-panel-body').checkVisibility() && document.querySelector('#model-panel-toggle').getAttribute('aria-expanded') === 'true'`, 5*time.Second)
	p.do("pressing Change model again", chromedp.Click("#model-panel-toggle"))
	waitFor(p, "the model panel folded", `!document.querySelector('#model-panel-body').checkVisibility() && document.querySelector('#model-panel-toggle').getAttribute('aria-expanded') === 'false'`, 5*time.Second)

	showMessages(p, [][2]string{{"user", "How do I print a greeting in **Go**?"}, {"assistant", markdownAnswer}})
	// Nothing reaches past the right edge but the code, which scrolls
	// sideways inside its block.
	l := eval[layoutState](p, layoutStateJS)
	past := eval[[]string](p, `[...document.querySelectorAll('body *')].filter((e) => {
	  const r = e.getBoundingClientRect();
	  return r.width > 0 && r.right > innerWidth + 0.5 && !e.closest('pre, .skip-link');
	}).map((e) => e.outerHTML.slice(0, 80))`)
	if l.ScrollWidth > l.Width || len(past) > 0 || len(l.Small) > 0 {
		p.fatalf("the phone's layout with a conversation: %+v; past the edge: %q", l, past)
	}
	saveShot(p, "final-phone")
	p.noExceptions()
}
