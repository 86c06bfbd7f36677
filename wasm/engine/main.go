//go:build js && wasm

// Command engine is Hearth's engine for the browser: built for js/wasm, it
// runs in a Web Worker beside kernels.wasm, whose exports and arena memory
// the JS glue (web/engine/runtime.js) provides as the imports package
// engine/compute/arena documents.
//
// It sets one global, hearthEngine, whose methods the glue calls
// synchronously; each returns an object, with an error field when the call
// failed:
//
//	load(source, nCtx, batch[, opts]) → {arch, layers, embd, vocab, weightType, context, threads, addBOS, arenaBytes, seconds, needBytes, kvType[, expertCache][, vision]}
//	probe(source, nCtx, batch[, opts]) → {arch, layers, embd, vocab, context, weightBytes, kvBytes, scratchBytes, needBytes, fileBytes}
//	tokenize(text)            → {ids}
//	chat(messages[, opts])    → {ids, prompt, template, promptTokens[, images]}   (chat.go, chatimages.go)
//	prepare(messages[, opts]) → {promptTokens, images, inputs, pending, imagesCached, imagesEncoded} (chatimages.go)
//	encodeNext()              → {image, images, tile, tiles, input, inputs, done, seconds, kept}
//	startPrepared(sampling)   → {promptTokens, prefillSeconds}
//	start(ids, sampling)      → {promptTokens, prefillSeconds}
//	next(more)                → {id, text, eog, full, done, complete, forwardSeconds}
//	memory()                  → {arenaBytes, arenaUsed, kvTokens, goHeapLive, goHeapSys, goSys[, expertCache][, imageCache]}
//	unload()                  → {}
//
// opts of load and probe: {replace, limit, limitWhy, kvType, expertBudget}:
// expertBudget (bytes) pages a mixture of experts' experts from the source
// into an expert cache of at most that size in the arena, and the glue
// keeps the source open until the model is unloaded; expertCache (load,
// memory) then reports {slots, experts, layers, cacheBytes, expertBytes,
// hits, misses, hitRate, bytesRead}. kvType is
// the KV cache's element type, "f16" (the default) or "f32"; replace lets the
// load take the place of a loaded model once the new file has passed its
// checks (probe.go); limit (bytes) is a memory ceiling besides the arena's
// 4 GiB, limitWhy what sets it. A failed load or probe says why in reason
// ("not-gguf", "truncated", "invalid", "unsupported", "too-large"; absent
// for other failures), badFile when the bytes themselves are unusable,
// and modelLoaded whether a model is still loaded after a failed load; a
// mixture of experts refused as "too-large" whose experts could be paged
// also says expertBudget: the largest budget (bytes) that would fit.
//
// Vision (vision.go, chatimages.go): load's opts.mmproj is the source of
// the model's image encoder (an mmproj GGUF file, general.architecture
// "clip", projector mlp or idefics3); the pair is checked together before
// a loaded model is given up (the encoder's tensors bound without memory,
// its width against the model's, both models' weights, KV cache and
// working memory — the encoder's included — against the limits), and the
// answer adds vision {projector, imageSize, patchSize, tokensPerImage,
// layers, embd, weightBytes, scratchBytes, maxImagePixels, tiles}; a
// failure of the mmproj file says mmproj: true. opts.maxImagePixels bounds
// images (default DefaultMaxImagePixels, checked from the header before
// decoding). A message's content is a string or a list of parts
// [{type: 'text', text}, {type: 'image', data: Uint8Array}]; chat counts
// the images' embeddings in promptTokens without encoding anything;
// prepare keeps the prompt, encodeNext encodes one image input (an image,
// or one SmolVLM tile: image and tile say which, done when all are),
// startPrepared evaluates it and starts the generation that next
// continues. Images are not encoded twice (imagecache.go): the pair keeps
// the embeddings of the images it encoded, keyed by the SHA-256 of their
// bytes, at most opts.imageCacheBytes of them (default 64 MiB; 0: none),
// and the layouts of those it decoded; prepare then takes a cached image
// encoded (imagesCached; imagesEncoded are those left to encode, pending
// their inputs), encodeNext's kept says the image it finished went into
// the cache, chat counts a known image without decoding it, and memory
// reports imageCache {images, bytes, maxBytes, layouts, hits, misses}.
// The cache goes with the pair (unload, or a load replacing it).
// A refused image answers reason "no-vision" (a model without
// an encoder), "not-image", "image-corrupt" or "image-too-large"; the
// model stays loaded and nothing is kept.
//
// source is the id of a file source the glue registered; sampling holds
// temperature, topK, topP, minP, repeatPenalty, repeatLastN,
// presencePenalty, frequencyPenalty and seed (absent fields: greedy
// decoding with nothing else applied), and schema: a JSON schema's text
// (engine/sample/constrain's subset) that constrains the generation to
// valid documents (schema.go); next then reports complete (the text is a
// whole document) and done (complete, and nothing may follow: stop).
package main

import (
	"errors"
	"fmt"
	"runtime/debug"
	"syscall/js"

	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/sample"
)

func main() {
	// The Go heap lives in the Go instance's linear memory, which never
	// shrinks: its high-water mark is what the page pays for as long as
	// it lives. A GC at 25% growth (instead of 100%) keeps that mark close
	// to the live heap (mostly the tokenizer's tables: ~1.6 MB for a 49k
	// vocabulary, read with gguf's compact strings so the file's token
	// list is shared, not copied); the engine allocates little per token,
	// so collections are rare and short.
	debug.SetGCPercent(25)
	var e engine
	api := map[string]any{
		"load": call(func(args []js.Value) (map[string]any, error) {
			info, err := e.load(uint32(intArg(args, 0)), imageCacheOption(args, visionOptions(args, checkOptions(args, loadOptions{Context: intArg(args, 1), Batch: intArg(args, 2)}))))
			if err != nil {
				return nil, &loadError{err: err, modelLoaded: e.m != nil}
			}
			res := map[string]any{
				"arch": info.Arch, "layers": info.Layers, "embd": info.Embd, "vocab": info.Vocab,
				"weightType": info.WeightType, "context": info.Context, "threads": info.Threads,
				"addBOS": info.AddBOS, "arenaBytes": info.ArenaBytes, "seconds": info.Seconds,
				"needBytes": info.NeedBytes, "kvType": info.KVType,
			}
			if c := e.expertCache(); c != nil {
				res["expertCache"] = c
			}
			if v := e.visionInfo(); v != nil {
				res["vision"] = v
			}
			return res, nil
		}),
		"probe": call(func(args []js.Value) (map[string]any, error) {
			r, err := e.probe(uint32(intArg(args, 0)), checkOptions(args, loadOptions{Context: intArg(args, 1), Batch: intArg(args, 2)}))
			if err != nil {
				return nil, err
			}
			res := map[string]any{
				"arch": r.Arch, "layers": r.Layers, "embd": r.Embd, "vocab": r.Vocab, "context": r.Context,
				"weightBytes": r.WeightBytes, "kvBytes": r.KVBytes, "scratchBytes": r.ScratchBytes,
				"needBytes": r.NeedBytes(), "fileBytes": r.FileBytes,
			}
			if p := r.Experts; p != nil {
				res["expertCache"] = map[string]any{"slots": p.Slots, "experts": p.Experts, "layers": p.Layers, "cacheBytes": p.CacheBytes, "expertBytes": p.ExpertBytes}
			}
			return res, nil
		}),
		"tokenize": call(func(args []js.Value) (map[string]any, error) {
			if len(args) < 1 || args[0].Type() != js.TypeString {
				return nil, fmt.Errorf("tokenize takes a string")
			}
			ids, err := e.tokenize(args[0].String())
			if err != nil {
				return nil, err
			}
			out := make([]any, len(ids))
			for i, id := range ids {
				out[i] = id
			}
			return map[string]any{"ids": out}, nil
		}),
		"start": call(func(args []js.Value) (map[string]any, error) {
			if len(args) < 1 || args[0].Type() != js.TypeObject {
				return nil, fmt.Errorf("start takes an array of token ids")
			}
			n := args[0].Length()
			ids := make([]int32, n)
			for i := range ids {
				v := args[0].Index(i)
				if v.Type() != js.TypeNumber {
					return nil, fmt.Errorf("token %d of the prompt is not a number", i)
				}
				ids[i] = int32(v.Int())
			}
			var cfg sample.Config
			schema := ""
			if len(args) > 1 && args[1].Type() == js.TypeObject {
				cfg = samplingConfig(args[1])
				if v := args[1].Get("schema"); v.Type() == js.TypeString {
					schema = v.String()
				} else if !v.IsUndefined() && !v.IsNull() {
					return nil, fmt.Errorf("sampling.schema must be the JSON schema's text (a string)")
				}
			}
			r, err := e.start(ids, cfg, schema)
			if err != nil {
				return nil, err
			}
			return map[string]any{"promptTokens": r.PromptTokens, "prefillSeconds": r.PrefillSeconds}, nil
		}),
		"next": call(func(args []js.Value) (map[string]any, error) {
			r, err := e.next(len(args) > 0 && args[0].Truthy())
			if err != nil {
				return nil, err
			}
			return map[string]any{"id": r.ID, "text": r.Text, "eog": r.EOG, "full": r.Full, "done": r.Done, "complete": r.Complete, "forwardSeconds": r.ForwardSeconds}, nil
		}),
		"memory": call(func([]js.Value) (map[string]any, error) {
			m := e.memory()
			res := map[string]any{
				"arenaBytes": m.ArenaBytes, "arenaUsed": m.ArenaUsed, "kvTokens": m.KVTokens,
				"goHeapLive": m.GoHeapLive, "goHeapSys": m.GoHeapSys, "goSys": m.GoSys,
			}
			if c := e.expertCache(); c != nil {
				res["expertCache"] = c
			}
			if c := e.imageCacheInfo(); c != nil {
				res["imageCache"] = c
			}
			return res, nil
		}),
		"chat":    call(e.chatRequest),
		"prepare": call(e.prepareRequest),
		"encodeNext": call(func([]js.Value) (map[string]any, error) {
			return e.encodeNext()
		}),
		"startPrepared": call(func(args []js.Value) (map[string]any, error) {
			cfg, schema, err := startSampling(args, 0)
			if err != nil {
				return nil, err
			}
			r, err := e.startPrepared(cfg, schema)
			if err != nil {
				return nil, err
			}
			return map[string]any{"promptTokens": r.PromptTokens, "prefillSeconds": r.PrefillSeconds}, nil
		}),
		"unload": call(func([]js.Value) (map[string]any, error) {
			e.unload()
			return map[string]any{}, nil
		}),
	}
	js.Global().Set("hearthEngine", js.ValueOf(api))
	select {} // serve calls until the worker ends
}

// call wraps f as a JS function returning f's object, or {error, badFile}
// when f fails or panics (a panic must not end the program: the page stays usable).
func call(f func(args []js.Value) (map[string]any, error)) js.Func {
	return js.FuncOf(func(_ js.Value, args []js.Value) (ret any) {
		defer func() {
			if p := recover(); p != nil {
				ret = map[string]any{"error": fmt.Sprintf("internal error: %v", p)}
			}
		}()
		out, err := f(args)
		if err != nil {
			// badFile: the bytes are not a valid GGUF file (truncated,
			// corrupt, or something else), so a stored copy is useless.
			var fe *gguf.FormatError
			res := map[string]any{"error": err.Error(), "badFile": errors.As(err, &fe)}
			addCheckDetails(res, err)
			addImageDetails(res, err) // vision.go
			return res
		}
		return out
	})
}

// intArg is args[i] as an int (0 when absent or not a number).
func intArg(args []js.Value, i int) int {
	if i >= len(args) || args[i].Type() != js.TypeNumber {
		return 0
	}
	return args[i].Int()
}

// samplingConfig reads the sampling fields of o; absent ones stay zero.
func samplingConfig(o js.Value) sample.Config {
	num := func(name string) (float64, bool) {
		v := o.Get(name)
		if v.Type() != js.TypeNumber {
			return 0, false
		}
		return v.Float(), true
	}
	var c sample.Config
	if v, ok := num("temperature"); ok {
		c.Temperature = float32(v)
	}
	if v, ok := num("topK"); ok {
		c.TopK = int(v)
	}
	if v, ok := num("topP"); ok {
		c.TopP = float32(v)
	}
	if v, ok := num("minP"); ok {
		c.MinP = float32(v)
	}
	if v, ok := num("repeatPenalty"); ok {
		c.RepeatPenalty = float32(v)
	}
	if v, ok := num("repeatLastN"); ok {
		c.RepeatLastN = int(v)
	}
	if v, ok := num("presencePenalty"); ok {
		c.PresencePenalty = float32(v)
	}
	if v, ok := num("frequencyPenalty"); ok {
		c.FrequencyPenalty = float32(v)
	}
	if v, ok := num("seed"); ok {
		c.Seed = uint64(v)
	}
	return c
}
