//go:build js && wasm

package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"syscall/js"
)

// The conversations and settings in IndexedDB: database hearth-chat,
// object stores "conversations" (key "id": {id, updated, data}) and
// "settings" (key "key": {key, data}); data is the record as JSON, so that
// the Go types decide its shape.
const (
	idbName          = "hearth-chat"
	idbVersion       = 1
	idbConversations = "conversations"
	idbSettings      = "settings"
	idbSettingsKey   = "chat"
)

// idbStore is a ConversationStore in IndexedDB.
type idbStore struct{ db js.Value }

// openIDBStore opens (creating on first use) the database.
func openIDBStore() (*idbStore, error) {
	factory := js.Global().Get("indexedDB")
	if !factory.Truthy() {
		return nil, errors.New("this browser offers no IndexedDB (a private window?)")
	}
	var req js.Value
	if err := catch(func() { req = factory.Call("open", idbName, idbVersion) }); err != nil {
		return nil, err
	}
	upgrade := js.FuncOf(func(js.Value, []js.Value) any {
		db := req.Get("result")
		names := db.Get("objectStoreNames")
		if !names.Call("contains", idbConversations).Bool() {
			db.Call("createObjectStore", idbConversations, map[string]any{"keyPath": "id"})
		}
		if !names.Call("contains", idbSettings).Bool() {
			db.Call("createObjectStore", idbSettings, map[string]any{"keyPath": "key"})
		}
		return nil
	})
	defer upgrade.Release()
	req.Set("onupgradeneeded", upgrade)
	db, err := awaitRequest(req, "onsuccess")
	if err != nil {
		return nil, fmt.Errorf("opening the browser's database: %w", err)
	}
	return &idbStore{db: db}, nil
}

// idbAnswer is how an IndexedDB request or transaction ended.
type idbAnswer struct {
	v   js.Value
	err error
}

// watch listens for an IndexedDB request (or transaction) to fire event
// ("onsuccess", "oncomplete") or fail; the answer (with the request's
// result on success) comes on the channel. Call it in the same turn as the
// request is made (before the goroutine waits for anything), so that its
// events cannot come before the handlers are there. The handlers remove
// themselves on the first event (a failed transaction fires error, then
// abort).
func watch(req js.Value, event string) <-chan idbAnswer {
	done := make(chan idbAnswer, 1)
	events := []string{event, "onerror", "onabort"}
	var ok, fail js.Func
	finish := func(a idbAnswer) {
		for _, e := range events {
			req.Set(e, js.Null())
		}
		ok.Release()
		fail.Release()
		done <- a
	}
	ok = js.FuncOf(func(js.Value, []js.Value) any {
		var v js.Value
		if event == "onsuccess" {
			v = req.Get("result")
		}
		finish(idbAnswer{v: v})
		return nil
	})
	fail = js.FuncOf(func(js.Value, []js.Value) any {
		msg := "the database failed without saying why"
		if e := req.Get("error"); e.Truthy() {
			msg = errorText(e)
		}
		finish(idbAnswer{err: errors.New(msg)})
		return nil
	})
	req.Set(event, ok)
	req.Set("onerror", fail)
	req.Set("onabort", fail)
	return done
}

// awaitRequest watches req and waits for its answer.
func awaitRequest(req js.Value, event string) (js.Value, error) {
	a := <-watch(req, event)
	return a.v, a.err
}

// write runs put(store) in a read-write transaction of the object store
// name, and waits until the transaction has committed.
func (s *idbStore) write(name string, put func(store js.Value)) error {
	var tx js.Value
	if err := catch(func() {
		tx = s.db.Call("transaction", name, "readwrite")
		put(tx.Call("objectStore", name))
	}); err != nil {
		return err
	}
	_, err := awaitRequest(tx, "oncomplete")
	return err
}

func (s *idbStore) Put(c Conversation) error {
	data, err := json.Marshal(c)
	if err != nil {
		return err
	}
	return s.write(idbConversations, func(store js.Value) {
		store.Call("put", map[string]any{"id": c.ID, "updated": float64(c.Updated.UnixMilli()), "data": string(data)})
	})
}

func (s *idbStore) Delete(id string) error {
	return s.write(idbConversations, func(store js.Value) { store.Call("delete", id) })
}

func (s *idbStore) PutSettings(settings string) error {
	return s.write(idbSettings, func(store js.Value) {
		store.Call("put", map[string]any{"key": idbSettingsKey, "data": settings})
	})
}

func (s *idbStore) Load() ([]Conversation, string, error) {
	var all, one <-chan idbAnswer
	if err := catch(func() {
		tx := s.db.Call("transaction", []any{idbConversations, idbSettings}, "readonly")
		all = watch(tx.Call("objectStore", idbConversations).Call("getAll"), "onsuccess")
		one = watch(tx.Call("objectStore", idbSettings).Call("get", idbSettingsKey), "onsuccess")
	}); err != nil {
		return nil, "", err
	}
	a, b := <-all, <-one
	if err := errors.Join(a.err, b.err); err != nil {
		return nil, "", err
	}
	records, setting := a.v, b.v
	var convs []Conversation
	var bad []error
	for i := range records.Length() {
		r := records.Index(i)
		var c Conversation
		if err := json.Unmarshal([]byte(stringField(r, "data")), &c); err != nil || c.ID == "" {
			bad = append(bad, fmt.Errorf("conversation %q is unreadable", stringField(r, "id")))
			continue
		}
		convs = append(convs, c)
	}
	settings := ""
	if setting.Type() == js.TypeObject {
		settings = stringField(setting, "data")
	}
	return convs, settings, errors.Join(bad...)
}
