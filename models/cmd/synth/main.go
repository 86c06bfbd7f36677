// Command synth writes a synthetic GGUF model (real shapes and tokenizer,
// random weights) for tests and benchmarks:
//
//	go run ./models/cmd/synth -arch llama -vocab build/llama.cpp/models/ggml-vocab-llama-spm.gguf -type Q4_K -o out.gguf
//
// Per-tensor types: -set output.weight=Q6_K -set 'blk.*.ffn_down.weight=Q6_K'.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/models/synth"
)

// typeOverrides collects repeated -set name=TYPE flags.
type typeOverrides map[string]dtype.Type

func (o typeOverrides) String() string { return fmt.Sprint(map[string]dtype.Type(o)) }

func (o typeOverrides) Set(v string) error {
	name, typ, ok := strings.Cut(v, "=")
	if !ok || name == "" {
		return fmt.Errorf("want tensor=TYPE, got %q", v)
	}
	t, known := dtype.Parse(typ)
	if !known {
		return fmt.Errorf("unknown type %q", typ)
	}
	o[name] = t
	return nil
}

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "synth:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	fs := flag.NewFlagSet("synth", flag.ContinueOnError)
	var (
		s         synth.Spec
		typeName  = fs.String("type", "F32", "type of the weight matrices (F32, F16, Q8_0, Q4_0, Q4_K, Q6_K …)")
		out       = fs.String("o", "", "output file (required)")
		seed      = fs.Uint64("seed", 1, "random seed")
		llama3    = fs.Bool("llama3-rope", false, "add Llama 3.1 rope scaling (llama only)")
		origCtx   = fs.Int("llama3-orig-ctx", 8192, "original context of the llama3 rope scaling")
		overrides = typeOverrides{}
	)
	fs.StringVar(&s.Arch, "arch", "llama", "architecture: "+strings.Join(synth.Archs(), ", "))
	fs.StringVar(&s.VocabPath, "vocab", "", "GGUF file whose tokenizer the model takes (required)")
	fs.IntVar(&s.NEmbd, "embd", 256, "embedding width")
	fs.IntVar(&s.NLayer, "layers", 2, "transformer blocks")
	fs.IntVar(&s.NHead, "heads", 4, "attention heads")
	fs.IntVar(&s.NHeadKV, "kv-heads", 2, "key/value heads")
	fs.IntVar(&s.NFF, "ff", 512, "feed-forward width")
	fs.IntVar(&s.NCtx, "ctx", 4096, "training context length")
	fs.IntVar(&s.HeadDim, "head-dim", 0, "head width (0: embd/heads)")
	fs.IntVar(&s.NExpert, "experts", 0, "experts per layer (llama, qwen3moe)")
	fs.IntVar(&s.NExpertUsed, "experts-used", 0, "experts per token")
	fs.IntVar(&s.NFFExp, "ff-exp", 0, "expert width (0: -ff)")
	fs.BoolVar(&s.TiedEmbeddings, "tied", false, "no output.weight: reuse token_embd.weight")
	rope := fs.Float64("rope-base", 0, "rope frequency base (0: the architecture's usual)")
	fs.Var(overrides, "set", "per-tensor type, name=TYPE (repeatable; '*' stands for the block number)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *out == "" || s.VocabPath == "" {
		return fmt.Errorf("-o and -vocab are required")
	}
	t, ok := dtype.Parse(*typeName)
	if !ok {
		return fmt.Errorf("unknown type %q", *typeName)
	}
	s.Type, s.Types, s.Seed, s.RopeBase = t, overrides, *seed, float32(*rope)
	if *llama3 {
		s.Llama3Rope = &synth.Llama3Rope{Factor: 32, LowFreqFactor: 1, HighFreqFactor: 4, OrigCtx: *origCtx}
	}
	return synth.WriteFile(*out, s)
}
