package sample

import (
	"math"
	"strings"
	"testing"
)

func TestNewRejectsBadConfigs(t *testing.T) {
	nan := float32(math.NaN())
	inf := float32(math.Inf(1))
	cases := []struct {
		name  string
		cfg   Config
		field string // the error must name it
	}{
		{"negative top-p", Config{Temperature: 1, TopP: -0.1}, "TopP"},
		{"NaN top-p", Config{TopP: nan}, "TopP"},
		{"NaN temperature", Config{Temperature: nan}, "Temperature"},
		{"infinite temperature", Config{Temperature: inf}, "Temperature"},
		{"negative min-p", Config{MinP: -0.01}, "MinP"},
		{"min-p above 1", Config{MinP: 1.5}, "MinP"},
		{"negative repeat penalty", Config{RepeatPenalty: -1.1, RepeatLastN: 64}, "RepeatPenalty"},
		{"NaN repeat penalty", Config{RepeatPenalty: nan, RepeatLastN: 64}, "RepeatPenalty"},
		{"infinite presence penalty", Config{PresencePenalty: inf, RepeatLastN: 64}, "PresencePenalty"},
		{"NaN frequency penalty", Config{FrequencyPenalty: nan, RepeatLastN: 64}, "FrequencyPenalty"},
		{"window below -1", Config{RepeatLastN: -2}, "RepeatLastN"},
		{"penalty with no window", Config{RepeatPenalty: 1.1}, "RepeatLastN"},
		{"presence penalty with no window", Config{PresencePenalty: 0.5}, "RepeatLastN"},
		{"negative bias id", Config{LogitBias: map[int32]float32{-3: 1}}, "LogitBias"},
		{"NaN bias", Config{LogitBias: map[int32]float32{3: nan}}, "LogitBias"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := New(tc.cfg)
			if err == nil {
				t.Fatalf("New(%+v) accepted the config", tc.cfg)
			}
			if s != nil {
				t.Errorf("New returned a sampler along with the error")
			}
			if !strings.Contains(err.Error(), tc.field) {
				t.Errorf("error %q does not name %s", err, tc.field)
			}
		})
	}
}

func TestNewReportsEveryBadField(t *testing.T) {
	_, err := New(Config{TopP: -1, MinP: 2, RepeatLastN: -5})
	if err == nil {
		t.Fatal("accepted three bad fields")
	}
	for _, field := range []string{"TopP", "MinP", "RepeatLastN"} {
		if !strings.Contains(err.Error(), field) {
			t.Errorf("error %q does not name %s", err, field)
		}
	}
}

func TestNewAcceptsUsableConfigs(t *testing.T) {
	cases := map[string]Config{
		"zero value":           {},
		"llama.cpp defaults":   DefaultConfig(),
		"top-p exactly 1":      {Temperature: 1, TopP: 1},
		"top-p above 1 (off)":  {Temperature: 1, TopP: 1.5},
		"negative top-k (off)": {Temperature: 1, TopK: -1},
		"min-p exactly 1":      {Temperature: 1, MinP: 1},
		"whole-history window": {RepeatPenalty: 1.3, RepeatLastN: -1},
		"penalty below 1":      {RepeatPenalty: 0.8, RepeatLastN: 16},
		"negative presence":    {PresencePenalty: -0.5, RepeatLastN: 16},
		"ban and force": {LogitBias: map[int32]float32{
			1: float32(math.Inf(-1)), 2: float32(math.Inf(1))}},
		"negative temperature (greedy)": {Temperature: -1},
		"huge seed":                     {Seed: math.MaxUint64},
	}
	for name, cfg := range cases {
		if _, err := New(cfg); err != nil {
			t.Errorf("%s: New: %v", name, err)
		}
	}
}

func TestPrepareChecksVocabulary(t *testing.T) {
	s, err := New(Config{Temperature: 1, LogitBias: map[int32]float32{99: 2}})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Prepare(50); err == nil || !strings.Contains(err.Error(), "99") {
		t.Errorf("Prepare(50) with a bias on token 99: err = %v, want one naming 99", err)
	}
	if err := s.Prepare(100); err != nil {
		t.Errorf("Prepare(100): %v", err)
	}
	for _, n := range []int{0, -1} {
		if err := s.Prepare(n); err == nil {
			t.Errorf("Prepare(%d) accepted", n)
		}
	}
}

func TestSetBiasRejectsBadInput(t *testing.T) {
	s, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.SetBias(-1, 1); err == nil {
		t.Error("SetBias accepted a negative id")
	}
	if err := s.SetBias(1, float32(math.NaN())); err == nil {
		t.Error("SetBias accepted NaN")
	}
	if err := s.Ban(3, -4); err == nil {
		t.Error("Ban accepted a negative id")
	}
}
