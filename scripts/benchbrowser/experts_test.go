package main

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestParseExpertBudgets(t *testing.T) {
	got, err := parseExpertBudgets("resident, 100%,50%,1000", 4000)
	if err != nil {
		t.Fatal(err)
	}
	want := []expertBudget{{}, {"100%", 4000}, {"50%", 2000}, {"1000", 1000}}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("entry %d: %+v, want %+v", i, got[i], want[i])
		}
	}
	if got, err := parseExpertBudgets("", 0); err != nil || len(got) != 1 || got[0].Bytes != 0 {
		t.Errorf("no list: %+v, %v; want the resident row alone", got, err)
	}
	for _, c := range []struct {
		list        string
		expertBytes int64
		wants       string
	}{
		{"50%", 0, "no experts"},
		{"0%", 4000, "above 0"},
		{"150%", 4000, "at most 100"},
		{"-5", 4000, "positive byte count"},
		{"lots", 4000, "positive byte count"},
		{"50%,2000", 4000, "twice"},
	} {
		if _, err := parseExpertBudgets(c.list, c.expertBytes); err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%q: %v, want an error mentioning %q", c.list, err, c.wants)
		}
	}
}

// The paged row's hit rates count every run's lookups, bytes read are per
// token of each phase, and its decode speed is a share of the resident
// Hearth row's (which alone is compared with wllama).
func TestPagedRowsSummarizeTheExpertCache(t *testing.T) {
	run := func(decodeTokS float64, pre, dec expertCounts) runFigures {
		return runFigures{PromptTokens: 128, DecodeTokens: 63, DecodeTokS: decodeTokS, PrefillTokS: 40,
			ExpertCache: &runExpertCache{Prefill: pre, Decode: dec}}
	}
	paged := result{Engine: "hearth", Threads: 1, ExpertBudget: "50%", ExpertBudgetBytes: ptr(int64(2000)), RunDetails: []runFigures{
		run(9, expertCounts{Hits: 100, Misses: 100, BytesRead: 128e6}, expertCounts{Hits: 450, Misses: 50, BytesRead: 63e6}),
		run(10, expertCounts{Hits: 300, Misses: 100, BytesRead: 0}, expertCounts{Hits: 500, Misses: 0, BytesRead: 0}),
		run(11, expertCounts{}, expertCounts{Hits: 490, Misses: 10, BytesRead: 63e6}),
	}}
	paged.summarize()
	if err := paged.summarizeExperts(); err != nil {
		t.Fatal(err)
	}
	if *paged.DecodeHitRate != 0.96 || *paged.PrefillHitRate != 0.6667 {
		t.Errorf("hit rates: decode %v, prefill %v; want 0.96 and 0.6667", *paged.DecodeHitRate, *paged.PrefillHitRate)
	}
	if *paged.DecodeMBPerToken != round3(126.0/189) || *paged.PrefillMBPerToken != round3(128.0/384) {
		t.Errorf("MB read a token: decode %v, prefill %v", *paged.DecodeMBPerToken, *paged.PrefillMBPerToken)
	}
	res := []result{
		{Engine: "hearth", Threads: 1, DecodeTokS: ptr(12.5), PrefillTokS: ptr(40.0), LoadS: ptr(1.0)},
		paged,
		{Engine: "wllama", Threads: 1, DecodeTokS: ptr(10.0), PrefillTokS: ptr(20.0), LoadS: ptr(2.0)},
	}
	compareWithResident(res)
	if res[1].DecodeVsResident == nil || *res[1].DecodeVsResident != 0.8 || res[0].DecodeVsResident != nil {
		t.Errorf("decode vs resident: %v; want 0.8 on the paged row only", res[1].DecodeVsResident)
	}
	if rs := ratios([]result{res[1], res[0], res[2]}, []int{1}); *rs[0].Decode != 1.25 {
		t.Errorf("hearth/wllama decode %v: want the resident row's 1.25", *rs[0].Decode)
	}
	rep := report{Results: res}
	table := rep.table()
	if !strings.Contains(table, "hearth@50%") || !strings.Contains(table, "decode hit rate 96.0%, 0.67 MB read/token; prefill hit rate 66.7%; decode ×0.80 of resident") {
		t.Errorf("the table does not show the paged row:\n%s", table)
	}
	b, err := json.Marshal(res[1])
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range []string{`"expert_budget":"50%"`, `"expert_budget_bytes":2000`, `"decode_hit_rate":0.96`, `"decode_mb_read_per_token":0.667`, `"decode_vs_resident":0.8`, `"expert_cache":{"prefill"`} {
		if !strings.Contains(string(b), k) {
			t.Errorf("the JSON lacks %s: %s", k, b)
		}
	}
	// A paged run without counts, or no lookups while decoding, is an error.
	for _, bad := range [][]runFigures{{{PromptTokens: 1, DecodeTokens: 1}}, {run(1, expertCounts{}, expertCounts{})}} {
		r := result{ExpertBudgetBytes: ptr(int64(1)), RunDetails: bad}
		if err := r.summarizeExperts(); err == nil {
			t.Errorf("runs %+v summarized without an error", bad)
		}
	}
}
