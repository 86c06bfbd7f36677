package sample

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
)

// Config selects the sampling stages and their strengths. The zero value is
// valid and means greedy decoding with nothing else applied.
type Config struct {
	// Temperature divides the logits before the draw. 0 or below: greedy
	// (argmax after bias and penalties).
	Temperature float32
	// TopK keeps the K most likely tokens. 0 or below: off.
	TopK int
	// TopP keeps the smallest set of most likely tokens whose probabilities
	// add up to at least TopP. 0 (unset) or 1 and above: off. Negative is an
	// error.
	TopP float32
	// MinP drops tokens whose probability is below MinP times the most likely
	// token's. 0: off. Must be in [0, 1].
	MinP float32
	// RepeatPenalty divides the positive logits (and multiplies the negative
	// ones) of tokens seen in the last RepeatLastN tokens. 1 or 0 (unset):
	// off. Must not be negative.
	RepeatPenalty float32
	// RepeatLastN is how many of the most recent history tokens the
	// penalties look at, as llama.cpp's --repeat-last-n: 0 disables the
	// penalties, -1 means the whole history. It must be non-zero when a
	// penalty is set (a silently disabled penalty is almost always a
	// mistake; llama.cpp's default window is 64).
	RepeatLastN int
	// PresencePenalty is subtracted once from the logit of every token seen
	// in the window; FrequencyPenalty is subtracted once per occurrence.
	// 0: off. Negative values encourage repetition.
	PresencePenalty, FrequencyPenalty float32
	// Seed fixes the random stream (see the package documentation).
	Seed uint64
	// LogitBias is added to the logits of the given token ids before every
	// other stage. math.Inf(-1) bans a token, math.Inf(1) forces it. Ids
	// must not be negative; ids beyond the vocabulary are ignored by Sample
	// and reported by Prepare.
	LogitBias map[int32]float32
}

// DefaultConfig returns llama.cpp's default sampling settings
// (common_params_sampling): temperature 0.8, top-k 40, top-p 0.95,
// min-p 0.05, penalties off with a 64-token window, seed 0.
func DefaultConfig() Config {
	return Config{
		Temperature:   0.8,
		TopK:          40,
		TopP:          0.95,
		MinP:          0.05,
		RepeatPenalty: 1,
		RepeatLastN:   64,
	}
}

// Validate reports every field that holds an unusable value, each error
// naming its field.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("sample: "+format, args...))
	}
	finite := func(name string, v float32) bool {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			bad("%s is %v; it must be a finite number", name, v)
			return false
		}
		return true
	}

	finite("Temperature", c.Temperature)
	if finite("TopP", c.TopP) && c.TopP < 0 {
		bad("TopP is %v; it must not be negative (0 or >= 1 turns top-p off)", c.TopP)
	}
	if finite("MinP", c.MinP) && (c.MinP < 0 || c.MinP > 1) {
		bad("MinP is %v; it must be between 0 and 1 (0 turns min-p off)", c.MinP)
	}
	if finite("RepeatPenalty", c.RepeatPenalty) && c.RepeatPenalty < 0 {
		bad("RepeatPenalty is %v; it must not be negative (1 turns it off)", c.RepeatPenalty)
	}
	finite("PresencePenalty", c.PresencePenalty)
	finite("FrequencyPenalty", c.FrequencyPenalty)
	if c.RepeatLastN < -1 {
		bad("RepeatLastN is %d; it must be -1 (whole history), 0 (off) or positive", c.RepeatLastN)
	}
	if c.RepeatLastN == 0 && c.penaltiesSet() {
		bad("RepeatLastN is 0, which turns off the RepeatPenalty/PresencePenalty/FrequencyPenalty that are set; give it a window (llama.cpp uses 64, -1 is the whole history) or unset the penalties")
	}
	for _, id := range slices.Sorted(maps.Keys(c.LogitBias)) {
		b := c.LogitBias[id]
		if id < 0 {
			bad("LogitBias has token id %d; token ids are not negative", id)
		}
		if math.IsNaN(float64(b)) {
			bad("LogitBias for token %d is NaN", id)
		}
	}
	return errors.Join(errs...)
}

// penaltiesSet reports whether any repetition penalty would change a logit.
func (c Config) penaltiesSet() bool {
	return c.effectiveRepeatPenalty() != 1 || c.PresencePenalty != 0 || c.FrequencyPenalty != 0
}

// effectiveRepeatPenalty maps the unset value 0 to 1 (off).
func (c Config) effectiveRepeatPenalty() float32 {
	if c.RepeatPenalty == 0 {
		return 1
	}
	return c.RepeatPenalty
}
