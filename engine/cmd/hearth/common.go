package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/tokenizer"
)

// errUsage marks a command-line mistake (exit status 2).
var errUsage = errors.New("usage")

func usageErrorf(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{errUsage}, args...)...)
}

// newFlags returns a flag set that reports to stderr and returns errors.
func newFlags(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet("hearth "+name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	return fs
}

// parseFlags parses args; extra positional arguments are an error.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		return fmt.Errorf("%w: %v", errUsage, err)
	}
	if fs.NArg() > 0 {
		return usageErrorf("unexpected argument %q", fs.Arg(0))
	}
	return nil
}

// finish prints v as JSON on stdout when err is nil, or err on stderr, and
// returns the exit status.
func finish(name string, v any, err error, stdout, stderr io.Writer) int {
	if err == nil {
		var buf strings.Builder
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err = enc.Encode(v); err == nil {
			_, err = io.WriteString(stdout, buf.String())
			if err == nil {
				return exitOK
			}
		}
	}
	if errors.Is(err, flag.ErrHelp) {
		return exitOK
	}
	fmt.Fprintf(stderr, "hearth %s: %v\n", name, err)
	if errors.Is(err, errUsage) {
		return exitUsage
	}
	return exitError
}

// modelFlags are the flags every model-running command shares.
type modelFlags struct {
	path    string
	threads int
	ctx     int
	// order is the reference backend's arithmetic order: x86 (llama.cpp's,
	// the default) or wasm (the browser's kernels', to predict the bits a
	// page prints for the same model and prompt).
	order compute.Order
}

func (m *modelFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&m.path, "m", "", "GGUF model `file`")
	fs.IntVar(&m.threads, "threads", 0, "threads per operation (0: one per CPU)")
	fs.IntVar(&m.ctx, "ctx", 0, fmt.Sprintf("context size in tokens (0: the model's, at most %d)", model.DefaultContext))
	fs.Func("order", "arithmetic `order` of matrix products: x86 (llama.cpp's CPU backend, the default), wasm (the browser's kernels: the logits a page computes) or wllama (llama.cpp as wllama builds it for wasm: the vision oracle's)", func(s string) error {
		o, err := compute.ParseOrder(s)
		if err != nil {
			return fmt.Errorf("want x86, wasm or wllama")
		}
		m.order = o
		return nil
	})
}

func (m *modelFlags) check() error {
	if m.path == "" {
		return usageErrorf("-m FILE is required")
	}
	if m.threads < 0 {
		return usageErrorf("--threads %d must not be negative", m.threads)
	}
	if m.ctx < 0 {
		return usageErrorf("--ctx %d must not be negative", m.ctx)
	}
	return nil
}

// loaded is an open model with its tokenizer and backend.
type loaded struct {
	model *model.Model
	tok   *tokenizer.Tokenizer
	back  compute.Backend
	file  *gguf.File // open while the model pages its experts from it, else nil
}

func (l *loaded) Close() {
	l.model.Close()
	l.back.Close()
	if l.file != nil {
		l.file.Close()
	}
}

// load opens the file, reads its tokenizer and loads its weights.
func (m *modelFlags) load() (*loaded, error) { return m.loadPaged(nil) }

// loadPaged is load with the experts of a mixture paged into the bytes
// budget(f) says (none when budget is nil or says 0); the file then stays
// open until Close.
func (m *modelFlags) loadPaged(budget func(f *gguf.File) (int64, error)) (*loaded, error) {
	f, err := gguf.Open(m.path)
	if err != nil {
		return nil, err
	}
	var opt model.LoadOptions
	if budget != nil {
		if opt.ExpertBudget, err = budget(f); err != nil {
			f.Close()
			return nil, err
		}
	}
	keep := false
	defer func() {
		if !keep {
			f.Close()
		}
	}()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		return nil, err
	}
	back := compute.NewReferenceOrder(m.threads, m.order)
	mod, err := model.LoadWith(f, back, opt)
	if err != nil {
		back.Close()
		return nil, err
	}
	l := &loaded{model: mod, tok: tok, back: back}
	if _, paged := mod.ExpertCache(); paged {
		keep, l.file = true, f
	}
	return l, nil
}

// promptFlags choose the input tokens: text to tokenize or ids.
type promptFlags struct {
	prompt    string
	tokens    string
	hasPrompt bool
}

func (p *promptFlags) register(fs *flag.FlagSet) {
	fs.Func("prompt", "prompt `text` (tokenized as llama.cpp's tools do: BOS when the model adds one, special tokens parsed)", func(s string) error {
		p.prompt, p.hasPrompt = s, true
		return nil
	})
	fs.StringVar(&p.tokens, "tokens", "", "comma-separated token `ids`, used as given")
}

func (p *promptFlags) check() error {
	if p.hasPrompt == (p.tokens != "") {
		return usageErrorf("give exactly one of --prompt and --tokens")
	}
	return nil
}

// ids returns the prompt's tokens.
func (p *promptFlags) ids(tok *tokenizer.Tokenizer) ([]int32, error) {
	if p.hasPrompt {
		return tok.Encode(p.prompt, true, true), nil
	}
	return parseIDs(p.tokens)
}

// parseIDs parses "1,2,3" (spaces allowed around ids).
func parseIDs(s string) ([]int32, error) {
	var ids []int32
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		v, err := strconv.ParseInt(part, 10, 32)
		if err != nil {
			return nil, usageErrorf("--tokens: %q is not a token id", part)
		}
		ids = append(ids, int32(v))
	}
	return ids, nil
}

// checkFinite rejects logits JSON cannot carry.
func checkFinite(logits []float32) error {
	for i, v := range logits {
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return fmt.Errorf("logit %d is %v: the model produced non-finite values", i, v)
		}
	}
	return nil
}

// session opens a session big enough for need tokens: --ctx, or the
// model's context length capped at model.DefaultContext.
func (l *loaded) session(ctx, need int) (*model.Session, error) {
	return l.sessionKV(ctx, need, dtype.F32)
}

// sessionKV is session with a KV cache of type kv (F32 or F16).
func (l *loaded) sessionKV(ctx, need int, kv dtype.Type) (*model.Session, error) {
	return l.sessionWith(ctx, need, model.SessionOptions{KVType: kv})
}

// sessionWith is session with the options opt (its Context set from ctx).
func (l *loaded) sessionWith(ctx, need int, opt model.SessionOptions) (*model.Session, error) {
	if ctx == 0 {
		ctx = min(l.model.HP.ContextLength, model.DefaultContext)
	}
	if need > ctx {
		return nil, fmt.Errorf("prompt of %d tokens exceeds the context of %d", need, ctx)
	}
	opt.Context = ctx
	return l.model.NewSession(opt)
}
