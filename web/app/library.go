package main

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Conversations kept in the browser: each one is saved whole (in
// IndexedDB, idb_js.go) when a message is sent and when an answer ends,
// listed newest first, and opened again on the next visit.

// Conversation is a saved conversation.
type Conversation struct {
	ID       string         `json:"id"`
	Title    string         `json:"title"`
	Created  time.Time      `json:"created"`
	Updated  time.Time      `json:"updated"`
	Messages []SavedMessage `json:"messages"`
}

// SavedMessage is a message as saved.
type SavedMessage struct {
	Role  string `json:"role"`
	Text  string `json:"text"`
	Stats string `json:"stats,omitempty"`
	Error string `json:"error,omitempty"`
	// Images are a user's pictures (images.go): their bytes when at most
	// MaxKeptImageBytes, else only their names.
	Images []SavedImage `json:"images,omitempty"`
}

// SavedImage is a picture as saved: Data is nil for one not kept.
type SavedImage struct {
	Name string `json:"name"`
	Type string `json:"type,omitempty"`
	Size int64  `json:"size"`
	Data []byte `json:"data,omitempty"`
}

// ConversationStore keeps conversations and the settings. Its methods
// block until the storage answers; the app calls them off the event loop.
type ConversationStore interface {
	// Load returns every saved conversation (in no particular order) and
	// the saved settings ("" when none were saved).
	Load() ([]Conversation, string, error)
	// Put saves c, replacing the conversation of the same ID.
	Put(c Conversation) error
	// Delete removes the conversation id.
	Delete(id string) error
	// PutSettings saves the settings.
	PutSettings(settings string) error
}

// Library is the list of saved conversations and the one open.
type Library struct {
	Store   ConversationStore // nil until the storage is open (or when it cannot be)
	Items   []*Conversation   // newest first
	Current string            // the open conversation's ID ("" until its first message is saved)
	Error   string            // why conversations are not being kept

	saves   *callQueue   // the store's writes, in order
	pending atomic.Int32 // writes queued and not finished
}

// maxTitle is the longest title, in characters.
const maxTitle = 60

// titleOf is a conversation's title: the start of its first user message.
func titleOf(msgs []SavedMessage) string {
	for _, m := range msgs {
		if m.Role != "user" {
			continue
		}
		t := strings.Join(strings.Fields(m.Text), " ")
		if utf8.RuneCountInString(t) > maxTitle {
			// Cut at the last space that keeps most of it, not mid-word.
			cut := string([]rune(t)[:maxTitle-1])
			if i := strings.LastIndexByte(cut, ' '); i > len(cut)/2 {
				cut = cut[:i]
			}
			t = strings.TrimRight(cut, " ,;:") + "…"
		}
		if t != "" {
			return t
		}
	}
	return "New conversation"
}

// newConversationID makes a conversation's key: the time, then random
// digits, so that two tabs never collide.
func newConversationID(now time.Time) string {
	return "c" + strconv.FormatInt(now.UnixMilli(), 36) + "-" + strconv.FormatUint(rand.Uint64N(1<<40), 36)
}

// ConversationDate is how the list shows when c last changed: the time
// today, the day this year, the date before.
func ConversationDate(c *Conversation, now time.Time) string {
	t := c.Updated.In(now.Location())
	switch {
	case t.Year() == now.Year() && t.YearDay() == now.YearDay():
		return t.Format("15:04")
	case t.Year() == now.Year():
		return t.Format("2 Jan")
	}
	return t.Format("2 Jan 2006")
}

// SavesPending tells how many writes to the store have not finished.
func (l *Library) SavesPending() int { return int(l.pending.Load()) }

// write queues f, a write to the store, after the earlier ones.
func (a *App) write(what string, f func(ConversationStore) error) {
	store := a.Library.Store
	if store == nil {
		return
	}
	if a.Library.saves == nil {
		a.Library.saves = newCallQueue()
	}
	a.Library.pending.Add(1)
	a.Library.saves.push(func() {
		err := f(store)
		a.Library.pending.Add(-1)
		if err != nil {
			a.update(func() { a.Library.Error = fmt.Sprintf("%s: %v", what, err) })
		}
	})
}

// saveConversation saves the open conversation (its finished messages).
// Call it with the lock held.
func (a *App) saveConversation() {
	var msgs []SavedMessage
	for _, m := range a.Chat.Messages {
		if m.Streaming || (m.Text == "" && m.Error == "" && len(m.Images) == 0) {
			continue
		}
		msgs = append(msgs, SavedMessage{Role: m.Role, Text: m.Text, Stats: m.Stats, Error: m.Error, Images: savedImages(m.Images)})
	}
	if len(msgs) == 0 {
		return
	}
	now := a.Now()
	i := slices.IndexFunc(a.Library.Items, func(c *Conversation) bool { return c.ID == a.Library.Current })
	var c *Conversation
	if a.Library.Current == "" || i < 0 {
		c = &Conversation{ID: newConversationID(now), Created: now}
		a.Library.Current = c.ID
	} else {
		c = a.Library.Items[i]
		a.Library.Items = slices.Delete(a.Library.Items, i, i+1)
	}
	c.Title, c.Updated, c.Messages = titleOf(msgs), now, msgs
	a.Library.Items = slices.Insert(a.Library.Items, 0, c)
	saved := *c
	a.write("saving the conversation", func(s ConversationStore) error { return s.Put(saved) })
}

// saveSettings saves the settings. Call it with the lock held.
func (a *App) saveSettings() {
	settings := a.settingsJSON()
	a.write("saving the settings", func(s ConversationStore) error { return s.PutSettings(settings) })
}

// CanSwitch tells whether conversations may be opened, started or deleted
// now (not while an answer is being written).
func (a *App) CanSwitch() bool { return !a.Chat.Generating }

// NewConversation starts an empty conversation; the one open stays in the
// list. Call it with the lock held.
func (a *App) NewConversation() {
	if !a.CanSwitch() {
		return
	}
	a.Chat.Messages, a.Chat.Notice, a.Chat.EditingID = nil, "", 0
	a.Library.Current = ""
}

// OpenConversation shows the saved conversation id. Call it with the lock
// held.
func (a *App) OpenConversation(id string) {
	if !a.CanSwitch() {
		return
	}
	i := slices.IndexFunc(a.Library.Items, func(c *Conversation) bool { return c.ID == id })
	if i < 0 {
		return
	}
	a.NewConversation()
	c := a.Library.Items[i]
	for _, m := range c.Messages {
		msg := a.Chat.add(m.Role, m.Text)
		msg.Stats, msg.Error = m.Stats, m.Error
		msg.Images = restoredImages(m.Images) // images_store.go
	}
	a.Library.Current = c.ID
}

// DeleteConversation removes the saved conversation id; when it is the
// open one, an empty conversation takes its place. Call it with the lock
// held.
func (a *App) DeleteConversation(id string) {
	if !a.CanSwitch() {
		return
	}
	a.Library.Items = slices.DeleteFunc(a.Library.Items, func(c *Conversation) bool { return c.ID == id })
	if a.Library.Current == id {
		a.NewConversation()
	}
	a.write("deleting the conversation", func(s ConversationStore) error { return s.Delete(id) })
}

// ConversationTitle is the open conversation's title.
func (a *App) ConversationTitle() string {
	for _, c := range a.Library.Items {
		if c.ID == a.Library.Current {
			return c.Title
		}
	}
	return "New conversation"
}

// restoreLibrary takes what the store holds: the conversations (the most
// recent one opens, unless a conversation was started meanwhile, which is
// then saved) and the settings. Call it with the lock held.
func (a *App) restoreLibrary(store ConversationStore, convs []Conversation, settings string, err error) {
	a.Library.Store = store
	if err != nil {
		a.Library.Error = "reading the saved conversations: " + err.Error()
	}
	for i := range convs {
		c := convs[i]
		a.Library.Items = append(a.Library.Items, &c)
	}
	slices.SortStableFunc(a.Library.Items, func(x, y *Conversation) int { return y.Updated.Compare(x.Updated) })
	if settings != "" {
		if err := a.restoreSettings(settings); err != nil {
			a.Library.Error = err.Error()
		}
	}
	switch {
	case len(a.Chat.Messages) > 0:
		a.saveConversation()
	case len(a.Library.Items) > 0:
		a.OpenConversation(a.Library.Items[0].ID)
	}
}
