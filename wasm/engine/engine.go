//go:build js && wasm

package main

import (
	"errors"
	"fmt"
	"reflect"
	"runtime"
	"strings"
	"time"

	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/multimodal"
	"github.com/hearth-ai/hearth/engine/sample"
	"github.com/hearth-ai/hearth/engine/tokenizer"
	"github.com/hearth-ai/hearth/wasm/engine/modelcheck"
)

// engine is one loaded model and its current generation. The JS glue
// drives it one call at a time: load, then start (the prompt's prefill)
// and next (sample a token, and evaluate it when more are wanted) as many
// times as it likes, yielding to its event loop between calls.
type engine struct {
	back *arena.Backend
	m    *model.Model
	tok  *tokenizer.Tokenizer
	sess *model.Session

	// The generation under way (after start).
	sampler    *sample.Sampler // nil for plain greedy decoding
	samplerCfg sample.Config   // sampler's settings
	history    []int32
	logits     []float32 // the logits the next token is sampled from
	stream     *tokenizer.StreamDecoder
	started    bool

	schemas schemaCache // constrained decoding (schema.go)

	chatTmpl chatTemplate // the model's chat template (chat.go)

	vis      *visionModel       // the image encoder of a vision pair (vision.go); nil without one
	prepared *multimodal.Prompt // the prompt prepare assembled (chatimages.go)
	// preparedSet is the prepared prompt's images, which encodeNext puts
	// into the encoder's cache as they are encoded (imagecache.go).
	preparedSet *multimodal.ImageSet
}

// modelInfo is what load reports.
type modelInfo struct {
	Arch       string  `json:"arch"`
	Layers     int     `json:"layers"`
	Embd       int     `json:"embd"`
	Vocab      int     `json:"vocab"`
	WeightType string  `json:"weightType"`
	Context    int     `json:"context"`
	Threads    int     `json:"threads"`
	AddBOS     bool    `json:"addBOS"`
	ArenaBytes int64   `json:"arenaBytes"`
	Seconds    float64 `json:"seconds"`
	// NeedBytes is the most arena memory the model takes: weights, a
	// full KV cache and a pass's scratch (probe.go's estimate).
	NeedBytes int64 `json:"needBytes"`
	// KVType is the KV cache's element type, "f16" or "f32".
	KVType string `json:"kvType"`
}

// loadOptions size the session of a load.
type loadOptions struct {
	// Context is the most tokens the session holds (0: the model's
	// context, at most model.DefaultContext).
	Context int
	// Batch is the most prompt tokens one pass evaluates (0: DefaultBatch).
	Batch int
	// Replace lets the load take the place of a loaded model (probe.go):
	// the new file is checked first, and the loaded model is unloaded only
	// once it passes, so a file that cannot load leaves it in place.
	Replace bool
	// Limits are memory ceilings the model must stay under besides the
	// arena's own (the page's share of the device's memory).
	Limits []modelcheck.Limit
	// KVType is the KV cache's element type: "f16" (or "": the default)
	// or "f32" (kvtype.go).
	KVType string
	// ExpertBudget, when > 0, pages a mixture of experts' experts from the
	// source into an expert cache of at most these bytes in the arena
	// (model.LoadOptions.ExpertBudget): the glue must then keep the source
	// open until the model is unloaded.
	ExpertBudget int64
	// MMProj, when not 0, is the source of the model's image encoder (an
	// mmproj file): the two load as a pair (vision.go).
	MMProj uint32
	// MaxImagePixels is the pixel limit of images (0:
	// DefaultMaxImagePixels).
	MaxImagePixels int
	// ImageCacheBytes bounds the encoded images the pair keeps
	// (imagecache.go): 0, multimodal.DefaultCacheBytes; < 0, none.
	ImageCacheBytes int64
}

// DefaultBatch is the browser engine's prefill pass: a 32-token pass
// needs a sixteenth of the activations of llama.cpp's 512 (0.8 MB instead
// of 12 MB for SmolLM2-135M, 1.8 MB instead of 29 MB for Qwen2.5-0.5B),
// and is not slower: the matmul kernels decode each weight block once per
// 4-token tile whatever the pass's length.
const DefaultBatch = 32

// load opens the glue's file source src, reads its tokenizer and streams
// its weights into a fresh arena backend (reserved once, at the weights'
// size), with a session whose KV cache grows as the context fills.
func (e *engine) load(src uint32, opt loadOptions) (*modelInfo, error) {
	if e.m != nil && !opt.Replace {
		return nil, errors.New("a model is already loaded (unload it first)")
	}
	nCtx := opt.Context
	if nCtx < 0 {
		return nil, fmt.Errorf("context of %d tokens: it must not be negative", nCtx)
	}
	batch := opt.Batch
	if batch < 0 {
		return nil, fmt.Errorf("batch of %d tokens: it must not be negative", batch)
	}
	if batch == 0 {
		batch = DefaultBatch
	}
	t0 := time.Now()
	_, f, err := openModelFile(src)
	if err != nil {
		return nil, err
	}
	dev, err := arena.NewJSDevice()
	if err != nil {
		return nil, err
	}
	// Everything that can be known before the weights are read is
	// checked before a loaded model is given up (probe.go).
	kvType, err := kvCacheType(opt.KVType)
	if err != nil {
		return nil, err
	}
	report, err := checkModel(f, dev, nCtx, batch, kvType, opt.Limits, opt.ExpertBudget)
	if err != nil {
		return nil, err
	}
	pair, err := checkPair(opt, dev, report) // vision.go: the image encoder, if any
	if err != nil {
		return nil, err
	}
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return nil, err
	}
	if e.m != nil {
		e.unload()
	}
	back, err := arena.New(dev, arena.Options{})
	if err != nil {
		return nil, err
	}
	// One memory.grow for all the weights, to their exact size: the arena
	// never gives pages back, so it must not grow by more than it needs.
	// Paged experts stay in the source; their cache's slots count instead.
	sizes := append(modelcheck.WeightSizes(f, report.Experts), pair.sizes()...)
	if err := back.Reserve(arena.ReserveSize(sizes...)); err != nil {
		back.Close()
		return nil, fmt.Errorf("the model's %d MB of weights do not fit the browser's memory: %w", arena.ReserveSize(sizes...)>>20, err)
	}
	var lopt model.LoadOptions
	if report.Experts != nil {
		lopt.ExpertBudget = opt.ExpertBudget
	}
	m, err := model.LoadWith(f, back, lopt)
	if err != nil {
		back.Close()
		return nil, err
	}
	if nCtx == 0 {
		nCtx = min(m.HP.ContextLength, model.DefaultContext)
	}
	sess, err := m.NewSession(model.SessionOptions{Context: nCtx, Batch: batch, GrowKV: true, KVType: kvType})
	if err != nil {
		m.Close()
		back.Close()
		return nil, err
	}
	e.back, e.m, e.tok, e.sess = back, m, tok, sess
	e.chatTmpl = chatTemplateOf(f)
	if err := e.bindEncoder(pair, opt.MaxImagePixels, opt.ImageCacheBytes); err != nil {
		e.unload()
		return nil, err
	}
	return &modelInfo{
		Arch: m.HP.Arch, Layers: m.HP.Layers, Embd: m.HP.Embd, Vocab: m.HP.Vocab,
		WeightType: m.WeightType.String(), Context: sess.Context(), Threads: back.Threads(),
		AddBOS: tok.AddBOS(), ArenaBytes: int64(dev.Pages()) * arena.PageSize,
		Seconds: time.Since(t0).Seconds(), NeedBytes: report.NeedBytes() + pair.needBytes(), KVType: strings.ToLower(kvType.String()),
	}, nil
}

// memoryReport is what memory reports: the arena as the backend sees it
// and the Go heap as the runtime does (both in bytes).
type memoryReport struct {
	ArenaBytes, ArenaUsed int64 // the arena's pages, and the bytes of them in use
	KVTokens              int   // positions the KV cache holds now (it grows with the context)
	GoHeapLive, GoHeapSys int64 // live Go heap, and the heap memory the runtime holds
	GoSys                 int64 // all memory the Go runtime holds
}

func (e *engine) memory() memoryReport {
	var r memoryReport
	if e.back != nil {
		u := e.back.Usage()
		r.ArenaBytes, r.ArenaUsed = u.Bytes, u.Used
		r.KVTokens = e.sess.KVCapacity()
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	r.GoHeapLive, r.GoHeapSys, r.GoSys = int64(ms.HeapAlloc), int64(ms.HeapSys), int64(ms.Sys)
	return r
}

// expertCache is the loaded model's expert cache as load and memory
// report it, or nil when its experts are resident (or no model is loaded):
// slots and experts a layer, the cache's bytes and the experts' (in the
// source), lookups that hit and missed, and the bytes the misses read.
func (e *engine) expertCache() map[string]any {
	if e.m == nil {
		return nil
	}
	st, ok := e.m.ExpertCache()
	if !ok {
		return nil
	}
	return map[string]any{
		"slots": st.Slots, "experts": st.Experts, "layers": st.Layers,
		"cacheBytes": st.CacheBytes, "expertBytes": st.ExpertBytes,
		"hits": st.Hits, "misses": st.Misses, "hitRate": st.HitRate(), "bytesRead": st.BytesRead,
	}
}

// unload frees the model; the arena memory stays with the glue.
func (e *engine) unload() {
	if e.m == nil {
		return
	}
	e.sess.Close()
	e.m.Close()
	e.back.Close()
	*e = engine{}
}

func (e *engine) loaded() error {
	if e.m == nil {
		return errors.New("no model is loaded")
	}
	return nil
}

// tokenize turns text into ids as the CLI does (BOS when the model adds
// one, special tokens parsed).
func (e *engine) tokenize(text string) ([]int32, error) {
	if err := e.loaded(); err != nil {
		return nil, err
	}
	return e.tok.Encode(text, true, true), nil
}

// startResult is what start reports.
type startResult struct {
	PromptTokens   int
	PrefillSeconds float64
}

// start begins a fresh generation: the cache is emptied, and the prompt
// evaluated up to the logits the first token is sampled from.
//
// A non-empty schema (JSON schema text, engine/sample/constrain's subset)
// constrains the generation: every token is sampled from the logits
// masked to the tokens that keep the text a valid document, and next
// reports Done once the document is complete and nothing can follow.
func (e *engine) start(prompt []int32, cfg sample.Config, schema string) (*startResult, error) {
	if err := e.loaded(); err != nil {
		return nil, err
	}
	e.started = false
	if len(prompt) == 0 {
		return nil, errors.New("the prompt has no tokens")
	}
	return e.begin(cfg, schema, prompt, len(prompt), func() ([]float32, error) { return e.sess.Forward(prompt) })
}

// begin is the part of every start after the prompt's own checks: the
// sampling settings and schema readied, the cache emptied, the prompt
// evaluated by eval (its positions and the text ids the history keeps
// given), the stream decoder fresh.
func (e *engine) begin(cfg sample.Config, schema string, textIDs []int32, positions int, eval func() ([]float32, error)) (*startResult, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if err := e.schemas.begin(e.tok, schema); err != nil {
		return nil, err
	}
	if err := e.prepareSampler(cfg); err != nil {
		return nil, err
	}
	e.sess.Reset()
	t0 := time.Now()
	logits, err := eval()
	if err != nil {
		return nil, err
	}
	secs := time.Since(t0).Seconds()
	e.logits, e.started = logits, true
	e.history = append(e.history[:0], textIDs...)
	e.stream = e.tok.NewStreamDecoder()
	return &startResult{PromptTokens: positions, PrefillSeconds: secs}, nil
}

// prepareSampler readies the sampling cfg asks for. A sampler holds ~40
// bytes per vocabulary entry (2 MB for a 49k vocabulary, 6 MB for 152k) of
// Go heap, which never shrinks: greedy decoding with nothing applied needs
// none (sample.Greedy on the logits is what the sampler would do), and a
// sampler is kept from one generation to the next while the settings stay
// the same (Reset restarts its random stream).
func (e *engine) prepareSampler(cfg sample.Config) error {
	if greedyOnly(cfg) {
		e.sampler = nil
		return nil
	}
	if e.sampler == nil || !reflect.DeepEqual(cfg, e.samplerCfg) {
		e.sampler = nil // the old one is garbage before the new one is made
		s, err := sample.New(cfg)
		if err != nil {
			return err
		}
		if err := s.Prepare(e.m.HP.Vocab); err != nil {
			return err
		}
		e.sampler, e.samplerCfg = s, cfg
	}
	e.sampler.Reset()
	return nil
}

// greedyOnly reports whether cfg is plain greedy decoding: no temperature,
// no penalties, no logit bias.
func greedyOnly(cfg sample.Config) bool {
	return cfg.Temperature <= 0 && (cfg.RepeatPenalty == 0 || cfg.RepeatPenalty == 1) &&
		cfg.PresencePenalty == 0 && cfg.FrequencyPenalty == 0 && len(cfg.LogitBias) == 0
}

// stepResult is one sampled token.
type stepResult struct {
	ID   int32
	Text string // the text this token completes (an end-of-generation token adds none)
	EOG  bool   // the token ends generation by the model's vocabulary
	// Full: the context holds no room for this token, so no more can follow.
	Full bool
	// Done: a schema constrains the generation, and its document is
	// complete with nothing allowed to follow (or ended by this EOG token).
	Done bool
	// Complete: a schema constrains the generation and the text so far is
	// a whole valid document.
	Complete bool
	// ForwardSeconds is the time of the single-token pass that evaluated
	// this token (0 when more was false).
	ForwardSeconds float64
}

// next samples a token from the current logits; with more, it evaluates
// the token too so that another can be sampled.
func (e *engine) next(more bool) (*stepResult, error) {
	if err := e.loaded(); err != nil {
		return nil, err
	}
	if !e.started {
		return nil, errors.New("no generation is under way (call start first)")
	}
	logits := e.logits
	if e.schemas.active != nil {
		var err error
		if logits, err = e.schemas.mask(e.logits); err != nil {
			e.started = false
			return nil, err
		}
	}
	id := sample.Greedy(logits)
	if e.sampler != nil {
		id = e.sampler.Sample(logits, e.history)
	}
	if id == sample.NoToken {
		e.started = false
		return nil, errors.New("no token could be sampled")
	}
	e.history = append(e.history, id)
	r := &stepResult{ID: id, EOG: e.tok.IsEOG(id)}
	if c := e.schemas.active; c != nil {
		if err := c.Accept(id); err != nil {
			e.started = false
			return nil, err
		}
		r.Done, r.Complete = c.Done(), c.Complete()
		if r.Done {
			more = false // nothing can follow: no pass for a next token
			e.started = false
		}
	}
	if !r.EOG {
		r.Text = e.stream.Add(id)
	}
	if !more {
		r.Text += e.stream.Flush()
		return r, nil
	}
	if e.sess.Pos() == e.sess.Context() {
		r.Full = true
		r.Text += e.stream.Flush()
		e.started = false
		return r, nil
	}
	t0 := time.Now()
	logits, err := e.sess.Forward([]int32{id})
	if err != nil {
		e.started = false
		return nil, err
	}
	r.ForwardSeconds = time.Since(t0).Seconds()
	e.logits = logits
	return r, nil
}
