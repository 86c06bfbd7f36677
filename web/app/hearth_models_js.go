//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"syscall/js"
	"time"
)

// The ModelManager of the page: loads that replace the loaded model once
// the new file is checked, cancel, and the cached models through the
// engine worker (hearth.js); the storage estimate, persistence and
// /models/local.json through the browser's own APIs.

var _ ModelManager = (*hearthEngine)(nil)

// jsError is a rejected promise's reason: its message and the value.
type jsError struct {
	msg   string
	value js.Value
}

func (e *jsError) Error() string { return e.msg }

// await waits for promise p and returns its value; a rejection comes back
// as a *jsError. Callbacks go through the engine's call queue, so they stay
// in order with the engine's events.
func (h *hearthEngine) await(p js.Value) (js.Value, error) {
	type answer struct {
		v   js.Value
		err error
	}
	done := make(chan answer, 1)
	resolve := js.FuncOf(func(_ js.Value, a []js.Value) any {
		v := js.Undefined()
		if len(a) > 0 {
			v = a[0]
		}
		h.calls.push(func() { done <- answer{v: v} })
		return nil
	})
	defer resolve.Release()
	reject := js.FuncOf(func(_ js.Value, a []js.Value) any {
		e := &jsError{msg: "the request failed without saying why", value: js.Undefined()}
		if len(a) > 0 {
			e.msg, e.value = errorText(a[0]), a[0]
		}
		h.calls.push(func() { done <- answer{err: e} })
		return nil
	})
	defer reject.Release()
	if err := catch(func() { p.Call("then", resolve, reject) }); err != nil {
		return js.Undefined(), err
	}
	a := <-done
	return a.v, a.err
}

// request calls client[method](args...) and waits for its promise.
func (h *hearthEngine) request(method string, args ...any) (js.Value, error) {
	var p js.Value
	if err := catch(func() { p = h.client.Call(method, args...) }); err != nil {
		return js.Undefined(), err
	}
	return h.await(p)
}

func (h *hearthEngine) LoadSource(src ModelSource, opt LoadOptions, onProgress func(Progress)) (ModelInfo, error) {
	progress := js.FuncOf(func(_ js.Value, a []js.Value) any {
		if len(a) > 0 && a[0].Type() == js.TypeObject {
			p := Progress{Phase: stringField(a[0], "phase"), Loaded: int64(numberField(a[0], "loaded")), Total: int64(numberField(a[0], "total"))}
			p.File = stringField(a[0], "file") // a pair's: "model" or "mmproj"
			h.calls.push(func() { onProgress(p) })
		}
		return nil
	})
	defer progress.Release()
	var source any = src.URL
	if src.IsFile() {
		f, ok := src.File.(js.Value)
		if !ok {
			return ModelInfo{}, fmt.Errorf("%s: not a browser file (%T)", src.Name, src.File)
		}
		source = f
	}
	v, err := h.request("load", source, map[string]any{
		"threads": threads(), "onProgress": progress, "replace": true,
		"memoryLimit": float64(opt.MemoryLimit), "memoryLimitWhy": opt.MemoryLimitWhy, "sha256": src.SHA256,
		"expertBudget": float64(opt.ExpertBudget),
		"mmproj":       pairArg(src.MMProj), // images_js.go: a vision model's image encoder, or null
	})
	if err != nil {
		return ModelInfo{}, loadErrorOf(err)
	}
	return ModelInfo{
		Arch: stringField(v, "arch"), Layers: int(numberField(v, "layers")), Vocab: int(numberField(v, "vocab")),
		Context: int(numberField(v, "context")), WeightType: stringField(v, "weightType"), Threads: int(numberField(v, "threads")),
		Cached: v.Get("cached").Truthy(), Storage: stringField(v, "storage"), Seconds: numberField(v, "loadSeconds"),
		ExpertCache: expertCacheOf(v), // hearth_experts_js.go
		Vision:      visionOf(v),      // images_js.go
	}, nil
}

// loadErrorOf reads the details a failed load's error carries (worker.js).
func loadErrorOf(err error) error {
	var je *jsError
	if !errors.As(err, &je) || je.value.Type() != js.TypeObject {
		return err
	}
	v := je.value
	return &LoadError{
		Msg: je.msg, Reason: stringField(v, "reason"),
		Cancelled: v.Get("cancelled").Truthy(), ModelLoaded: v.Get("modelLoaded").Truthy(),
		ExpertBudget: int64(numberField(v, "expertBudget")),
	}
}

func (h *hearthEngine) CancelLoad() {
	// The answer (whether a load was under way) says nothing the load's
	// own answer will not.
	_ = catch(func() { h.client.Call("cancel") })
}

func (h *hearthEngine) CachedModels() ([]CachedModel, error) {
	v, err := h.request("models")
	if err != nil {
		return nil, err
	}
	if v.Type() != js.TypeObject {
		return nil, errors.New("the engine's list of stored models is not a list")
	}
	out := make([]CachedModel, v.Length())
	for i := range out {
		m := v.Index(i)
		out[i] = CachedModel{URL: stringField(m, "url"), Size: int64(numberField(m, "size"))}
		out[i].Kind, out[i].MMProj, out[i].SHA256 = stringField(m, "kind"), stringField(m, "mmproj"), stringField(m, "sha256") // saved_pairs.go
		if d, err := time.Parse(time.RFC3339, stringField(m, "date")); err == nil {
			out[i].Date = d
		}
	}
	return out, nil
}

func (h *hearthEngine) DeleteCachedModel(url string) error {
	v, err := h.request("deleteModel", url)
	if err != nil {
		return err
	}
	if !v.Truthy() {
		return errors.New("it was not stored")
	}
	return nil
}

// storage is navigator.storage, or an error where the browser has none
// (an insecure origin).
func storage() (js.Value, error) {
	s := js.Global().Get("navigator").Get("storage")
	if !s.Truthy() {
		return js.Undefined(), errors.New("this browser offers no storage manager here (navigator.storage)")
	}
	return s, nil
}

func (h *hearthEngine) StorageEstimate() (StorageEstimate, error) {
	s, err := storage()
	if err != nil {
		return StorageEstimate{}, err
	}
	var p js.Value
	if err := catch(func() { p = s.Call("estimate") }); err != nil {
		return StorageEstimate{}, err
	}
	v, err := h.await(p)
	if err != nil {
		return StorageEstimate{}, err
	}
	return StorageEstimate{Usage: int64(numberField(v, "usage")), Quota: int64(numberField(v, "quota"))}, nil
}

func (h *hearthEngine) PersistStorage(ask bool) (bool, error) {
	s, err := storage()
	if err != nil {
		return false, err
	}
	method := "persisted"
	if ask {
		method = "persist"
	}
	if s.Get(method).Type() != js.TypeFunction {
		return false, fmt.Errorf("this browser has no navigator.storage.%s", method)
	}
	var p js.Value
	if err := catch(func() { p = s.Call(method) }); err != nil {
		return false, err
	}
	v, err := h.await(p)
	return v.Truthy(), err
}

// localModelList is where `make run MODEL=…` lists the files it offers,
// relative to the page.
const localModelList = "models/local.json"

func (h *hearthEngine) LocalModels() ([]LocalModel, error) {
	var p js.Value
	if err := catch(func() { p = js.Global().Call("fetch", localModelList, map[string]any{"cache": "no-store"}) }); err != nil {
		return nil, err
	}
	resp, err := h.await(p)
	if err != nil {
		return nil, err
	}
	if !resp.Get("ok").Truthy() {
		return nil, nil // no list: the server offers no files (only `make run MODEL=…` does)
	}
	v, err := h.await(resp.Call("json"))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", localModelList, err)
	}
	if v.Type() != js.TypeObject || !js.Global().Get("Array").Call("isArray", v).Bool() {
		return nil, fmt.Errorf("%s is not a list", localModelList)
	}
	var out []LocalModel
	for i := range v.Length() {
		m := v.Index(i)
		if u := stringField(m, "url"); u != "" {
			out = append(out, LocalModel{Name: stringField(m, "name"), Size: int64(numberField(m, "size")), URL: u})
		}
	}
	return out, nil
}
