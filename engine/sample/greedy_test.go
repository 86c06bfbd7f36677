package sample

import (
	"math"
	"slices"
	"testing"
)

func TestGreedy(t *testing.T) {
	nan := float32(math.NaN())
	ninf := float32(math.Inf(-1))
	cases := []struct {
		name   string
		logits []float32
		want   int32
	}{
		{"single max", []float32{0.1, 2, -3, 1.9}, 1},
		{"tie goes to the lowest id", []float32{1, 7, 3, 7, 7}, 1},
		{"tie at id 0", []float32{5, 5}, 0},
		{"NaN is never chosen", []float32{nan, 1, nan, 0.5}, 1},
		{"negative logits", []float32{-5, -1, -3}, 1},
		{"+Inf wins", []float32{1, float32(math.Inf(1)), 3}, 1},
		{"-Inf ignored", []float32{ninf, -100, ninf}, 1},
		{"all banned", []float32{ninf, ninf}, NoToken},
		{"all NaN", []float32{nan, nan}, NoToken},
		{"empty", nil, NoToken},
	}
	for _, tc := range cases {
		if got := Greedy(tc.logits); got != tc.want {
			t.Errorf("%s: Greedy(%v) = %d, want %d", tc.name, tc.logits, got, tc.want)
		}
	}
}

// Temperature 0 or below is greedy over the biased, penalised logits, and
// ignores the truncation settings.
func TestSampleAtZeroTemperatureIsGreedy(t *testing.T) {
	logits := []float32{1, 4, 4, 2}
	for _, temp := range []float32{0, -1} {
		s := mustNew(t, Config{Temperature: temp, TopK: 3, TopP: 0.5, MinP: 0.3, Seed: 9})
		for range 20 {
			if got := s.Sample(logits, nil); got != 1 {
				t.Fatalf("T=%v: got %d, want 1 (first of the tied best)", temp, got)
			}
		}
	}
	s := mustNew(t, Config{LogitBias: map[int32]float32{3: 2.5}})
	if got := s.Sample(logits, nil); got != 3 {
		t.Errorf("bias +2.5 on token 3 (2+2.5 > 4): got %d, want 3", got)
	}
}

func TestBanAndForce(t *testing.T) {
	logits := []float32{1, 4, 3, 2}
	s := mustNew(t, Config{Temperature: 1, Seed: 3, LogitBias: map[int32]float32{1: float32(math.Inf(-1))}})
	for range 200 {
		if got := s.Sample(logits, nil); got == 1 {
			t.Fatal("sampled token 1, which the config bans")
		}
	}
	if err := s.Ban(2, 3); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if got := s.Sample(logits, nil); got != 0 {
			t.Fatalf("with 1, 2 and 3 banned, got %d", got)
		}
	}
	if err := s.Ban(0); err != nil {
		t.Fatal(err)
	}
	if got := s.Sample(logits, nil); got != NoToken {
		t.Errorf("with every token banned, got %d, want NoToken", got)
	}
	s.ClearBias() // back to the config: only 1 banned
	seen := map[int32]bool{}
	for range 500 {
		seen[s.Sample(logits, nil)] = true
	}
	if seen[1] || !seen[0] || !seen[2] || !seen[3] {
		t.Errorf("after ClearBias, tokens seen: %v (want 0, 2, 3 and never 1)", seen)
	}

	// +Inf forces a token whatever its logit.
	if err := s.SetBias(0, float32(math.Inf(1))); err != nil {
		t.Fatal(err)
	}
	for range 50 {
		if got := s.Sample(logits, nil); got != 0 {
			t.Fatalf("token 0 forced with +Inf, got %d", got)
		}
	}
	// Bias 0 removes the entry; the config's ban on 1 can be lifted too.
	if err := s.SetBias(0, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.SetBias(1, 0); err != nil {
		t.Fatal(err)
	}
	g := mustNew(t, Config{})
	g.bias = s.bias
	if got := g.Sample(logits, nil); got != 1 {
		t.Errorf("after lifting every bias greedy gives %d, want 1", got)
	}
}

func TestBiasOutsideTheVocabularyIsIgnored(t *testing.T) {
	s := mustNew(t, Config{LogitBias: map[int32]float32{0: 10, 50: 100}})
	if got := s.Sample([]float32{1, 2, 3}, nil); got != 0 {
		t.Errorf("got %d, want 0 (bias +10 on token 0; token 50 is outside)", got)
	}
}

func TestSampleBadInput(t *testing.T) {
	s := mustNew(t, DefaultConfig())
	if got := s.Sample(nil, nil); got != NoToken {
		t.Errorf("empty logits: got %d, want NoToken", got)
	}
	nan := float32(math.NaN())
	for range 50 {
		if got := s.Sample([]float32{nan, 1, nan, 0}, []int32{-5, 99, 1}); got != 1 && got != 3 {
			t.Fatalf("NaN logits must never be drawn; got %d", got)
		}
	}
	// NaN must stay out whichever stages run, including the heap path of
	// top-k where the heap is first filled unconditionally.
	big := make([]float32, 3000)
	for i := range big {
		if i%3 == 0 {
			big[i] = nan
		} else {
			big[i] = float32(i%17) / 17
		}
	}
	for _, cfg := range []Config{
		{Temperature: 1}, {Temperature: 1, TopK: 50}, {Temperature: 1, TopP: 0.5},
		{Temperature: 1, MinP: 0.5}, {Temperature: 1, TopK: 2000, TopP: 0.9, MinP: 0.1},
	} {
		s := mustNew(t, cfg)
		for range 100 {
			if got := s.Sample(big, nil); got < 0 || got%3 == 0 {
				t.Fatalf("%+v drew token %d, whose logit is NaN", cfg, got)
			}
		}
	}
	ninf := float32(math.Inf(-1))
	for _, cfg := range []Config{{Temperature: 1}, {Temperature: 1, MinP: 0.1}, {Temperature: 1, TopP: 0.5}} {
		if got := mustNew(t, cfg).Sample([]float32{nan, nan}, nil); got != NoToken {
			t.Errorf("%+v over all-NaN logits: got %d, want NoToken", cfg, got)
		}
	}
	if got := s.Sample([]float32{ninf, nan}, nil); got != NoToken {
		t.Errorf("nothing choosable: got %d, want NoToken", got)
	}
	// A -Inf logit forced with +Inf stays out (it would be NaN).
	f := mustNew(t, Config{Temperature: 1, LogitBias: map[int32]float32{0: float32(math.Inf(1))}})
	for range 50 {
		if got := f.Sample([]float32{ninf, 0, 0}, nil); got == 0 {
			t.Fatal("drew token 0, whose logit is -Inf")
		}
	}
	// The vocabulary may change size between calls.
	for _, n := range []int{3, 1000, 5} {
		logits := make([]float32, n)
		logits[n-1] = 50
		if got := s.Sample(logits, nil); got != int32(n-1) {
			t.Errorf("vocabulary of %d: got %d, want %d", n, got, n-1)
		}
	}
}

func TestSampleLeavesItsInputsAlone(t *testing.T) {
	logits := []float32{0.5, 2, -1, 3, 1, 1.5}
	history := []int32{3, 3, 1, 0}
	wantLogits, wantHistory := slices.Clone(logits), slices.Clone(history)
	cfg := DefaultConfig()
	cfg.RepeatPenalty, cfg.FrequencyPenalty, cfg.PresencePenalty = 1.3, 0.2, 0.1
	cfg.LogitBias = map[int32]float32{2: 1, 4: float32(math.Inf(-1))}
	for _, c := range []Config{cfg, {Temperature: 1, RepeatPenalty: 2, RepeatLastN: -1}, {RepeatPenalty: 2, RepeatLastN: 2}} {
		s := mustNew(t, c)
		for range 10 {
			s.Sample(logits, history)
		}
		if !slices.Equal(logits, wantLogits) || !slices.Equal(history, wantHistory) {
			t.Fatalf("config %+v modified its inputs: logits %v, history %v", c, logits, history)
		}
	}
}
