package main

import (
	"bytes"
	"errors"
	"maps"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/vugu/vugu/staticrender"
)

// mapStore is a ConversationStore in a map, as the browser's database
// would hold it.
type mapStore struct {
	mu       sync.Mutex
	convs    map[string]Conversation
	settings string
	fail     error // every write fails with this, when set
}

func newMapStore() *mapStore { return &mapStore{convs: map[string]Conversation{}} }

func (s *mapStore) Load() ([]Conversation, string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Collect(maps.Values(s.convs)), s.settings, nil
}

func (s *mapStore) Put(c Conversation) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.fail != nil {
		return s.fail
	}
	s.convs[c.ID] = c
	return nil
}

func (s *mapStore) Delete(id string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.convs, id)
	return s.fail
}

func (s *mapStore) PutSettings(settings string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.settings = settings
	return s.fail
}

// libraryApp is an app with a clock that advances a minute per reading,
// its library in store.
func libraryApp(store ConversationStore) *App {
	var buf bytes.Buffer
	app := NewApp(brokenEngine{errors.New("no engine")}, staticrender.New(&buf).EventEnv())
	now := time.Date(2026, 3, 14, 9, 0, 0, 0, time.UTC)
	app.Now = func() time.Time { now = now.Add(time.Minute); return now }
	app.restoreLibrary(store, nil, "", nil)
	return app
}

// waitSaved waits until the library's writes are done.
func waitSaved(t *testing.T, app *App) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); app.Library.SavesPending() > 0; {
		if time.Now().After(deadline) {
			t.Fatal("the writes did not finish")
		}
		time.Sleep(time.Millisecond)
	}
}

// Conversations are saved with their finished messages and a title from
// the first user message, listed newest first, opened again, and deleted;
// a new app on the same store opens the most recent one.
func TestLibrary(t *testing.T) {
	store := newMapStore()
	app := libraryApp(store)
	app.ShowMessage("user", "  What is\na   GGUF file?  ")
	answer := app.Chat.add("assistant", "A file format.")
	answer.Stats = "4 tokens"
	streaming := app.Chat.add("assistant", "not finished")
	streaming.Streaming = true
	app.saveConversation()
	first := app.Library.Current
	if first == "" || len(app.Library.Items) != 1 || app.Library.Items[0].Title != "What is a GGUF file?" {
		t.Fatalf("after saving: current %q, items %+v", first, app.Library.Items)
	}
	waitSaved(t, app)
	want := []SavedMessage{{Role: "user", Text: "  What is\na   GGUF file?  "}, {Role: "assistant", Text: "A file format.", Stats: "4 tokens"}}
	if got := store.convs[first]; !reflect.DeepEqual(got.Messages, want) || got.Title != "What is a GGUF file?" {
		t.Fatalf("stored %+v", got)
	}

	// A second conversation goes first in the list.
	app.NewConversation()
	if len(app.Chat.Messages) != 0 || app.Library.Current != "" || app.ConversationTitle() != "New conversation" {
		t.Fatalf("a new conversation is not empty: %d messages, current %q", len(app.Chat.Messages), app.Library.Current)
	}
	app.ShowMessage("user", "Second")
	app.saveConversation()
	second := app.Library.Current
	if ids := []string{app.Library.Items[0].ID, app.Library.Items[1].ID}; !slices.Equal(ids, []string{second, first}) {
		t.Fatalf("the list is %v; want the newest (%s) first", ids, second)
	}

	// Opening the first shows its messages; saving it again moves it up.
	app.OpenConversation(first)
	if len(app.Chat.Messages) != 2 || app.Chat.Messages[1].Stats != "4 tokens" || app.ConversationTitle() != "What is a GGUF file?" {
		t.Fatalf("opened %+v", app.Chat.Messages)
	}
	app.ShowMessage("user", "More?")
	app.saveConversation()
	if app.Library.Items[0].ID != first || app.Library.Current != first {
		t.Fatalf("the updated conversation is not first")
	}
	waitSaved(t, app)

	// Another visit: the most recent conversation opens.
	again := libraryApp(nil)
	convs, settings, _ := store.Load()
	again.Library.Items = nil
	again.restoreLibrary(store, convs, settings, nil)
	if again.Library.Current != first || len(again.Chat.Messages) != 3 || len(again.Library.Items) != 2 {
		t.Fatalf("restored: current %q, %d messages, %d conversations", again.Library.Current, len(again.Chat.Messages), len(again.Library.Items))
	}

	// Deleting the open one leaves an empty conversation, and the store
	// without it.
	again.DeleteConversation(first)
	waitSaved(t, again)
	if again.Library.Current != "" || len(again.Chat.Messages) != 0 || len(again.Library.Items) != 1 {
		t.Fatalf("after deleting: current %q, %d messages, %d items", again.Library.Current, len(again.Chat.Messages), len(again.Library.Items))
	}
	if _, ok := store.convs[first]; ok || len(store.convs) != 1 {
		t.Fatalf("the store still has the deleted conversation: %v", slices.Collect(maps.Keys(store.convs)))
	}
}

// Nothing is switched while an answer is written; a conversation begun
// before the store opened is saved when it does; a failed write is shown.
func TestLibraryEdges(t *testing.T) {
	store := newMapStore()
	var buf bytes.Buffer
	app := NewApp(brokenEngine{errors.New("no engine")}, staticrender.New(&buf).EventEnv())
	app.ShowMessage("user", "Early")
	app.Chat.Generating = true
	app.NewConversation()
	if len(app.Chat.Messages) != 1 {
		t.Fatal("New conversation worked while an answer was being written")
	}
	app.Chat.Generating = false
	old := Conversation{ID: "old", Title: "Old", Updated: time.Now().Add(-time.Hour), Messages: []SavedMessage{{Role: "user", Text: "Old"}}}
	app.restoreLibrary(store, []Conversation{old}, "", nil)
	waitSaved(t, app)
	if len(app.Chat.Messages) != 1 || app.Chat.Messages[0].Text != "Early" || len(store.convs) != 1 || app.Library.Items[0].Title != "Early" {
		t.Fatalf("the early conversation was replaced or not saved: %d messages, store %v", len(app.Chat.Messages), store.convs)
	}
	store.fail = errors.New("QuotaExceededError")
	app.ShowMessage("user", "Again")
	app.saveConversation()
	waitSaved(t, app)
	app.Env.RLock()
	msg := app.Library.Error
	app.Env.RUnlock()
	if msg != "saving the conversation: QuotaExceededError" {
		t.Fatalf("a failed write shows %q", msg)
	}
}

func TestTitlesAndDates(t *testing.T) {
	long := "word Lorem ipsum dolor sit amet, consectetur adipiscing elit, sed do eiusmod tempor incididunt"
	for msgs, want := range map[*[]SavedMessage]string{
		{{Role: "assistant", Text: "Hi"}, {Role: "user", Text: "\n  Hello\tthere "}}: "Hello there",
		{{Role: "user", Text: " "}}:  "New conversation",
		{{Role: "user", Text: long}}: "word Lorem ipsum dolor sit amet, consectetur adipiscing…",
	} {
		if got := titleOf(*msgs); got != want {
			t.Errorf("titleOf(%+v) = %q, want %q", *msgs, got, want)
		}
	}
	now := time.Date(2026, 3, 14, 18, 0, 0, 0, time.UTC)
	for at, want := range map[time.Time]string{
		time.Date(2026, 3, 14, 9, 5, 0, 0, time.UTC):  "09:05",
		time.Date(2026, 1, 2, 9, 5, 0, 0, time.UTC):   "2 Jan",
		time.Date(2025, 12, 31, 9, 5, 0, 0, time.UTC): "31 Dec 2025",
	} {
		if got := ConversationDate(&Conversation{Updated: at}, now); got != want {
			t.Errorf("ConversationDate(%v) = %q, want %q", at, got, want)
		}
	}
}
