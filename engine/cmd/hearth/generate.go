package main

import (
	"flag"
	"fmt"
	"io"
	"math"
	"os"
	"strconv"
	"strings"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/multimodal"
	"github.com/hearth-ai/hearth/engine/sample"
	"github.com/hearth-ai/hearth/engine/sample/constrain"
)

type generateResult struct {
	IDs []int32 `json:"ids"`
	// Text is the generated tokens' text (without an end-of-generation
	// token), invalid UTF-8 replaced as TextDecoder does (see validText).
	Text         string `json:"text"`
	PromptTokens int    `json:"prompt_tokens"`
	// Stop says why generation ended: "eog" (an end-of-generation token),
	// "length" (-n reached), "context" (the context is full) or, with
	// --schema, "done" (the document is complete and nothing may follow).
	Stop string `json:"stop"`
	// Complete (with --schema only) says whether the text is a whole
	// document of the schema; -n or the context can cut it short.
	Complete *bool `json:"complete,omitempty"`
	// Logprobs (with --logprobs) are the natural-log probabilities of the
	// generated ids under the model (a softmax over the whole vocabulary
	// of the raw logits, as llama.cpp's server reports them).
	Logprobs []float64 `json:"logprobs,omitempty"`
}

// runGenerate continues the prompt by up to -n tokens. The ids include an
// end-of-generation token if one ended the text; the text does not. With
// --schema FILE every token is sampled among those that keep the text a
// valid document of the JSON schema (engine/sample/constrain), -n
// defaults to the context's room, and the text is the document's exact
// bytes. With --image and --mmproj the prompt holds an image (see
// engine/multimodal) and prompt_tokens counts its positions too.
func runGenerate(args []string, stdout, stderr io.Writer) int {
	fs := newFlags("generate", stderr)
	var mf modelFlags
	var pf promptFlags
	var vf visionFlags
	mf.register(fs)
	pf.register(fs)
	vf.register(fs)
	logprobs := fs.Bool("logprobs", false, "also print the log-probability of each generated token")
	kvType := dtype.F32
	fs.Func("kv-type", "KV cache `type`: f32 (the default) or f16 (llama.cpp's default)", func(s string) error {
		switch s {
		case "f32":
			kvType = dtype.F32
		case "f16":
			kvType = dtype.F16
		default:
			return fmt.Errorf("want f32 or f16")
		}
		return nil
	})
	flash := fs.Bool("flash-attn", false, "compute attention as llama.cpp's CPU flash attention (its default; --order wllama only)")
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
	schemaPath := fs.String("schema", "", "JSON schema `file`: constrain the output to valid documents")
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
		if err := vf.check(&pf); err != nil {
			return nil, err
		}
		if *n < 0 {
			return nil, usageErrorf("-n %d must not be negative", *n)
		}
		sampler, err := sample.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", errUsage, err)
		}
		var schema *constrain.Schema
		if *schemaPath != "" {
			doc, err := os.ReadFile(*schemaPath)
			if err != nil {
				return nil, err
			}
			if schema, err = constrain.Compile(doc); err != nil {
				return nil, fmt.Errorf("--schema %s: %w", *schemaPath, err)
			}
			if !flagGiven(fs, "n") {
				*n = int(^uint(0) >> 1) // the document or the context ends it
			}
		}
		m, err := mf.load()
		if err != nil {
			return nil, err
		}
		defer m.Close()
		var chunks []multimodal.Chunk
		if vf.enabled() {
			chunks, err = vf.imageChunks(m, pf.prompt)
		} else {
			var prompt []int32
			prompt, err = pf.ids(m.tok)
			chunks = []multimodal.Chunk{{IDs: prompt, N: len(prompt)}}
		}
		if err != nil {
			return nil, err
		}
		npos := positions(chunks)
		if npos == 0 {
			return nil, fmt.Errorf("the prompt has no tokens")
		}
		s, err := m.sessionWith(mf.ctx, npos, model.SessionOptions{KVType: kvType, FlashAttention: *flash})
		if err != nil {
			return nil, err
		}
		defer s.Close()
		res := &generateResult{IDs: []int32{}, PromptTokens: npos, Stop: "length"}
		if *logprobs {
			res.Logprobs = []float64{}
		}
		history := textIDs(chunks)
		var text []int32
		var con *constrain.Constraint
		var masked []float32
		if schema != nil {
			con = constrain.New(schema, m.tok)
		}
		logits, err := multimodal.Eval(s, chunks)
		for i := 0; err == nil && i < *n; i++ {
			if err = checkFinite(logits); err != nil {
				break
			}
			if con != nil {
				masked = append(masked[:0], logits...)
				if err = con.Mask(masked); err != nil {
					break
				}
				logits = masked
			}
			id := sampler.Sample(logits, history)
			if id == sample.NoToken {
				err = fmt.Errorf("no token could be sampled")
				break
			}
			res.IDs = append(res.IDs, id)
			if *logprobs {
				res.Logprobs = append(res.Logprobs, logProb(logits, id))
			}
			history = append(history, id)
			if con != nil {
				if err = con.Accept(id); err != nil {
					break
				}
			}
			if m.tok.IsEOG(id) {
				res.Stop = "eog"
				break
			}
			text = append(text, id)
			if con != nil && con.Done() {
				res.Stop = "done"
				break
			}
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
		if con != nil {
			complete := con.Complete()
			res.Text, res.Complete = validText(con.Text()), &complete
		}
		return res, nil
	}()
	return finish("generate", res, err, stdout, stderr)
}

// flagGiven reports whether the command line set the flag name.
func flagGiven(fs *flag.FlagSet, name string) bool {
	given := false
	fs.Visit(func(f *flag.Flag) { given = given || f.Name == name })
	return given
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

// logProb is log softmax(logits)[id], in float64.
func logProb(logits []float32, id int32) float64 {
	mx := float64(logits[0])
	for _, v := range logits {
		mx = max(mx, float64(v))
	}
	sum := 0.0
	for _, v := range logits {
		sum += math.Exp(float64(v) - mx)
	}
	return float64(logits[id]) - mx - math.Log(sum)
}
