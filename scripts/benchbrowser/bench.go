package main

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	goruntime "runtime"
	"strings"

	"github.com/hearth-ai/hearth/engine/gguf"
)

// benchmarkPrompt is n decimal digits. Byte-level BPE vocabularies whose
// pre-tokenizer splits digits one by one (StarCoder/SmolLM2's and Qwen2's
// both do: their first split is \p{N}) turn it into exactly n tokens, since
// no merge can join what the pre-tokenizer keeps apart. Engines also report
// the count they saw, and the harness checks it.
func benchmarkPrompt(n int) string {
	var sb strings.Builder
	x := uint32(12345)
	for i := 0; i < n; i++ {
		x = x*1103515245 + 12345 // a fixed pseudo-random walk over the digits
		sb.WriteByte('0' + byte((x>>16)%10))
	}
	return sb.String()
}

// loadInfo is what an engine's load answers; the rest of its fields are
// kept as engine information.
type loadInfo struct {
	LoadSeconds float64 `json:"loadSeconds"`
	Threads     int     `json:"threads"`
}

// runAnswer is what an engine's run answers.
type runAnswer struct {
	PromptTokens    int      `json:"promptTokens"`
	CachedTokens    *int     `json:"cachedTokens"`
	PrefillSeconds  float64  `json:"prefillSeconds"`
	GeneratedTokens int      `json:"generatedTokens"`
	DecodeTokens    int      `json:"decodeTokens"`
	DecodeSeconds   float64  `json:"decodeSeconds"`
	WallSeconds     *float64 `json:"wallSeconds"`
	// ExpertCache: what a paged model's expert cache did in each phase.
	ExpertCache *runExpertCache `json:"expertCache"`
}

// memoryAnswer is what an engine's memory answers. The wasm fields are
// optional: engines that know their wasm memories' high-water mark give it.
type memoryAnswer struct {
	Bytes             int64          `json:"bytes"`
	Source            string         `json:"source"`
	WasmPeakBytes     int64          `json:"wasmPeakBytes"`
	WasmLoadPeakBytes int64          `json:"wasmLoadPeakBytes"`
	WasmDetail        map[string]any `json:"wasmDetail"`
}

// benchmark runs every engine at every thread count on the model.
func benchmark(ctx context.Context, c config, logf func(string, ...any)) (*report, error) {
	st, err := os.Stat(c.model)
	if err != nil {
		return nil, err
	}
	rep := &report{
		Model:           filepath.Base(c.model),
		FileBytes:       st.Size(),
		Runs:            c.runs,
		PromptTokens:    c.promptTokens,
		GeneratedTokens: c.decodeTokens,
		NCtx:            c.nCtx,
		Host:            hostInfo{CPUs: goruntime.NumCPU(), LoadAvgBefore: loadAverage()},
		Notes:           reportNotes,
	}
	var budgets []expertBudget
	if f, err := gguf.Open(c.model); err == nil {
		budgets, err = parseExpertBudgets(c.expertBudget, expertBytesOf(f))
		if err != nil {
			f.Close()
			return nil, err
		}
		rep.TensorTypes = map[string]int{}
		for _, t := range f.Tensors {
			rep.TensorTypes[t.Type.String()]++
		}
		if p, err := countParams(f); err == nil {
			rep.Parameters = &p
		} else {
			rep.ParametersError = err.Error()
		}
		f.Close()
	} else {
		return nil, fmt.Errorf("model: %w", err)
	}
	srv, err := startServer(c.webDir, c.model)
	if err != nil {
		return nil, err
	}
	defer srv.close()

	prompt := benchmarkPrompt(c.promptTokens)
	for _, threads := range c.threads {
		for _, engine := range c.engines {
			rows := budgets
			if engine != "hearth" {
				rows = []expertBudget{{}} // only Hearth pages experts
			}
			for _, budget := range rows {
				logf("%s, %d thread(s)%s: starting", engine, threads, budget.label())
				r := runCase(ctx, c, srv, engine, threads, budget, prompt, logf)
				if r.Browser != "" {
					rep.Browser = r.Browser
				}
				if r.Error != "" {
					logf("%s, %d thread(s)%s: %s", engine, threads, budget.label(), r.Error)
				}
				rep.Results = append(rep.Results, r.result)
			}
		}
	}
	rep.Host.LoadAvgAfter = loadAverage()
	rep.Ratios = ratios(rep.Results, c.threads)
	compareWithResident(rep.Results)
	for _, b := range budgets {
		if b.Bytes > 0 {
			rep.Notes = append(append([]string(nil), rep.Notes...), expertNotes...)
			break
		}
	}
	return rep, nil
}

// caseResult is a result plus what the report keeps once.
type caseResult struct {
	result
	Browser string
}

// runCase loads the model in a fresh browser and times the runs. Failures
// become the result's error; figures are never made up.
func runCase(parent context.Context, c config, srv *server, engine string, threads int, budget expertBudget, prompt string, logf func(string, ...any)) caseResult {
	ctx, cancel := context.WithTimeout(parent, c.caseTimeout)
	defer cancel()
	out := caseResult{result: result{Engine: engine, Threads: threads}}
	if budget.Bytes > 0 {
		out.ExpertBudget, out.ExpertBudgetBytes = budget.Text, ptr(budget.Bytes)
	}
	fail := func(err error) caseResult {
		out.Error = err.Error()
		return out
	}
	b, err := startBrowser(ctx, c.chromium, c.verbose, logf)
	if err != nil {
		return fail(err)
	}
	defer b.close()
	out.Browser = b.version()
	if err := b.open(srv.base + "/bench/" + engine + ".html"); err != nil {
		return fail(err)
	}

	var raw map[string]any
	opts := map[string]any{"threads": threads, "nCtx": c.nCtx, "simd": c.simd}
	if budget.Bytes > 0 {
		opts["expertBudget"] = budget.Bytes
	}
	if _, err := b.call("load", &raw, srv.modelURL(c.model), opts); err != nil {
		return fail(withConsole(err, b))
	}
	if budget.Bytes > 0 {
		cache, ok := raw["expertCache"].(map[string]any)
		if !ok {
			return fail(fmt.Errorf("load with an expert budget of %d bytes: the engine reports no expert cache (are the experts paged?)", budget.Bytes))
		}
		out.ExpertCache = cache
	}
	delete(raw, "expertCache")
	var li loadInfo
	if err := remarshal(raw, &li); err != nil {
		return fail(fmt.Errorf("load answered %v: %w", raw, err))
	}
	if li.Threads != 0 && li.Threads != threads {
		return fail(fmt.Errorf("load: the engine runs %d threads, %d asked for", li.Threads, threads))
	}
	delete(raw, "loadSeconds")
	out.EngineInfo = raw
	out.LoadS = ptr(round3(li.LoadSeconds))
	logf("%s, %d thread(s): loaded in %.2f s", engine, threads, li.LoadSeconds)

	mem := memorySampler{b: b}
	mem.sample()
	var n int
	if missing, err := b.call("countTokens", &n, prompt); err != nil {
		return fail(withConsole(err, b))
	} else if !missing && n != c.promptTokens {
		return fail(fmt.Errorf("the %d-character prompt is %d tokens for %s, want %d: the vocabulary is not one that splits digits apart", len(prompt), n, engine, c.promptTokens))
	}

	for i := 0; i < c.runs; i++ {
		var a runAnswer
		if _, err := b.call("run", &a, prompt, c.decodeTokens); err != nil {
			return fail(withConsole(err, b))
		}
		if err := a.check(c.promptTokens, c.decodeTokens); err != nil {
			return fail(fmt.Errorf("run %d: %w", i+1, err))
		}
		f := a.figures()
		out.RunDetails = append(out.RunDetails, f)
		logf("%s, %d thread(s)%s: run %d: prefill %.2f tok/s, decode %.2f tok/s", engine, threads, budget.label(), i+1, f.PrefillTokS, f.DecodeTokS)
		mem.sample()
	}
	out.summarize()
	if err := out.summarizeExperts(); err != nil {
		return fail(err)
	}
	if mem.peak > 0 {
		out.PeakMemoryBytes, out.MemorySource = ptr(mem.peak), mem.source+" (largest of samples after load and after each run)"
	} else {
		out.MemorySource = "unavailable: " + mem.err
	}
	out.setWasmPeak(mem.wasmPeak, mem.wasmLoadPeak, fileBytes(c.model))
	out.WasmDetail = mem.wasmDetail
	if rss := rendererPeakRSS("/proc", b.processID); rss > 0 {
		out.RendererPeakRSSBytes = ptr(rss)
	}
	return out
}

// check refuses runs that did not do what was asked.
func (a runAnswer) check(promptTokens, generated int) error {
	switch {
	case a.PromptTokens != promptTokens:
		return fmt.Errorf("the engine evaluated %d prompt tokens, want %d", a.PromptTokens, promptTokens)
	case a.CachedTokens != nil && *a.CachedTokens != 0:
		return fmt.Errorf("the engine reused %d cached prompt tokens from an earlier run", *a.CachedTokens)
	case a.GeneratedTokens != generated:
		return fmt.Errorf("the engine generated %d tokens, want %d", a.GeneratedTokens, generated)
	case a.DecodeTokens < 1 || a.DecodeTokens > a.GeneratedTokens:
		return fmt.Errorf("decodeTokens %d is not in 1..%d", a.DecodeTokens, a.GeneratedTokens)
	case !(a.PrefillSeconds > 0) || !(a.DecodeSeconds > 0):
		return fmt.Errorf("non-positive times: prefill %v s, decode %v s", a.PrefillSeconds, a.DecodeSeconds)
	}
	return nil
}

func (a runAnswer) figures() runFigures {
	f := runFigures{
		PromptTokens: a.PromptTokens, PrefillS: round3(a.PrefillSeconds),
		GeneratedTokens: a.GeneratedTokens, DecodeTokens: a.DecodeTokens, DecodeS: round3(a.DecodeSeconds),
		PrefillTokS: round3(float64(a.PromptTokens) / a.PrefillSeconds),
		DecodeTokS:  round3(float64(a.DecodeTokens) / a.DecodeSeconds),
	}
	if a.WallSeconds != nil {
		f.WallS = round3(*a.WallSeconds)
	}
	f.ExpertCache = a.ExpertCache
	return f
}

// memorySampler keeps the largest memory figures the page reported.
type memorySampler struct {
	b      *browser
	peak   int64
	source string
	err    string

	wasmPeak, wasmLoadPeak int64          // the engine's own high-water marks (0: not given)
	wasmDetail             map[string]any // its latest breakdown
}

func (m *memorySampler) sample() {
	var a memoryAnswer
	if _, err := m.b.call("memory", &a); err != nil {
		m.err = err.Error()
		return
	}
	if a.Bytes > m.peak {
		m.peak, m.source = a.Bytes, a.Source
	}
	m.wasmPeak = max(m.wasmPeak, a.WasmPeakBytes)
	m.wasmLoadPeak = max(m.wasmLoadPeak, a.WasmLoadPeakBytes)
	if a.WasmDetail != nil {
		m.wasmDetail = a.WasmDetail
	}
}

// fileBytes is the size of the model file (0 if it cannot be read).
func fileBytes(path string) int64 {
	st, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return st.Size()
}

// withConsole adds the page's last console lines to an error: they usually
// say what went wrong inside the engine.
func withConsole(err error, b *browser) error {
	lines := b.lastConsole(5)
	if len(lines) == 0 {
		return err
	}
	return fmt.Errorf("%w (page console: %s)", err, strings.Join(lines, " | "))
}

func ptr[T any](v T) *T { return &v }

// round3 keeps three decimals: timings are not more precise than that.
func round3(x float64) float64 { return math.Round(x*1000) / 1000 }
