// Command benchbrowser measures Hearth's browser engine against wllama
// (llama.cpp compiled to wasm) on one GGUF file, in headless Chromium, in
// one run:
//
//	go run ./scripts/benchbrowser -model build/bench/smollm2-135m-q8_0.gguf
//
// It serves web/ (the pages of web/bench and the npm packages they import)
// and the model on 127.0.0.1 with the headers that make the pages
// cross-origin isolated, starts a fresh Chromium for every engine and thread
// count, loads the model once, then times prefill of a 128-token prompt and
// greedy decoding of 64 tokens several times. It prints JSON on stdout and a
// table on stderr. Speed is reported, never judged: this is a benchmark.
//
// With -write-models DIR it writes the synthetic benchmark models instead,
// keeping files a stamp shows are current. The report gives the model's
// parameters, total and active per token, counted from the GGUF header
// (countParams), next to the speeds. With -expert-budget a mixture of
// experts also runs in Hearth with its experts paged from OPFS into an
// expert cache of each budget given (experts.go).
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// config is what the flags choose.
type config struct {
	model        string
	webDir       string
	chromium     string
	engines      []string
	threads      []int
	runs         int
	promptTokens int
	decodeTokens int
	nCtx         int
	caseTimeout  time.Duration
	jsonOut      string
	verbose      bool
	simd         string // Hearth's kernel build: auto, plain or relaxed
	expertBudget string // -expert-budget: Hearth's rows, resident and/or with experts paged (experts.go)

	// The vision mode (vision.go): the model's mmproj file, and the image
	// (a file, or a synthetic PNG of imageSize) asked about with imageText.
	mmproj, image, imageSize, imageText string
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "benchbrowser:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("benchbrowser", flag.ContinueOnError)
	var (
		c           config
		engines     = fs.String("engines", "hearth,wllama", "engines to run, comma-separated (pages web/bench/<engine>.html)")
		threads     = fs.String("threads", "1,2", "thread counts, comma-separated")
		writeModels = fs.String("write-models", "", "write the synthetic benchmark models into this directory and exit")
		vocabDir    = fs.String("vocab-dir", "build/llama.cpp/models", "directory of llama.cpp's vocabulary GGUF files (for -write-models)")
		only        = fs.String("only", "", "with -write-models: write only the models whose file names contain one of these comma-separated strings")
		rewrite     = fs.Bool("rewrite-models", false, "with -write-models: write every model, even those whose stamp says they are current")
	)
	fs.StringVar(&c.model, "model", "", "GGUF file to run (required)")
	fs.StringVar(&c.webDir, "web", "web", "directory served at / (holds bench/ and node_modules/)")
	fs.StringVar(&c.chromium, "chromium", "/usr/bin/chromium", "Chromium binary")
	fs.IntVar(&c.runs, "runs", 3, "timed runs per engine and thread count (the median is reported)")
	fs.IntVar(&c.promptTokens, "prompt-tokens", 128, "prompt length in tokens")
	fs.IntVar(&c.decodeTokens, "n", 64, "tokens to generate")
	fs.IntVar(&c.nCtx, "ctx", 512, "context size")
	fs.DurationVar(&c.caseTimeout, "timeout", 15*time.Minute, "time limit for one engine at one thread count")
	fs.StringVar(&c.jsonOut, "json", "", "also write the JSON report to this file")
	fs.BoolVar(&c.verbose, "v", false, "log the pages' console output to stderr")
	fs.StringVar(&c.simd, "simd", "auto", "Hearth's kernels: auto (relaxed SIMD where it works), plain (SIMD128 only) or relaxed")
	fs.StringVar(&c.mmproj, "mmproj", "", "vision mode: the model's mmproj file; the pair answers a chat turn [image, text] (vision.go)")
	fs.StringVar(&c.image, "image", "", "vision mode: the image file (default: a synthetic PNG of -image-size)")
	fs.StringVar(&c.imageSize, "image-size", "512x512", "vision mode: the size WxH of the synthetic PNG, when no -image is given")
	fs.StringVar(&c.imageText, "image-text", "Describe this image.", "vision mode: the text after the image")
	fs.StringVar(&c.expertBudget, "expert-budget", "resident", "Hearth's rows for a mixture of experts, comma-separated: resident, or its experts paged from OPFS into a cache of this many bytes or N% of the experts' bytes (e.g. resident,50%,25%)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if c.mmproj != "" {
		// The vision mode's defaults: room for SmolVLM's up to 17 tiles of
		// 64 positions, and a few tokens of decoding.
		set := map[string]bool{}
		fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
		if !set["ctx"] {
			c.nCtx = 2048
		}
		if !set["n"] {
			c.decodeTokens = 16
		}
		if !set["threads"] {
			*threads = "1"
		}
	}
	logf := func(format string, a ...any) { fmt.Fprintf(os.Stderr, format+"\n", a...) }
	if *writeModels != "" {
		return writeBenchModels(*vocabDir, *writeModels, *rewrite, splitList(*only), func(s string) { logf("%s", s) })
	}
	var err error
	if c.engines, err = parseEngines(*engines); err != nil {
		return err
	}
	if c.threads, err = parseThreads(*threads); err != nil {
		return err
	}
	if err := c.check(); err != nil {
		return err
	}

	var rep interface{ table() string }
	if c.mmproj != "" {
		rep, err = benchmarkVision(context.Background(), c, logf)
	} else {
		rep, err = benchmark(context.Background(), c, logf)
	}
	if err != nil {
		return err
	}
	out, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		return err
	}
	fmt.Println(string(out))
	if c.jsonOut != "" {
		if err := os.WriteFile(c.jsonOut, append(out, '\n'), 0o644); err != nil {
			return err
		}
	}
	fmt.Fprint(os.Stderr, rep.table())
	return nil
}

// check validates the configuration before anything starts.
func (c config) check() error {
	if c.model == "" {
		return errors.New("-model is required (make bench-models writes synthetic ones into build/bench)")
	}
	if st, err := os.Stat(c.model); err != nil {
		return fmt.Errorf("model: %w", err)
	} else if st.IsDir() {
		return fmt.Errorf("model %s is a directory", c.model)
	}
	if c.mmproj != "" {
		if err := c.checkVision(); err != nil {
			return err
		}
	}
	if _, err := os.Stat(c.chromium); err != nil {
		return fmt.Errorf("chromium not found at %s (on Debian: apt-get install -y chromium)", c.chromium)
	}
	for _, e := range c.engines {
		page := filepath.Join(c.webDir, "bench", e+".html")
		if _, err := os.Stat(page); err != nil {
			return fmt.Errorf("engine %q: no page %s", e, page)
		}
	}
	if _, err := os.Stat(filepath.Join(c.webDir, "node_modules", "@wllama", "wllama", "esm", "index.js")); err != nil && contains(c.engines, "wllama") {
		return fmt.Errorf("wllama is not installed under %s/node_modules (run: cd %s && npm ci)", c.webDir, c.webDir)
	}
	switch {
	case c.simd != "auto" && c.simd != "plain" && c.simd != "relaxed":
		return fmt.Errorf("-simd %q: want auto, plain or relaxed", c.simd)
	case c.runs < 1:
		return fmt.Errorf("-runs must be at least 1, got %d", c.runs)
	case c.promptTokens < 1 || c.decodeTokens < 2:
		return fmt.Errorf("-prompt-tokens must be at least 1 and -n at least 2, got %d and %d", c.promptTokens, c.decodeTokens)
	case c.mmproj == "" && c.promptTokens+c.decodeTokens > c.nCtx:
		return fmt.Errorf("%d prompt + %d generated tokens do not fit a context of %d", c.promptTokens, c.decodeTokens, c.nCtx)
	}
	return nil
}

func parseEngines(s string) ([]string, error) {
	var out []string
	for _, e := range strings.Split(s, ",") {
		e = strings.TrimSpace(e)
		if e == "" {
			continue
		}
		for _, r := range e {
			if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
				return nil, fmt.Errorf("engine name %q: use lower-case letters, digits, - and _", e)
			}
		}
		if !contains(out, e) {
			out = append(out, e)
		}
	}
	if len(out) == 0 {
		return nil, errors.New("-engines names no engine")
	}
	return out, nil
}

func parseThreads(s string) ([]int, error) {
	var out []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 1 || n > 64 {
			return nil, fmt.Errorf("thread count %q: want a number from 1 to 64", f)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return nil, errors.New("-threads names no thread count")
	}
	return out, nil
}

// splitList splits a comma-separated flag value, dropping empty entries.
func splitList(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}
