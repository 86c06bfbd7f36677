package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/hearth-ai/hearth/engine/sample"
)

type generateResult struct {
	IDs []int32 `json:"ids"`
	// Text is the generated tokens' text (without an end-of-generation
	// token), invalid UTF-8 replaced as TextDecoder does (see validText).
	Text         string `json:"text"`
	PromptTokens int    `json:"prompt_tokens"`
	// Stop says why generation ended: "eog" (an end-of-generation token),
	// "length" (-n reached) or "context" (the context is full).
	Stop string `json:"stop"`
}

// runGenerate continues the prompt by up to -n tokens. The ids include an
// end-of-generation token if one ended the text; the text does not.
func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("generate", stderr)
	var mf modelFlags
	var pf promptFlags
	mf.register(fs)
	pf.register(fs)
	n := fs.Int("n", 32, "most tokens to generate")
	def := sample.DefaultConfig()
	var cfg sample.Config
	fs.Func("temp", "temperature (0: greedy)", floatFlag(&cfg.Temperature))
	cfg.Temperature = 0
	fs.IntVar(&cfg.TopK, "top-k", def.TopK, "keep the K most likely tokens (0: off)")
	cfg.TopP, cfg.MinP, cfg.RepeatPenalty = def.TopP, def.MinP, def.RepeatPenalty
	fs.Func("top-p", fmt.Sprintf("nucleus sampling threshold (default %v; 1: off)", def.TopP), floatFlag(&cfg.TopP))
	fs.Func("min-p", fmt.Sprintf("drop tokens below this fraction of the best one's probability (default %v)", def.MinP), floatFlag(&cfg.MinP))
	fs.Func("repeat-penalty", "penalty for tokens in the last --repeat-last-n (default 1: off)", floatFlag(&cfg.RepeatPenalty))
	fs.IntVar(&cfg.RepeatLastN, "repeat-last-n", def.RepeatLastN, "tokens the penalties look back at (-1: all)")
	fs.Func("presence-penalty", "subtracted once from tokens seen (default 0)", floatFlag(&cfg.PresencePenalty))
	fs.Func("frequency-penalty", "subtracted per occurrence of tokens seen (default 0)", floatFlag(&cfg.FrequencyPenalty))
	fs.Uint64Var(&cfg.Seed, "seed", 0, "random seed")
	res, err := func() (*generateResult, error) {
		if err := parseFlags(fs, args); err != nil {
			return nil, err
		}
		if err := mf.check(); err != nil {
			return nil, err
		}
		if err := pf.check(); err != nil {
			return nil, err
		}
		if *n < 0 {
			return nil, usageErrorf("-n %d must not be negative", *n)
		}
		sampler, err := sample.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		m, err := mf.load()
		if err != nil {
			return nil, err
		}
		defer m.Close()
		prompt, err := pf.ids(m.tok)
		if err != nil {
			return nil, err
		}
		if len(prompt) == 0 {
			return nil, fmt.Errorf("the prompt has no tokens")
		}
		s, err := m.session(mf.ctx, len(prompt))
		if err != nil {
			return nil, err
		}
		defer s.Close()
		res := &generateResult{IDs: []int32{}, PromptTokens: len(prompt), Stop: "length"}
		history := append([]int32(nil), prompt...)
		var text []int32
		logits, err := s.Forward(prompt)
		for i := 0; err == nil && i < *n; i++ {
			if err = checkFinite(logits); err != nil {
				break
			}
			id := sampler.Sample(logits, history)
			if id == sample.NoToken {
				err = fmt.Errorf("no token could be sampled")
				break
			}
			res.IDs = append(res.IDs, id)
			history = append(history, id)
			if m.tok.IsEOG(id) {
				res.Stop = "eog"
				break
			}
			text = append(text, id)
			if i == *n-1 {
				break
			}
			if s.Pos() == s.Context() {
				res.Stop = "context"
				break
			}
			logits, err = s.Forward([]int32{id})
		}
		if err != nil {
			return nil, err
		}
		res.Text = validText(m.tok.Decode(text))
		return res, nil
	}()
	return finish("generate", res, err, stdout, stderr)
}

// floatFlag parses a float32 flag value into dst.
func floatFlag(dst *float32) func(string) error {
	return func(s string) error {
		v, err := strconv.ParseFloat(strings.TrimSpace(s), 32)
		if err != nil {
			return fmt.Errorf("%q is not a number", s)
		}
		*dst = float32(v)
		return nil
	}
}
