//go:build !js

package web

import (
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// listed is what the conversation list shows: each conversation's title
// and whether it is the open one.
type listed struct {
	Title   string `json:"title"`
	Date    string `json:"date"`
	Current bool   `json:"current"`
}

func conversationList(p *page) []listed {
	p.t.Helper()
	return eval[[]listed](p, `[...document.querySelectorAll('#conversation-list > li')].map((li) => ({
	  title: li.querySelector('.conversation-title').textContent,
	  date: li.querySelector('.conversation-date').textContent,
	  current: li.querySelector('.conversation-open').getAttribute('aria-current') === 'true',
	}))`)
}

// waitSaved waits until the page's writes to its database are done.
func waitSaved(p *page) {
	p.t.Helper()
	waitFor(p, "the conversation to be saved", `hearthTest.savesPending() === 0`, 10*time.Second)
}

// reload reloads the page and waits for the model (from the browser's
// cache) and the saved conversations.
func reload(p *page, wantConversations int) {
	p.t.Helper()
	p.do("reloading the page", chromedp.Reload())
	waitModelReady(p)
	waitFor(p, "the saved conversations", `document.querySelectorAll('#conversation-list > li').length === `+strconv.Itoa(wantConversations), 20*time.Second)
}

// Conversations are kept in the browser: after a reload the list shows
// them, newest first, titled by their first message and dated, and the
// most recent one is open again with its messages and settings; another
// can be opened; a deleted one is gone, also after the next reload.
func TestConversationsSurviveReload(t *testing.T) {
	p, _ := openChat(t, writeChatModel(t))
	setSettings(p, map[string]string{"setting-max-tokens": "5", "setting-temperature": "0.5"})
	setField(p, "settings-system-prompt", "Answer like a sailor.")
	sendMessage(p, "What is a lighthouse for?")
	first := waitAnswered(p, 2)
	p.do("starting a new conversation", chromedp.Click(chromedp.CSS("#chat-new")))
	waitFor(p, "an empty conversation", `hearthTest.messages().length === 0`, 5*time.Second)
	sendMessage(p, "Name three knots")
	second := waitAnswered(p, 2)
	waitSaved(p)
	if got := conversationList(p); len(got) != 2 || got[0].Title != "Name three knots" || !got[0].Current || got[1].Title != "What is a lighthouse for?" || got[1].Current {
		p.fatalf("before the reload the list shows %+v", got)
	}

	reload(p, 2)
	list := conversationList(p)
	t.Logf("after the reload: %+v", list)
	if len(list) != 2 || list[0].Title != "Name three knots" || !list[0].Current || list[0].Date == "" {
		p.fatalf("after the reload the list shows %+v", list)
	}
	if ms := messages(p); len(ms) != 2 || ms[0].Text != "Name three knots" || ms[1].Text != second[1].Text || ms[1].Stats != second[1].Stats {
		p.fatalf("after the reload the open conversation is %+v; want %+v", ms, second)
	}
	if got := eval[string](p, `document.querySelector('#chat-title').textContent`); got != "Name three knots" {
		p.fatalf("the chat's title is %q", got)
	}
	// The settings came back too.
	p.do("opening the settings", chromedp.Click(chromedp.CSS("#settings-toggle")))
	waitFor(p, "the restored settings", `document.querySelector('#setting-max-tokens').value === '5' && document.querySelector('#setting-temperature').value === '0.5'`+
		` && document.querySelector('#settings-system-prompt').value === 'Answer like a sailor.'`, 5*time.Second)

	// Open the older one: its messages come back.
	p.do("opening the first conversation", chromedp.Click(chromedp.CSS("#conversation-list > li:nth-child(2) .conversation-open")))
	waitFor(p, "the first conversation", `hearthTest.messages()[0]?.text === 'What is a lighthouse for?'`, 5*time.Second)
	if ms := messages(p); len(ms) != 2 || ms[1].Text != first[1].Text {
		p.fatalf("the first conversation shows %+v", ms)
	}

	// Delete it: the list and the chat lose it, and so does the database.
	p.do("deleting the open conversation", chromedp.Click(chromedp.CSS("#conversation-list > li:nth-child(2) .conversation-delete")))
	waitFor(p, "the deletion", `document.querySelectorAll('#conversation-list > li').length === 1 && hearthTest.messages().length === 0`, 5*time.Second)
	waitSaved(p)
	reload(p, 1)
	if list := conversationList(p); len(list) != 1 || list[0].Title != "Name three knots" {
		p.fatalf("after deleting and reloading the list shows %+v", list)
	}
	stored := eval[[]string](p, `new Promise((resolve, reject) => {
	  const req = indexedDB.open('hearth-chat');
	  req.onerror = () => reject(req.error);
	  req.onsuccess = () => {
	    const all = req.result.transaction('conversations').objectStore('conversations').getAll();
	    all.onsuccess = () => resolve(all.result.map((r) => JSON.parse(r.data).title));
	  };
	})`)
	if !slices.Equal(stored, []string{"Name three knots"}) {
		p.fatalf("the database holds %q", stored)
	}
	p.noExceptions()
}
