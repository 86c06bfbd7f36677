package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	goruntime "runtime"
)

// The vision mode (-mmproj): Hearth and wllama load the same text model and
// mmproj file as a pair, in the same Chromium build, and answer a chat turn
// [image, text] several times; each run is followed by a text-only prefill
// as long as that turn's prompt, so that the image's share of the prompt
// time can be had the same way for both engines (vision_report.go defines
// every figure).

// visionAnswer is what an engine's runImage answers (harness.js).
type visionAnswer struct {
	PromptTokens        int      `json:"promptTokens"`
	CachedTokens        *int     `json:"cachedTokens"`
	FirstTokenSeconds   *float64 `json:"firstTokenSeconds"`
	PromptSeconds       float64  `json:"promptSeconds"`
	ImageEncodeSeconds  *float64 `json:"imageEncodeSeconds"`
	ImagePrepareSeconds *float64 `json:"imagePrepareSeconds"`
	ImageInputs         *int     `json:"imageInputs"`
	ImagesCached        *int     `json:"imagesCached"`
	GeneratedTokens     int      `json:"generatedTokens"`
	DecodeTokens        int      `json:"decodeTokens"`
	DecodeSeconds       float64  `json:"decodeSeconds"`
	WallSeconds         float64  `json:"wallSeconds"`
}

// prefillAnswer is what an engine's prefillText answers.
type prefillAnswer struct {
	PromptTokens   int     `json:"promptTokens"`
	CachedTokens   *int    `json:"cachedTokens"`
	PrefillSeconds float64 `json:"prefillSeconds"`
}

// check refuses runs that did not do what was asked.
func (a visionAnswer) check(generated int) error {
	switch {
	case a.CachedTokens != nil && *a.CachedTokens != 0:
		return fmt.Errorf("the engine reused %d cached prompt tokens from an earlier run", *a.CachedTokens)
	case a.ImagesCached != nil && *a.ImagesCached != 0:
		return fmt.Errorf("the engine took %d image(s) from its cache of encoded images", *a.ImagesCached)
	case a.GeneratedTokens != generated:
		return fmt.Errorf("the engine generated %d tokens, want %d", a.GeneratedTokens, generated)
	case a.FirstTokenSeconds == nil:
		return fmt.Errorf("no token was streamed")
	case a.PromptTokens < 1:
		return fmt.Errorf("the engine reports %d prompt positions", a.PromptTokens)
	case !(a.PromptSeconds > 0) || !(a.DecodeSeconds > 0) || a.DecodeTokens < 1:
		return fmt.Errorf("non-positive figures: prompt %v s, decode %v s over %d tokens", a.PromptSeconds, a.DecodeSeconds, a.DecodeTokens)
	}
	return nil
}

// benchmarkVision runs every engine at every thread count on the pair.
func benchmarkVision(ctx context.Context, c config, logf func(string, ...any)) (*visionReport, error) {
	dir, err := os.MkdirTemp("", "benchbrowser-image-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	img, err := prepareImage(c.image, c.imageSize, dir)
	if err != nil {
		return nil, err
	}
	rep := &visionReport{
		Model: filepath.Base(c.model), FileBytes: fileBytes(c.model),
		MMProj: filepath.Base(c.mmproj), MMProjBytes: fileBytes(c.mmproj),
		Image: img, Text: c.imageText, Runs: c.runs, GeneratedTokens: c.decodeTokens, NCtx: c.nCtx,
		Host:  hostInfo{CPUs: goruntime.NumCPU(), LoadAvgBefore: loadAverage()},
		Notes: visionNotes,
	}
	srv, err := startServer(c.webDir, c.model, c.mmproj, img.Path)
	if err != nil {
		return nil, err
	}
	defer srv.close()
	for _, threads := range c.threads {
		for _, engine := range c.engines {
			if engine != "hearth" && threads > 1 {
				// wllama's clip encoder can hang here with more than one
				// thread (tests/vision's oracle runs it on one).
				logf("%s, %d thread(s): skipped (wllama's vision runs use one thread)", engine, threads)
				continue
			}
			logf("%s, %d thread(s): starting", engine, threads)
			r, browser := runVisionCase(ctx, c, srv, engine, threads, img, logf)
			if browser != "" {
				rep.Browser = browser
			}
			if r.Error != "" {
				logf("%s, %d thread(s): %s", engine, threads, r.Error)
			}
			rep.Results = append(rep.Results, r)
			// A vision case takes many minutes: the report so far is
			// written after each, so an interrupted run keeps its figures.
			if c.jsonOut != "" {
				if err := writePartial(c.jsonOut, rep, c.threads); err != nil {
					logf("writing the partial report: %v", err)
				}
			}
		}
	}
	rep.Host.LoadAvgAfter = loadAverage()
	rep.Ratios = visionRatios(rep.Results, c.threads)
	return rep, nil
}

// runVisionCase loads the pair in a fresh browser and times the runs.
func runVisionCase(parent context.Context, c config, srv *server, engine string, threads int, img benchImage, logf func(string, ...any)) (visionResult, string) {
	ctx, cancel := context.WithTimeout(parent, c.caseTimeout)
	defer cancel()
	out := visionResult{Engine: engine, Threads: threads}
	fail := func(err error) visionResult {
		out.Error = err.Error()
		return out
	}
	b, err := startBrowser(ctx, c.chromium, c.verbose, logf)
	if err != nil {
		return fail(err), ""
	}
	defer b.close()
	browser := b.version()
	if err := b.open(srv.base + "/bench/" + engine + ".html"); err != nil {
		return fail(err), browser
	}

	var raw map[string]any
	opts := map[string]any{"threads": threads, "nCtx": c.nCtx, "simd": c.simd, "mmproj": srv.modelURL(c.mmproj)}
	if _, err := b.call("load", &raw, srv.modelURL(c.model), opts); err != nil {
		return fail(withConsole(err, b)), browser
	}
	var li loadInfo
	if err := remarshal(raw, &li); err != nil {
		return fail(fmt.Errorf("load answered %v: %w", raw, err)), browser
	}
	if li.Threads != 0 && li.Threads != threads {
		return fail(fmt.Errorf("load: the engine runs %d threads, %d asked for", li.Threads, threads)), browser
	}
	delete(raw, "loadSeconds")
	out.EngineInfo = raw
	out.LoadS = ptr(round3(li.LoadSeconds))
	logf("%s, %d thread(s): loaded the pair in %.2f s", engine, threads, li.LoadSeconds)
	if missing, err := b.call("setImage", nil, srv.modelURL(img.Path)); err != nil {
		return fail(withConsole(err, b)), browser
	} else if missing {
		return fail(fmt.Errorf("the %s page has no vision methods (setImage, runImage, prefillText)", engine)), browser
	}

	mem := memorySampler{b: b}
	mem.sample()
	var base prefillAnswer // the text-only baseline
	for i := 0; i < c.runs; i++ {
		var a visionAnswer
		if _, err := b.call("runImage", &a, c.imageText, c.decodeTokens); err != nil {
			return fail(withConsole(err, b)), browser
		}
		if err := a.check(c.decodeTokens); err != nil {
			return fail(fmt.Errorf("run %d: %w", i+1, err)), browser
		}
		if a.PromptTokens+1 > c.nCtx {
			return fail(fmt.Errorf("run %d: the prompt's %d positions leave no room in a context of %d for the text-only baseline", i+1, a.PromptTokens, c.nCtx)), browser
		}
		if i > 0 && a.PromptTokens == base.PromptTokens {
			f := a.figures(base)
			out.RunDetails = append(out.RunDetails, f)
			logRun(logf, engine, threads, i+1, f)
			mem.sample()
			continue
		}
		// The baseline is measured once, after the first run (the prompt
		// is the same every run): on wllama a prompt of a thousand tokens
		// takes about a minute at one thread.
		var p prefillAnswer
		if _, err := b.call("prefillText", &p, benchmarkPrompt(a.PromptTokens)); err != nil {
			return fail(withConsole(err, b)), browser
		}
		switch {
		case p.PromptTokens != a.PromptTokens:
			return fail(fmt.Errorf("run %d: the text-only baseline has %d tokens, want %d", i+1, p.PromptTokens, a.PromptTokens)), browser
		case p.CachedTokens != nil && *p.CachedTokens != 0:
			return fail(fmt.Errorf("run %d: the text-only baseline reused %d cached tokens", i+1, *p.CachedTokens)), browser
		case !(p.PrefillSeconds > 0):
			return fail(fmt.Errorf("run %d: the text-only baseline took %v s", i+1, p.PrefillSeconds)), browser
		}
		base = p
		f := a.figures(p)
		out.RunDetails = append(out.RunDetails, f)
		logRun(logf, engine, threads, i+1, f)
		mem.sample()
	}
	out.summarize()
	if mem.peak > 0 {
		out.PeakMemoryBytes, out.MemorySource = ptr(mem.peak), mem.source+" (largest of samples after load and after each run)"
	} else {
		out.MemorySource = "unavailable: " + mem.err
	}
	if mem.wasmPeak > 0 {
		out.WasmPeakBytes = ptr(mem.wasmPeak)
	}
	if rss := rendererPeakRSS("/proc", b.processID); rss > 0 {
		out.RendererPeakRSSBytes = ptr(rss)
	}
	return out, browser
}

func logRun(logf func(string, ...any), engine string, threads, run int, f visionRunFigures) {
	logf("%s, %d thread(s): run %d: first token %.2f s, prompt %.2f s (%d positions), text-only %.2f s, encode %.2f s (derived)%s, decode %.2f tok/s",
		engine, threads, run, f.FirstTokenS, f.PromptS, f.PromptTokens, f.TextPrefillS, f.ImageEncodeS, directNote(f), f.DecodeTokS)
}

func directNote(f visionRunFigures) string {
	if f.ImageEncodeDirectS == nil {
		return ""
	}
	return fmt.Sprintf(" / %.2f s (engine's own, %d inputs)", *f.ImageEncodeDirectS, deref(f.ImageInputs))
}

func deref(p *int) int {
	if p == nil {
		return 0
	}
	return *p
}

// figures turns a run and its text-only baseline into the report's figures.
func (a visionAnswer) figures(p prefillAnswer) visionRunFigures {
	f := visionRunFigures{
		PromptTokens: a.PromptTokens, FirstTokenS: round3(*a.FirstTokenSeconds), PromptS: round3(a.PromptSeconds),
		TextPrefillS: round3(p.PrefillSeconds), ImageEncodeS: round3(a.PromptSeconds - p.PrefillSeconds),
		ImageInputs:     a.ImageInputs,
		GeneratedTokens: a.GeneratedTokens, DecodeTokens: a.DecodeTokens, DecodeS: round3(a.DecodeSeconds),
		DecodeTokS: round3(float64(a.DecodeTokens) / a.DecodeSeconds), WallS: round3(a.WallSeconds),
	}
	if a.ImageEncodeSeconds != nil {
		f.ImageEncodeDirectS = ptr(round3(*a.ImageEncodeSeconds))
	}
	if a.ImagePrepareSeconds != nil {
		f.ImagePrepareS = ptr(round3(*a.ImagePrepareSeconds))
	}
	return f
}

// checkVision validates the vision mode's flags.
func (c config) checkVision() error {
	for _, f := range []struct{ flag, path string }{{"-mmproj", c.mmproj}, {"-image", c.image}} {
		if f.path == "" {
			continue
		}
		if st, err := os.Stat(f.path); err != nil {
			return fmt.Errorf("%s: %w", f.flag, err)
		} else if st.IsDir() {
			return fmt.Errorf("%s %s is a directory", f.flag, f.path)
		}
	}
	if c.image == "" {
		if _, _, err := parseImageSize(c.imageSize); err != nil {
			return err
		}
	}
	if filepath.Base(c.mmproj) == filepath.Base(c.model) || filepath.Base(c.image) == filepath.Base(c.model) || c.image != "" && filepath.Base(c.image) == filepath.Base(c.mmproj) {
		return fmt.Errorf("the model, mmproj and image files need different base names (the server offers each under its own)")
	}
	if c.decodeTokens < 2 {
		return fmt.Errorf("-n must be at least 2, got %d", c.decodeTokens)
	}
	return nil
}

// writePartial writes the report as it stands (ratios of the cases done,
// the load average now) to path.
func writePartial(path string, rep *visionReport, threads []int) error {
	partial := *rep
	partial.Host.LoadAvgAfter = loadAverage() + " (partial report: written after the last case that ended)"
	partial.Ratios = visionRatios(rep.Results, threads)
	out, err := json.MarshalIndent(&partial, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(out, '\n'), 0o644)
}
