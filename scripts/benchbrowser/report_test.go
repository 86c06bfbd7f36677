package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestMedian(t *testing.T) {
	for _, c := range []struct {
		xs   []float64
		want float64
	}{{[]float64{3}, 3}, {[]float64{9, 1, 5}, 5}, {[]float64{4, 1, 3, 2}, 2.5}} {
		if got := median(c.xs); got != c.want {
			t.Errorf("median(%v) = %v, want %v", c.xs, got, c.want)
		}
	}
	xs := []float64{3, 1, 2}
	median(xs)
	if xs[0] != 3 || xs[1] != 1 {
		t.Errorf("median reordered its argument: %v", xs)
	}
}

func TestSummarizeTakesMediansOfTheRuns(t *testing.T) {
	r := result{RunDetails: []runFigures{
		{PrefillTokS: 10, DecodeTokS: 5}, {PrefillTokS: 30, DecodeTokS: 1}, {PrefillTokS: 20, DecodeTokS: 7},
	}}
	r.summarize()
	if *r.PrefillTokS != 20 || *r.DecodeTokS != 5 {
		t.Errorf("medians %v and %v, want 20 and 5", *r.PrefillTokS, *r.DecodeTokS)
	}
}

func TestRatiosDivideHearthByWllama(t *testing.T) {
	res := []result{
		{Engine: "hearth", Threads: 1, LoadS: ptr(1.0), PrefillTokS: ptr(30.0), DecodeTokS: ptr(12.0)},
		{Engine: "wllama", Threads: 1, LoadS: ptr(2.0), PrefillTokS: ptr(15.0), DecodeTokS: ptr(8.0)},
		{Engine: "hearth", Threads: 2, Error: "load: Hearth's browser engine is not built yet"},
		{Engine: "wllama", Threads: 2, LoadS: ptr(2.0), PrefillTokS: ptr(29.0), DecodeTokS: ptr(15.0)},
	}
	rs := ratios(res, []int{1, 2, 4})
	if len(rs) != 2 {
		t.Fatalf("%d ratios, want 2 (none for a thread count nobody ran): %+v", len(rs), rs)
	}
	if r := rs[0]; r.Prefill == nil || *r.Prefill != 2 || *r.Decode != 1.5 || *r.Load != 0.5 || r.Missing != "" {
		t.Errorf("1 thread: %+v, want prefill 2, decode 1.5, load 0.5", r)
	}
	if r := rs[1]; r.Prefill != nil || r.Decode != nil || !strings.Contains(r.Missing, "not built yet") {
		t.Errorf("2 threads: %+v, want no figures and the reason", r)
	}
	b, err := json.Marshal(rs[1])
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"prefill":null`) {
		t.Errorf("a missing ratio is not null in JSON: %s", b)
	}
}

func TestRunCheckRefusesRunsThatDidSomethingElse(t *testing.T) {
	good := runAnswer{PromptTokens: 128, CachedTokens: ptr(0), PrefillSeconds: 5, GeneratedTokens: 64, DecodeTokens: 63, DecodeSeconds: 6}
	if err := good.check(128, 64); err != nil {
		t.Fatalf("a good run: %v", err)
	}
	f := good.figures()
	if f.PrefillTokS != 128.0/5 || f.DecodeTokS != 63.0/6 {
		t.Errorf("figures %+v: want prefill 25.6 and decode 10.5 tok/s", f)
	}
	for _, c := range []struct {
		mutate func(*runAnswer)
		wants  string
	}{
		{func(a *runAnswer) { a.PromptTokens = 129 }, "129 prompt tokens"},
		{func(a *runAnswer) { a.CachedTokens = ptr(128) }, "cached"},
		{func(a *runAnswer) { a.GeneratedTokens = 12 }, "generated 12"},
		{func(a *runAnswer) { a.DecodeTokens = 65 }, "decodeTokens"},
		{func(a *runAnswer) { a.DecodeSeconds = 0 }, "non-positive"},
	} {
		a := good
		c.mutate(&a)
		if err := a.check(128, 64); err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%+v: %v, want an error mentioning %q", a, err, c.wants)
		}
	}
}

func TestTableShowsFiguresAndErrors(t *testing.T) {
	r := report{Model: "m.gguf", FileBytes: 2e6, Runs: 3, PromptTokens: 128, GeneratedTokens: 64,
		Results: []result{
			{Engine: "hearth", Threads: 1, Error: "load: Hearth's browser engine is not built yet"},
			{Engine: "wllama", Threads: 1, LoadS: ptr(2.5), PrefillTokS: ptr(15.25), DecodeTokS: ptr(8.5), PeakMemoryBytes: ptr(int64(400e6))},
		}}
	tab := r.table()
	for _, want := range []string{"not built yet", "15.25", "8.50", "400"} {
		if !strings.Contains(tab, want) {
			t.Errorf("table lacks %q:\n%s", want, tab)
		}
	}
}

func TestWasmPeakIsReportedAgainstTheFileSize(t *testing.T) {
	var r result
	r.setWasmPeak(126_000_000, 117_500_000, 105_000_000)
	if r.WasmPeakBytes == nil || *r.WasmPeakBytes != 126_000_000 || r.WasmPeakRatio == nil || *r.WasmPeakRatio != 1.2 {
		t.Fatalf("peak %v ratio %v, want 126000000 and 1.2", r.WasmPeakBytes, r.WasmPeakRatio)
	}
	if r.WasmLoadPeakRatio == nil || *r.WasmLoadPeakRatio != 1.119 {
		t.Fatalf("load ratio %v, want 1.119 (117.5/105, rounded)", r.WasmLoadPeakRatio)
	}
	var none result
	none.setWasmPeak(0, 0, 105_000_000)
	if none.WasmPeakBytes != nil || none.WasmPeakRatio != nil || none.WasmLoadPeakBytes != nil {
		t.Fatalf("an engine that gives no wasm peak got %+v", none)
	}
	b, err := json.Marshal(none)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), "wasm_peak") {
		t.Errorf("absent wasm figures appear in JSON: %s", b)
	}
	rep := report{Model: "m.gguf", FileBytes: 105_000_000, Runs: 1, Results: []result{r, {Engine: "wllama", Threads: 1, LoadS: ptr(1.0)}}}
	tab := rep.table()
	for _, want := range []string{"wasm/file", "126.0", "1.200", "1.119"} {
		if !strings.Contains(tab, want) {
			t.Errorf("table lacks %q:\n%s", want, tab)
		}
	}
}

func TestTableAndJSONShowTheParameters(t *testing.T) {
	p := paramCount{Total: 1_334_690_816, Active: 428_721_152, Expert: 1_207_959_552, ExpertCount: 32, ExpertUsedCount: 8}
	r := report{Model: "moe.gguf", FileBytes: 875e6, Runs: 3, Parameters: &p,
		Results: []result{{Engine: "wllama", Threads: 1, LoadS: ptr(2.5), PrefillTokS: ptr(15.25), DecodeTokS: ptr(8.5)}}}
	if tab := r.table(); !strings.Contains(tab, "parameters: 1.33 B total, 429 M active per token (8 of 32 experts)") {
		t.Errorf("table lacks the parameters:\n%s", tab)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(b), `"parameters":{"total":1334690816,"active":428721152,"expert":1207959552,"expert_count":32,"expert_used_count":8}`) {
		t.Errorf("JSON lacks the parameters: %s", b)
	}
	r.Parameters, r.ParametersError = nil, "expert_used_count 0 is not in 1..expert_count 32"
	if tab := r.table(); !strings.Contains(tab, "not counted (expert_used_count 0") {
		t.Errorf("table lacks the counting error:\n%s", tab)
	}
}
