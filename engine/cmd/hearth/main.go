// Command hearth runs GGUF language models natively and prints JSON: it is
// the engine's test harness (the oracle comparisons drive it) and a quick
// way to try a model.
//
//	hearth tokenize -m model.gguf --text "Hello" [--add-bos] [--parse-special]
//	hearth logits   -m model.gguf (--prompt S | --tokens 1,2,3)
//	hearth generate -m model.gguf (--prompt S | --tokens …) -n 32 [--temp 0] [--seed K] …
//	hearth generate -m text.gguf --mmproj mmproj.gguf --image photo.jpg --prompt S -n 32 [--logprobs]
//	hearth bench    -m model.gguf [-p 128] [-n 64] [--runs 3]
//
// logits, generate and bench also take --threads N, --ctx N and
// --order x86|wasm: x86 (the default) computes as llama.cpp's CPU backend
// does, wasm as the browser's kernels do, so its logits and greedy text are
// the bits the web engine gives for the same model and prompt.
//
// Results go to stdout as one JSON object; errors go to stderr with a
// non-zero exit status and nothing on stdout.
package main

import (
	"fmt"
	"io"
	"os"
)

// Exit statuses.
const (
	exitOK    = 0
	exitError = 1 // the command failed (bad model, prompt too long …)
	exitUsage = 2 // the command line was wrong
)

var commands = map[string]func(args []string, stdout, stderr io.Writer) int{
	"tokenize": runTokenize,
	"logits":   runLogits,
	"generate": runGenerate,
	"bench":    runBench,
}

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run executes one command and returns the exit status.
func run(args []string, stdout, stderr io.Writer) int {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	cmd, ok := commands[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "hearth: unknown command %q\n", args[0])
		usage(stderr)
		return exitUsage
	}
	return cmd(args[1:], stdout, stderr)
}

func usage(w io.Writer) {
	fmt.Fprint(w, `usage: hearth <command> [flags]

commands:
  tokenize  -m FILE --text S [--add-bos] [--parse-special]   → {"ids": […]}
  logits    -m FILE (--prompt S | --tokens 1,2,3)            → {"tokens": […], "logits": […]}
  generate  -m FILE (--prompt S | --tokens …) -n N [--temp T --seed K --top-k K --top-p P --min-p P --repeat-penalty R]
                                                             → {"ids": […], "text": "…"}
            [--mmproj FILE --image FILE]  an image in the prompt (at its <__media__> marker, else first)
            [--logprobs] [--kv-type f32|f16] [--flash-attn]
  bench     -m FILE [-p 128] [-n 64] [--runs 3]              → prefill and decode tokens/s

logits, generate and bench also take --threads N, --ctx N and --order x86|wasm
(x86: llama.cpp's arithmetic, the default; wasm: the browser's, bit for bit).

Run "hearth <command> -h" for a command's flags.
`)
}
