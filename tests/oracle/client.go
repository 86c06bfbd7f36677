// Package oracle compares Hearth with llama.cpp, the numerical oracle: it
// runs scripts/oracle/oracle.mjs (real llama.cpp through node-llama-cpp) and
// the hearth CLI on the same synthetic GGUF files and checks that token ids,
// log-probabilities and greedy continuations agree.
//
// The helpers here (RunOracle and its types) are usable from other test
// packages that need llama.cpp's answer to a question.
package oracle

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/hearth-ai/hearth/internal/testdata"
)

// Job asks llama.cpp several questions about one GGUF file.
type Job struct {
	Model       string    `json:"model"`
	VocabOnly   bool      `json:"vocabOnly,omitempty"`
	ContextSize int       `json:"contextSize,omitempty"`
	KVCacheType string    `json:"kvCacheType,omitempty"` // "F32" (the default) or "F16"
	Requests    []Request `json:"requests"`
}

// Request is one question; Op is "info", "tokenize", "detokenize",
// "logprobs" or "generate" (see oracle.mjs for what each takes).
type Request struct {
	Op           string `json:"op"`
	Text         string `json:"text"`                   // tokenize (may be empty)
	AddBos       bool   `json:"addBos,omitempty"`       // tokenize
	ParseSpecial bool   `json:"parseSpecial,omitempty"` // tokenize
	IDs          []int  `json:"ids,omitempty"`          // detokenize
	Special      bool   `json:"special,omitempty"`      // detokenize
	Prompt       string `json:"prompt,omitempty"`       // logprobs, generate: text, tokenized as hearth does
	Tokens       []int  `json:"tokens,omitempty"`       // logprobs, generate: ids (wins over Prompt)
	Stepwise     bool   `json:"stepwise,omitempty"`     // logprobs: feed the prompt one token per evaluation
	N            int    `json:"n,omitempty"`            // generate: tokens to generate
}

// Answer is llama.cpp's answer to one Request; Error is set if it failed.
type Answer struct {
	Error string `json:"error"`

	// info
	NVocab int   `json:"nVocab"`
	Bos    *int  `json:"bos"`
	Eos    *int  `json:"eos"`
	AddBos bool  `json:"addBos"`
	Eog    []int `json:"eog"`

	// tokenize, generate (generated ids, an end-of-generation token included)
	IDs []int `json:"ids"`
	// detokenize, generate
	Text string `json:"text"`

	// logprobs, generate: the prompt's token ids
	Tokens []int `json:"tokens"`
	// logprobs: natural log of llama.cpp's probability of every token after
	// the prompt (nil where it was 0)
	RawLogprobs []*float64   `json:"logprobs"`
	Top         [][2]float64 `json:"top"`

	// generate: log p(best) − log p(second) at each step
	Margins      []float64 `json:"margins"`
	StoppedAtEog bool      `json:"stoppedAtEog"`
}

// Logprobs returns RawLogprobs with −Inf for the tokens whose probability
// was 0.
func (a *Answer) Logprobs() []float64 {
	out := make([]float64, len(a.RawLogprobs))
	for i, p := range a.RawLogprobs {
		if p == nil {
			out[i] = math.Inf(-1)
		} else {
			out[i] = *p
		}
	}
	return out
}

type jobResult struct {
	Answers []Answer `json:"answers"`
}

// oracleTimeout bounds one run of the oracle script.
const oracleTimeout = 10 * time.Minute

// RunOracle runs oracle.mjs on the jobs (one node process, one model load
// per job) and returns the answers of each job, in order. A failure of the
// script itself fails the test; a failed request comes back with Error set.
func RunOracle(t testing.TB, jobs ...Job) [][]Answer {
	t.Helper()
	return runOracleIn(t, testdata.OracleDir(t), jobs...)
}

// RunSecondOpinion asks the same llama.cpp release with its AMX CPU variants
// taken away (see secondOpinionDir). On a CPU with AMX, the default oracle
// runs AMX tile kernels for Q4_0/Q4_1/Q8_0/Q4_K/Q5_K/Q6_K weights, whose sums
// are ordered differently from llama.cpp's other kernels; the last-bit
// differences now and then push an activation across a rounding step of the
// next 8-bit quantization, and the two llama.cpp builds then disagree with
// each other by ~0.1 in log-probability. The second opinion tells such a
// disagreement of llama.cpp with itself from an error of ours.
func RunSecondOpinion(t testing.TB, jobs ...Job) [][]Answer {
	t.Helper()
	return runOracleIn(t, secondOpinionDir(t), jobs...)
}

var (
	secondOnce sync.Once
	secondDir  string
	secondErr  error
)

// amxVariants are the CPU back-ends of node-llama-cpp's linux-x64 build that
// use AMX tiles; llama.cpp loads the best-scoring variant the CPU supports.
var amxVariants = []string{"libggml-cpu-sapphirerapids.so", "libggml-cpu-zen4.so"}

// secondOpinionDir is build/oracle-no-amx: a copy of scripts/oracle whose
// node_modules lacks the AMX variants, made once and kept (build/ is ignored).
func secondOpinionDir(t testing.TB) string {
	t.Helper()
	src := testdata.OracleDir(t)
	secondOnce.Do(func() {
		root, err := testdata.RepoRoot()
		if err != nil {
			secondErr = err
			return
		}
		dst := filepath.Join(root, "build", "oracle-no-amx")
		bins := filepath.Join(dst, "node_modules", "@node-llama-cpp", "linux-x64", "bins", "linux-x64")
		stamp := filepath.Join(dst, ".complete")
		if _, err := os.Stat(stamp); err != nil {
			os.RemoveAll(dst)
			if err := os.MkdirAll(dst, 0o755); err != nil {
				secondErr = err
				return
			}
			for _, name := range []string{"node_modules", "package.json"} {
				if out, err := exec.Command("cp", "-a", filepath.Join(src, name), dst).CombinedOutput(); err != nil {
					secondErr = fmt.Errorf("oracle: copying %s: %v: %s", name, err, out)
					return
				}
			}
			for _, v := range amxVariants {
				if err := os.Remove(filepath.Join(bins, v)); err != nil && !os.IsNotExist(err) {
					secondErr = err
					return
				}
			}
			if err := os.WriteFile(stamp, nil, 0o644); err != nil {
				secondErr = err
				return
			}
		}
		// The script itself always comes fresh from scripts/oracle.
		script, err := os.ReadFile(filepath.Join(src, "oracle.mjs"))
		if err == nil {
			err = os.WriteFile(filepath.Join(dst, "oracle.mjs"), script, 0o644)
		}
		secondDir, secondErr = dst, err
	})
	if secondErr != nil {
		t.Fatalf("oracle: preparing the second opinion: %v", secondErr)
	}
	return secondDir
}

func runOracleIn(t testing.TB, dir string, jobs ...Job) [][]Answer {
	t.Helper()
	in, err := json.Marshal(jobs)
	if err != nil {
		t.Fatalf("oracle: encoding the job: %v", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), oracleTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "oracle.mjs"))
	cmd.Dir = dir
	cmd.Stdin = bytes.NewReader(in)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("oracle: node oracle.mjs: %v\n%s", err, tail(stderr.Bytes(), 4000))
	}
	var results []jobResult
	if err := json.Unmarshal(stdout.Bytes(), &results); err != nil {
		t.Fatalf("oracle: decoding the answer: %v\n%s", err, tail(stderr.Bytes(), 4000))
	}
	if len(results) != len(jobs) {
		t.Fatalf("oracle: %d jobs gave %d results", len(jobs), len(results))
	}
	out := make([][]Answer, len(results))
	for i, r := range results {
		if len(r.Answers) != len(jobs[i].Requests) {
			t.Fatalf("oracle: job %d: %d requests gave %d answers", i, len(jobs[i].Requests), len(r.Answers))
		}
		out[i] = r.Answers
	}
	return out
}

// tail returns the last n bytes of b, for error messages.
func tail(b []byte, n int) string {
	if len(b) > n {
		return fmt.Sprintf("…%s", b[len(b)-n:])
	}
	return string(b)
}
