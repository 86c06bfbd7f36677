package main

import (
	"fmt"
	"strings"
)

// visionReport is the JSON the vision mode prints.
type visionReport struct {
	Model           string         `json:"model"`
	FileBytes       int64          `json:"file_bytes"`
	MMProj          string         `json:"mmproj"`
	MMProjBytes     int64          `json:"mmproj_bytes"`
	Image           benchImage     `json:"image"`
	Text            string         `json:"text"`
	Runs            int            `json:"runs"`
	GeneratedTokens int            `json:"generated_tokens"`
	NCtx            int            `json:"n_ctx"`
	Browser         string         `json:"browser"`
	Host            hostInfo       `json:"host"`
	Results         []visionResult `json:"results"`
	Ratios          []visionRatio  `json:"ratios"`
	Notes           []string       `json:"notes"`
}

// visionResult is one engine at one thread count: medians over the runs,
// or the error that stopped it.
type visionResult struct {
	Engine  string   `json:"engine"`
	Threads int      `json:"threads"`
	Error   string   `json:"error,omitempty"`
	LoadS   *float64 `json:"load_s,omitempty"`
	// PromptTokens: the prompt's positions (text tokens, image markup and
	// image embeddings); ImageInputs: the encoder's inputs per run (tiles
	// and overview) where the engine says; ImagePositions: the embeddings
	// they give (ImageInputs × the projector's tokens per input).
	PromptTokens       *int     `json:"prompt_tokens,omitempty"`
	ImageInputs        *int     `json:"image_inputs,omitempty"`
	ImagePositions     *int     `json:"image_positions,omitempty"`
	FirstTokenS        *float64 `json:"first_token_s,omitempty"`
	PromptS            *float64 `json:"prompt_s,omitempty"`
	TextPrefillS       *float64 `json:"text_prefill_s,omitempty"`
	ImageEncodeS       *float64 `json:"image_encode_s,omitempty"`
	ImageEncodeDirectS *float64 `json:"image_encode_engine_s,omitempty"`
	ImagePrepareS      *float64 `json:"image_prepare_engine_s,omitempty"`
	DecodeTokS         *float64 `json:"decode_tok_s,omitempty"`

	PeakMemoryBytes      *int64             `json:"peak_memory_bytes,omitempty"`
	MemorySource         string             `json:"memory_source,omitempty"`
	WasmPeakBytes        *int64             `json:"wasm_peak_bytes,omitempty"`
	RendererPeakRSSBytes *int64             `json:"renderer_peak_rss_bytes,omitempty"`
	EngineInfo           map[string]any     `json:"engine_info,omitempty"`
	RunDetails           []visionRunFigures `json:"run_details,omitempty"`
}

// visionRunFigures is one timed run and its text-only baseline.
type visionRunFigures struct {
	PromptTokens       int      `json:"prompt_tokens"`
	ImageInputs        *int     `json:"image_inputs,omitempty"`
	FirstTokenS        float64  `json:"first_token_s"`
	PromptS            float64  `json:"prompt_s"`
	TextPrefillS       float64  `json:"text_prefill_s"`
	ImageEncodeS       float64  `json:"image_encode_s"`
	ImageEncodeDirectS *float64 `json:"image_encode_engine_s,omitempty"`
	ImagePrepareS      *float64 `json:"image_prepare_engine_s,omitempty"`
	GeneratedTokens    int      `json:"generated_tokens"`
	DecodeTokens       int      `json:"decode_tokens"`
	DecodeS            float64  `json:"decode_s"`
	DecodeTokS         float64  `json:"decode_tok_s"`
	WallS              float64  `json:"wall_s"`
}

// visionRatio compares Hearth with wllama at one thread count. The time
// ratios are Hearth's seconds / wllama's (below 1 Hearth is faster); decode
// is Hearth's tokens per second / wllama's (above 1 Hearth is faster).
type visionRatio struct {
	Threads     int      `json:"threads"`
	ImageEncode *float64 `json:"image_encode"`
	FirstToken  *float64 `json:"first_token"`
	Prompt      *float64 `json:"prompt"`
	Decode      *float64 `json:"decode"`
	Load        *float64 `json:"load"`
	Missing     string   `json:"missing,omitempty"`
}

// visionNotes define the figures, in the JSON itself.
var visionNotes = []string{
	"Each run is a fresh chat turn [image, text] with the text model's own chat template (SmolVLM's), greedy, end-of-sequence ignored, streamed; nothing of an earlier run is reused (wllama: cache_prompt false, timings.cache_n checked to be 0; Hearth: loaded with imageCacheBytes 0, imagesCached checked to be 0). Figures are medians over the runs; each engine loads the pair once per thread count, in a fresh Chromium profile.",
	"first_token_s: the page's clock, from the call that sends the request (image bytes already in the page) to the first token the page receives (wllama: the first streamed chunk; Hearth: the first token event). It holds everything: the image's decoding and preprocessing, its encoding, the prompt's pass. Hearth's worker sends a token's event after feeding it through the model, so Hearth's figure also holds one single-token pass (1/decode_tok_s).",
	"prompt_s: the engine's own clock from the start of the prompt's processing to the first sampled token, the image's encoding included, its decoding and preprocessing not: wllama's timings.prompt_ms (llama.cpp's server; mtmd encodes each tile as the server reaches it in the prompt; the image is decoded and preprocessed earlier, when the request is tokenized); Hearth's image_encode_engine_s + its prefill (the worker's generate answer: imageEncodeSeconds + prefillSeconds).",
	"text_prefill_s: once per engine and thread count, after the first run, a fresh text-only prompt of exactly as many tokens as that run's prompt had positions (digits, one token each) is evaluated and one token sampled; its prompt time, measured as prompt_s is (wllama: timings.prompt_ms; Hearth: prefillSeconds).",
	"image_encode_s: prompt_s - text_prefill_s, the same derivation for both engines: the time the image adds to a prompt of that length, i.e. encoding every tile (encoder + projector), measured this way because wllama reports no encode time of its own. It assumes that a position's pass costs the same whether it holds a token's embedding or an image's.",
	"image_encode_engine_s (Hearth only): the worker's own clock around the encoder over every input (generate's imageEncodeSeconds: the encoder and projector, tile after tile, with a yield to the event loop between tiles); image_prepare_engine_s: decoding and preprocessing the image and assembling the prompt (imagePrepareSeconds). The gap between image_encode_engine_s and image_encode_s shows the derivation's error.",
	"image_inputs: the encoder inputs per run as Hearth reports them (SmolVLM: each 512-px tile plus the overview); image_positions: image_inputs × the projector's tokens per input (Hearth's load answer vision.tokensPerImage). prompt_tokens is each engine's count of the prompt's positions (text, image markup, image embeddings); equal counts show both engines built the same prompt.",
	"decode_tok_s: (generated - 1) / the engine's time from the first sampled token to the last (wllama: timings.predicted_ms; Hearth: decodeSeconds).",
	"ratios are Hearth / wllama at the same thread count: for image_encode, first_token, prompt and load (seconds) below 1 Hearth is faster; for decode (tokens per second) above 1 Hearth is faster. wllama runs one thread only: its clip encoder can hang on this machine with more (tests/vision's oracle uses one), so Hearth's rows at more threads have no partner.",
	"load_s: from the load call until the pair can run, fetching both files from 127.0.0.1 included (wllama: fetch both as blobs, then loadModel([text, mmproj]); Hearth: load(url, {mmproj}) through OPFS, then one token through the text model).",
}

// summarize fills the medians from the run details.
func (r *visionResult) summarize() {
	if len(r.RunDetails) == 0 {
		return
	}
	med := func(get func(visionRunFigures) float64) *float64 {
		var xs []float64
		for _, f := range r.RunDetails {
			xs = append(xs, get(f))
		}
		return ptr(round3(median(xs)))
	}
	medOpt := func(get func(visionRunFigures) *float64) *float64 {
		var xs []float64
		for _, f := range r.RunDetails {
			if v := get(f); v != nil {
				xs = append(xs, *v)
			}
		}
		if len(xs) != len(r.RunDetails) {
			return nil
		}
		return ptr(round3(median(xs)))
	}
	r.FirstTokenS = med(func(f visionRunFigures) float64 { return f.FirstTokenS })
	r.PromptS = med(func(f visionRunFigures) float64 { return f.PromptS })
	r.TextPrefillS = med(func(f visionRunFigures) float64 { return f.TextPrefillS })
	r.ImageEncodeS = med(func(f visionRunFigures) float64 { return f.ImageEncodeS })
	r.DecodeTokS = med(func(f visionRunFigures) float64 { return f.DecodeTokS })
	r.ImageEncodeDirectS = medOpt(func(f visionRunFigures) *float64 { return f.ImageEncodeDirectS })
	r.ImagePrepareS = medOpt(func(f visionRunFigures) *float64 { return f.ImagePrepareS })
	// The prompt's positions and the encoder's inputs are the same in
	// every run of a case (the same picture); the last run's stand.
	last := r.RunDetails[len(r.RunDetails)-1]
	r.PromptTokens = ptr(last.PromptTokens)
	if last.ImageInputs != nil {
		r.ImageInputs = ptr(*last.ImageInputs)
		if v, ok := r.EngineInfo["vision"].(map[string]any); ok {
			if per, ok := v["tokensPerImage"].(float64); ok && per > 0 {
				r.ImagePositions = ptr(*last.ImageInputs * int(per))
			}
		}
	}
}

// visionRatios pairs hearth with wllama at each thread count.
func visionRatios(results []visionResult, threads []int) []visionRatio {
	var out []visionRatio
	pairEngines(threads, func(engine string, t int) *visionResult {
		for i := range results {
			if results[i].Engine == engine && results[i].Threads == t {
				return &results[i]
			}
		}
		return nil
	}, func(r *visionResult) string { return r.Error }, func(t int, h, w *visionResult, missing string) {
		r := visionRatio{Threads: t, Missing: missing}
		if missing == "" {
			r.ImageEncode, r.FirstToken, r.Prompt = divRatio(h.ImageEncodeS, w.ImageEncodeS), divRatio(h.FirstTokenS, w.FirstTokenS), divRatio(h.PromptS, w.PromptS)
			r.Decode, r.Load = divRatio(h.DecodeTokS, w.DecodeTokS), divRatio(h.LoadS, w.LoadS)
		}
		out = append(out, r)
	})
	return out
}

// table is a short human summary of the report.
func (r *visionReport) table() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%s (%.1f MB) + %s (%.1f MB), image %s (%dx%d), %d generated, median of %d, %s, load average %s → %s\n",
		r.Model, float64(r.FileBytes)/1e6, r.MMProj, float64(r.MMProjBytes)/1e6, r.Image.Name, r.Image.Width, r.Image.Height,
		r.GeneratedTokens, r.Runs, r.Browser, r.Host.LoadAvgBefore, r.Host.LoadAvgAfter)
	num := func(p *float64, format string) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf(format, *p)
	}
	inum := func(p *int) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprint(*p)
	}
	fmt.Fprintf(&sb, "%-8s %7s %7s %8s %6s %8s %9s %9s %9s %9s %9s %9s\n", "engine", "threads", "load s", "prompt", "tiles", "1st tok s", "prompt s", "text s", "encode s", "enc(own)", "prep s", "decode/s")
	for _, x := range r.Results {
		if x.Error != "" {
			fmt.Fprintf(&sb, "%-8s %7d  error: %s\n", x.Engine, x.Threads, x.Error)
			continue
		}
		fmt.Fprintf(&sb, "%-8s %7d %7s %8s %6s %8s %9s %9s %9s %9s %9s %9s\n", x.Engine, x.Threads, num(x.LoadS, "%.2f"),
			inum(x.PromptTokens), inum(x.ImageInputs), num(x.FirstTokenS, "%.2f"), num(x.PromptS, "%.2f"), num(x.TextPrefillS, "%.2f"),
			num(x.ImageEncodeS, "%.2f"), num(x.ImageEncodeDirectS, "%.2f"), num(x.ImagePrepareS, "%.2f"), num(x.DecodeTokS, "%.2f"))
	}
	for _, q := range r.Ratios {
		if q.Missing != "" {
			fmt.Fprintf(&sb, "hearth/wllama, %d thread(s): n/a\n", q.Threads)
			continue
		}
		fmt.Fprintf(&sb, "hearth/wllama, %d thread(s): image encode ×%s, first token ×%s, prompt ×%s (seconds: below 1 is faster); decode ×%s (tok/s); load ×%s\n",
			q.Threads, num(q.ImageEncode, "%.2f"), num(q.FirstToken, "%.2f"), num(q.Prompt, "%.2f"), num(q.Decode, "%.2f"), num(q.Load, "%.2f"))
	}
	return sb.String()
}
