//go:build !js

package wasm_test

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/internal/testdata"
	"github.com/hearth-ai/hearth/models/synth"
)

// nodeResult is what testdata/node_engine.mjs prints.
type nodeResult struct {
	TruncatedError string `json:"truncatedError"`
	MissingError   string `json:"missingError"`
	Info           struct {
		Arch    string `json:"arch"`
		Threads int    `json:"threads"`
		Context int    `json:"context"`
	} `json:"info"`
	Filled         int64   `json:"filled"`
	PromptTokens   int     `json:"promptTokens"`
	PrefillSeconds float64 `json:"prefillSeconds"`
	DecodeSeconds  float64 `json:"decodeSeconds"`
	IDs            []int32 `json:"ids"`
	Text           string  `json:"text"`
	Threads        int     `json:"threads"`
	Batches        int     `json:"batches"`
	// The engine's memory (its memory call) after the load and after the
	// generation.
	MemoryAfterLoad, MemoryAfterRun struct {
		ArenaBytes int64 `json:"arenaBytes"`
		ArenaUsed  int64 `json:"arenaUsed"`
		KVTokens   int   `json:"kvTokens"`
		GoHeapLive int64 `json:"goHeapLive"`
		ArenaPages int64 `json:"arenaPages"` // the glue's arena size (after the run only)
	}
}

// cliResult is what `hearth generate` prints.
type cliResult struct {
	IDs          []int32 `json:"ids"`
	Text         string  `json:"text"`
	PromptTokens int     `json:"prompt_tokens"`
}

// The browser engine for real, under Node: the js/wasm program of
// wasm/engine with the product's glue (web/engine/runtime.js) over
// kernels.wasm, a synthetic model streamed from a chunked source into the
// arena, greedy generation on one thread and on two (helpers on
// worker_threads over the shared kernel variant), the prompt evaluated in
// one pass and in passes of 5 tokens — the ids and text must be those of
// `hearth generate --temp 0` on the same file and prompt. The KV cache
// grows with the tokens (64 positions hold this prompt and generation,
// none before the first token), and the arena is the size the engine
// accounts for.
func TestEngineUnderNode(t *testing.T) {
	node, cli, dir := nodeAndCLI(t)
	assets := engineAssets(t)
	root, err := testdata.RepoRoot()
	if err != nil {
		t.Fatal(err)
	}

	const prompt = "The quick brown fox jumps over 1234 lazy dogs"
	const n = 24
	vocab := filepath.Join(testdata.VocabDir(t), "ggml-vocab-llama-bpe.gguf")
	for _, typ := range []dtype.Type{dtype.Q8_0, dtype.Q4_K} {
		path := filepath.Join(dir, "llama-"+typ.String()+".gguf")
		spec := synth.Spec{Arch: synth.Llama, VocabPath: vocab, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2, NFF: 512, Type: typ, Seed: 5}
		if err := synth.WriteFile(path, spec); err != nil {
			t.Fatal(err)
		}
		size, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		out, err := exec.Command(cli, "generate", "-m", path, "--prompt", prompt, "-n", strconv.Itoa(n), "--temp", "0", "--ctx", "256").Output()
		if err != nil {
			t.Fatalf("%v: hearth generate: %v", typ, err)
		}
		var want cliResult
		if err := json.Unmarshal(out, &want); err != nil {
			t.Fatalf("%v: hearth generate printed %q: %v", typ, out, err)
		}
		if len(want.IDs) < 2 {
			t.Fatalf("%v: hearth generate gave %d tokens; the test needs more", typ, len(want.IDs))
		}
		for _, run := range []struct{ threads, batch int }{{1, 0}, {2, 0}, {1, 5}} {
			threads := run.threads
			cmd := exec.Command(node, filepath.Join("testdata", "node_engine.mjs"), assets,
				filepath.Join(root, "web", "engine", "runtime.js"), path, strconv.Itoa(threads), strconv.Itoa(run.batch), strconv.Itoa(n), prompt)
			cmd.Stderr = os.Stderr
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("%v, %d threads: node: %v\n%s", typ, threads, err, out)
			}
			var got nodeResult
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("%v, %d threads: node printed %q: %v", typ, threads, out, err)
			}
			t.Logf("%v, %d threads: truncated file: %s", typ, threads, got.TruncatedError)
			t.Logf("%v, %d threads: %d prompt tokens in %.3f s, %d tokens in %.3f s: %q",
				typ, threads, got.PromptTokens, got.PrefillSeconds, len(got.IDs), got.DecodeSeconds, got.Text)
			switch {
			case !strings.Contains(got.TruncatedError, "truncated") || got.MissingError == "":
				t.Fatalf("%v, %d threads: a truncated file gave error %q, a missing source %q", typ, threads, got.TruncatedError, got.MissingError)
			case got.Threads != threads || got.Info.Threads != threads:
				t.Fatalf("%v: asked for %d threads, the glue runs %d and the backend %d", typ, threads, got.Threads, got.Info.Threads)
			case (got.Batches > 0) != (threads > 1):
				t.Fatalf("%v, %d threads: the helpers ran %d batches of jobs", typ, threads, got.Batches)
			case got.Info.Arch != "llama" || got.Info.Context != 256:
				t.Fatalf("%v, %d threads: load reported %+v", typ, threads, got.Info)
			case got.Filled > size.Size() || got.Filled < size.Size()/2:
				t.Fatalf("%v, %d threads: %d bytes of a %d-byte file went straight into the arena", typ, threads, got.Filled, size.Size())
			case got.PromptTokens != want.PromptTokens:
				t.Fatalf("%v, %d threads: %d prompt tokens, hearth generate has %d", typ, threads, got.PromptTokens, want.PromptTokens)
			case !slices.Equal(got.IDs, want.IDs):
				t.Fatalf("%v, %d threads: ids\n%v\nhearth generate:\n%v", typ, threads, got.IDs, want.IDs)
			case got.Text != want.Text:
				t.Fatalf("%v, %d threads: text %q, hearth generate %q", typ, threads, got.Text, want.Text)
			}
			ml, mr := got.MemoryAfterLoad, got.MemoryAfterRun
			t.Logf("%v, %d threads, batch %d: arena %d bytes after load, %d after the run (%d in use, %d KV positions); Go heap %d bytes live",
				typ, threads, run.batch, ml.ArenaBytes, mr.ArenaBytes, mr.ArenaUsed, mr.KVTokens, mr.GoHeapLive)
			switch {
			case ml.KVTokens != 0 || mr.KVTokens != 64:
				t.Fatalf("%v: the KV cache holds %d positions after the load and %d after %d+%d tokens; want 0 and 64",
					typ, ml.KVTokens, mr.KVTokens, want.PromptTokens, n)
			case mr.ArenaBytes != mr.ArenaPages || mr.ArenaUsed > mr.ArenaBytes || mr.ArenaBytes-mr.ArenaUsed > 1<<20:
				t.Fatalf("%v: the engine counts %d arena bytes (%d in use), the glue's memory has %d", typ, mr.ArenaBytes, mr.ArenaUsed, mr.ArenaPages)
			case ml.ArenaBytes > size.Size()+1<<20:
				t.Fatalf("%v: after loading a %d-byte file the arena holds %d bytes", typ, size.Size(), ml.ArenaBytes)
			case mr.GoHeapLive <= 0:
				t.Fatalf("%v: the engine reports a Go heap of %d bytes", typ, mr.GoHeapLive)
			}
		}
	}
}
