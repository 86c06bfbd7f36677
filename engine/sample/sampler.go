package sample

import (
	"fmt"
	"maps"
	"math"
	"slices"
)

// Sampler picks next tokens with one Config and one random stream. Its
// scratch buffers are sized to the vocabulary on first use and reused.
type Sampler struct {
	cfg           Config
	repeatPenalty float32

	configBias []tokenBias // from Config.LogitBias, sorted by id
	bias       []tokenBias // configBias plus SetBias/Ban changes, sorted by id

	rng mt19937

	work   []float32 // the logits being transformed, by id
	counts []int32   // per-id occurrence counts for the penalties, kept zeroed
	items  []cand    // candidate list, room for the whole vocabulary
	keys   []uint64  // sort scratch, room for the whole vocabulary
	keys2  []uint64  // second buffer for the radix sort
}

// tokenBias is one logit-bias entry.
type tokenBias struct {
	id   int32
	bias float32
}

// New checks cfg and returns a Sampler seeded with cfg.Seed.
func New(cfg Config) (*Sampler, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	s := &Sampler{cfg: cfg, repeatPenalty: cfg.effectiveRepeatPenalty()}
	for _, id := range slices.Sorted(maps.Keys(cfg.LogitBias)) {
		s.configBias = append(s.configBias, tokenBias{id, cfg.LogitBias[id]})
	}
	s.bias = slices.Clone(s.configBias)
	s.rng.seed64(cfg.Seed)
	return s, nil
}

// Reset restarts the random stream from the configured seed, so the next
// Sample calls repeat the draws made since New.
func (s *Sampler) Reset() {
	s.rng.seed64(s.cfg.Seed)
}

// Prepare sizes the scratch buffers for a vocabulary of vocabSize tokens, so
// that even the first Sample call does not allocate, and reports logit-bias
// entries that name a token outside the vocabulary (Sample ignores them).
func (s *Sampler) Prepare(vocabSize int) error {
	if vocabSize <= 0 || vocabSize > math.MaxInt32 {
		return fmt.Errorf("sample: vocabulary size %d is out of range", vocabSize)
	}
	for _, b := range s.bias {
		if int(b.id) >= vocabSize {
			return fmt.Errorf("sample: logit bias names token %d, but the vocabulary has %d tokens", b.id, vocabSize)
		}
	}
	s.ensure(vocabSize)
	return nil
}

// SetBias sets the logit bias of token id, replacing any earlier one
// (including one from Config.LogitBias). math.Inf(-1) bans the token; 0
// removes the entry.
func (s *Sampler) SetBias(id int32, bias float32) error {
	if id < 0 {
		return fmt.Errorf("sample: SetBias got token id %d; token ids are not negative", id)
	}
	if math.IsNaN(float64(bias)) {
		return fmt.Errorf("sample: SetBias got NaN for token %d", id)
	}
	i, found := slices.BinarySearchFunc(s.bias, id, func(b tokenBias, id int32) int {
		return int(b.id) - int(id)
	})
	switch {
	case found && bias == 0:
		s.bias = slices.Delete(s.bias, i, i+1)
	case found:
		s.bias[i].bias = bias
	case bias != 0:
		s.bias = slices.Insert(s.bias, i, tokenBias{id, bias})
	}
	return nil
}

// Ban gives each id a bias of -Inf, so Sample never returns it.
func (s *Sampler) Ban(ids ...int32) error {
	for _, id := range ids {
		if err := s.SetBias(id, float32(math.Inf(-1))); err != nil {
			return err
		}
	}
	return nil
}

// ClearBias drops every SetBias and Ban change, going back to
// Config.LogitBias.
func (s *Sampler) ClearBias() {
	s.bias = append(s.bias[:0], s.configBias...)
}

// Sample returns the next token for logits (one per vocabulary entry),
// given the tokens so far in history, oldest first. llama.cpp's penalties
// see the prompt as well as the generated tokens, so pass both to match it.
// Neither slice is modified. It returns NoToken when logits is empty or
// every token is banned. History ids outside the vocabulary are ignored.
func (s *Sampler) Sample(logits []float32, history []int32) int32 {
	n := len(logits)
	if n == 0 || n > math.MaxInt32 {
		return NoToken
	}
	s.ensure(n)
	work := s.work[:n]
	copy(work, logits)
	s.applyBias(work)
	if s.cfg.RepeatLastN != 0 && s.cfg.penaltiesSet() {
		penalties(work, s.counts[:n], penaltyWindow(history, s.cfg.RepeatLastN),
			s.repeatPenalty, s.cfg.FrequencyPenalty, s.cfg.PresencePenalty)
	}
	if s.cfg.Temperature <= 0 {
		return Greedy(work) // Greedy skips NaN by itself
	}
	p := pool{work: work, items: s.items[:n], keys: s.keys[:n], keys2: s.keys2[:n], all: true}
	p.topK(s.cfg.TopK)
	p.topP(s.cfg.TopP)
	p.minP(s.cfg.MinP)
	p.temperature(s.cfg.Temperature)
	return p.draw(&s.rng)
}

// applyBias adds the logit biases to work. A -Inf logit given a +Inf bias
// stays -Inf rather than becoming NaN.
func (s *Sampler) applyBias(work []float32) {
	for _, b := range s.bias {
		if int(b.id) >= len(work) {
			break // sorted by id: the rest are outside the vocabulary too
		}
		l := work[b.id] + b.bias
		if l != l {
			l = float32(math.Inf(-1))
		}
		work[b.id] = l
	}
}

// ensure makes the scratch buffers hold at least n entries. counts must stay
// zeroed between calls, which a fresh allocation is.
func (s *Sampler) ensure(n int) {
	if len(s.work) >= n {
		return
	}
	s.work = make([]float32, n)
	s.counts = make([]int32, n)
	s.items = make([]cand, n)
	s.keys = make([]uint64, n)
	s.keys2 = make([]uint64, n)
}
