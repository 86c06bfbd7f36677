package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// report is the JSON the benchmark prints.
type report struct {
	Model           string         `json:"model"`
	FileBytes       int64          `json:"file_bytes"`
	TensorTypes     map[string]int `json:"tensor_types"`
	Parameters      *paramCount    `json:"parameters,omitempty"`
	ParametersError string         `json:"parameters_error,omitempty"`
	Runs            int            `json:"runs"`
	PromptTokens    int            `json:"prompt_tokens"`
	GeneratedTokens int            `json:"generated_tokens"`
	NCtx            int            `json:"n_ctx"`
	Browser         string         `json:"browser"`
	Host            hostInfo       `json:"host"`
	Results         []result       `json:"results"`
	Ratios          []ratio        `json:"ratios"`
	Notes           []string       `json:"notes"`
}

// hostInfo says how busy the machine was: figures on a shared machine are
// noisy, and the load average tells by how much.
type hostInfo struct {
	CPUs          int    `json:"cpus"`
	LoadAvgBefore string `json:"loadavg_before"`
	LoadAvgAfter  string `json:"loadavg_after"`
}

// result is one engine at one thread count: medians over the runs, or the
// error that stopped it.
type result struct {
	Engine               string   `json:"engine"`
	Threads              int      `json:"threads"`
	Error                string   `json:"error,omitempty"`
	LoadS                *float64 `json:"load_s,omitempty"`
	PrefillTokS          *float64 `json:"prefill_tok_s,omitempty"`
	DecodeTokS           *float64 `json:"decode_tok_s,omitempty"`
	PeakMemoryBytes      *int64   `json:"peak_memory_bytes,omitempty"`
	MemorySource         string   `json:"memory_source,omitempty"`
	RendererPeakRSSBytes *int64   `json:"renderer_peak_rss_bytes,omitempty"`
	// The engine's wasm memories (Hearth: arena + Go instance) at their
	// highest over the case, and when the load ended; each also as a
	// multiple of the model file's size.
	WasmPeakBytes     *int64         `json:"wasm_peak_bytes,omitempty"`
	WasmPeakRatio     *float64       `json:"wasm_peak_ratio,omitempty"`
	WasmLoadPeakBytes *int64         `json:"wasm_load_peak_bytes,omitempty"`
	WasmLoadPeakRatio *float64       `json:"wasm_load_peak_ratio,omitempty"`
	WasmDetail        map[string]any `json:"wasm_detail,omitempty"`
	EngineInfo        map[string]any `json:"engine_info,omitempty"`
	RunDetails        []runFigures   `json:"run_details,omitempty"`
	// Hearth with its experts paged (-expert-budget; experts.go).
	ExpertBudget      string         `json:"expert_budget,omitempty"`
	ExpertBudgetBytes *int64         `json:"expert_budget_bytes,omitempty"`
	ExpertCache       map[string]any `json:"expert_cache,omitempty"`
	DecodeHitRate     *float64       `json:"decode_hit_rate,omitempty"`
	DecodeMBPerToken  *float64       `json:"decode_mb_read_per_token,omitempty"`
	PrefillHitRate    *float64       `json:"prefill_hit_rate,omitempty"`
	PrefillMBPerToken *float64       `json:"prefill_mb_read_per_token,omitempty"`
	DecodeVsResident  *float64       `json:"decode_vs_resident,omitempty"`
}

// runFigures is one timed run.
type runFigures struct {
	PromptTokens    int     `json:"prompt_tokens"`
	PrefillS        float64 `json:"prefill_s"`
	PrefillTokS     float64 `json:"prefill_tok_s"`
	GeneratedTokens int     `json:"generated_tokens"`
	DecodeTokens    int     `json:"decode_tokens"`
	DecodeS         float64 `json:"decode_s"`
	DecodeTokS      float64 `json:"decode_tok_s"`
	WallS           float64 `json:"wall_s,omitempty"`
	// ExpertCache: the expert cache's lookups in each phase (paged rows).
	ExpertCache *runExpertCache `json:"expert_cache,omitempty"`
}

// ratio compares Hearth with wllama at one thread count; a figure is null
// when either side has none, and Missing says why.
type ratio struct {
	Threads int      `json:"threads"`
	Prefill *float64 `json:"prefill"`
	Decode  *float64 `json:"decode"`
	Load    *float64 `json:"load"` // Hearth's load time / wllama's: below 1 is faster
	Missing string   `json:"missing,omitempty"`
}

// reportNotes define the figures, in the JSON itself.
var reportNotes = []string{
	"prefill_tok_s: prompt tokens / prefill seconds, prefill ending when the first new token is sampled.",
	"decode_tok_s: single-token forward passes / their seconds, i.e. (generated - 1) / time from the first sampled token to the last (the first comes from the prefill's logits). wllama 3.8.1's own predicted_per_second counts the same way.",
	"Figures are medians over the runs; the model is loaded once per engine and thread count, in a fresh Chromium profile; load_s includes fetching the file from 127.0.0.1.",
	"wllama: one server slot, n_gpu_layers 0, cache_prompt false on every request (the harness checks that no prompt token came from a cache), its default KV cache and flash-attention settings.",
	"parameters: total counts every element of every tensor (llama.cpp's convention: token_embd included, a tied output not twice); active is per token: expert tensors (*_exps) count expert_used_count/expert_count of their elements, routers and shared experts fully.",
	"ratios are Hearth / wllama: above 1 Hearth is faster for prefill and decode; for load, below 1 is faster.",
	"peak_memory_bytes is what the page reports (memory_source says how); renderer_peak_rss_bytes is the VmHWM of the renderer process from /proc.",
	"wasm_peak_bytes is the engine's own high-water mark of its wasm memories (Hearth: arena + Go instance, as its worker tracks them) over load and runs; wasm_load_peak_bytes is their size when the load ended, before any generation; the *_ratio fields divide by file_bytes.",
}

// setWasmPeak records the engine's wasm high-water marks (0: not given)
// and their ratios to the model file's size.
func (r *result) setWasmPeak(peak, loadPeak, fileBytes int64) {
	ratio := func(n int64) *float64 {
		if fileBytes <= 0 {
			return nil
		}
		return ptr(round3(float64(n) / float64(fileBytes)))
	}
	if peak > 0 {
		r.WasmPeakBytes, r.WasmPeakRatio = ptr(peak), ratio(peak)
	}
	if loadPeak > 0 {
		r.WasmLoadPeakBytes, r.WasmLoadPeakRatio = ptr(loadPeak), ratio(loadPeak)
	}
}

// summarize fills the medians from the run details.
func (r *result) summarize() {
	if len(r.RunDetails) == 0 {
		return
	}
	var pre, dec []float64
	for _, f := range r.RunDetails {
		pre = append(pre, f.PrefillTokS)
		dec = append(dec, f.DecodeTokS)
	}
	r.PrefillTokS, r.DecodeTokS = ptr(median(pre)), ptr(median(dec))
}

// median of a non-empty list; the mean of the middle two for even lengths.
func median(xs []float64) float64 {
	s := append([]float64(nil), xs...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}

// ratios pairs hearth with wllama at each thread count.
func ratios(results []result, threads []int) []ratio {
	var out []ratio
	pairEngines(threads, func(engine string, t int) *result {
		for i := range results {
			// Hearth's row with its experts resident (experts.go).
			if results[i].Engine == engine && results[i].Threads == t && results[i].ExpertBudgetBytes == nil {
				return &results[i]
			}
		}
		return nil
	}, func(r *result) string { return r.Error }, func(t int, h, w *result, missing string) {
		r := ratio{Threads: t, Missing: missing}
		if missing == "" {
			r.Prefill, r.Decode, r.Load = divRatio(h.PrefillTokS, w.PrefillTokS), divRatio(h.DecodeTokS, w.DecodeTokS), divRatio(h.LoadS, w.LoadS)
		}
		out = append(out, r)
	})
	return out
}

// pairEngines finds hearth's and wllama's rows (find) at each thread count
// where either ran, and hands them to each with what is missing: a side
// not run, or its error (errOf); "" when both are there.
func pairEngines[R any](threads []int, find func(engine string, t int) *R, errOf func(*R) string, each func(t int, h, w *R, missing string)) {
	for _, t := range threads {
		h, w := find("hearth", t), find("wllama", t)
		if h == nil && w == nil {
			continue
		}
		var missing []string
		for _, side := range []struct {
			name string
			r    *R
		}{{"hearth", h}, {"wllama", w}} {
			switch {
			case side.r == nil:
				missing = append(missing, side.name+": not run")
			case errOf(side.r) != "":
				missing = append(missing, side.name+": "+errOf(side.r))
			}
		}
		each(t, h, w, strings.Join(missing, "; "))
	}
}

// divRatio is a/b rounded to three places, or nil when either is missing
// or b is 0.
func divRatio(a, b *float64) *float64 {
	if a == nil || b == nil || *b == 0 {
		return nil
	}
	return ptr(round3(*a / *b))
}

// table is a short human summary of the report.
func (r *report) table() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "\n%s (%.1f MB), %d-token prompt, %d generated, median of %d, %s, load average %s → %s\n",
		r.Model, float64(r.FileBytes)/1e6, r.PromptTokens, r.GeneratedTokens, r.Runs, r.Browser, r.Host.LoadAvgBefore, r.Host.LoadAvgAfter)
	switch {
	case r.Parameters != nil:
		fmt.Fprintf(&sb, "parameters: %s\n", r.Parameters)
	case r.ParametersError != "":
		fmt.Fprintf(&sb, "parameters: not counted (%s)\n", r.ParametersError)
	}
	fmt.Fprintf(&sb, "%-12s %7s %8s %10s %10s %10s %10s %10s %9s %9s\n", "engine", "threads", "load s", "prefill/s", "decode/s", "mem MB", "rss MB", "wasm MB", "wasm/file", "load/file")
	num := func(p *float64, format string) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf(format, *p)
	}
	mb := func(p *int64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.0f", float64(*p)/1e6)
	}
	mb1 := func(p *int64) string {
		if p == nil {
			return "-"
		}
		return fmt.Sprintf("%.1f", float64(*p)/1e6)
	}
	for _, x := range r.Results {
		name := x.Engine
		if x.ExpertBudgetBytes != nil {
			name += "@" + x.ExpertBudget // experts paged into this budget
		}
		if x.Error != "" {
			fmt.Fprintf(&sb, "%-12s %7d  error: %s\n", name, x.Threads, x.Error)
			continue
		}
		fmt.Fprintf(&sb, "%-12s %7d %8s %10s %10s %10s %10s %10s %9s %9s\n", name, x.Threads,
			num(x.LoadS, "%.2f"), num(x.PrefillTokS, "%.2f"), num(x.DecodeTokS, "%.2f"), mb(x.PeakMemoryBytes), mb(x.RendererPeakRSSBytes),
			mb1(x.WasmPeakBytes), num(x.WasmPeakRatio, "%.3f"), num(x.WasmLoadPeakRatio, "%.3f"))
	}
	for _, x := range r.Results {
		if x.ExpertBudgetBytes != nil && x.Error == "" {
			sb.WriteString(x.expertLine())
		}
	}
	for _, q := range r.Ratios {
		if q.Missing != "" {
			fmt.Fprintf(&sb, "hearth/wllama, %d thread(s): n/a\n", q.Threads)
			continue
		}
		fmt.Fprintf(&sb, "hearth/wllama, %d thread(s): prefill ×%s, decode ×%s, load ×%s\n", q.Threads,
			num(q.Prefill, "%.2f"), num(q.Decode, "%.2f"), num(q.Load, "%.2f"))
	}
	return sb.String()
}

// remarshal converts a decoded JSON object into a typed value.
func remarshal(in, out any) error {
	b, err := json.Marshal(in)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, out)
}
