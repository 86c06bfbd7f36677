package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/sample"
	"github.com/hearth-ai/hearth/engine/tokenizer"
)

func runCLI(args ...string) (stdout, stderr string, code int) {
	var out, errb bytes.Buffer
	code = run(args, &out, &errb)
	return out.String(), errb.String(), code
}

// ok runs a command that must succeed and decodes its JSON into v.
func ok(t *testing.T, v any, args ...string) {
	t.Helper()
	out, errs, code := runCLI(args...)
	if code != 0 {
		t.Fatalf("hearth %v: exit %d: %s", args, code, errs)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		t.Fatalf("hearth %v: output is not JSON: %v\n%s", args, err, out)
	}
}

// reference loads the model in-process, as the commands should.
func reference(t *testing.T, path string) (*tokenizer.Tokenizer, *model.Model) {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	tok, err := tokenizer.FromGGUF(f)
	if err != nil {
		t.Fatal(err)
	}
	b := compute.NewReference(1)
	t.Cleanup(func() { b.Close() })
	m, err := model.Load(f, b)
	if err != nil {
		t.Fatal(err)
	}
	return tok, m
}

func TestTokenize(t *testing.T) {
	path := testModel{}.write(t)
	tok, _ := reference(t, path)
	var plain, bos, special, literal struct{ IDs []int32 }
	ok(t, &plain, "tokenize", "-m", path, "--text", "hello world")
	if want := tok.Encode("hello world", false, false); !slices.Equal(plain.IDs, want) || len(want) == 0 {
		t.Fatalf("ids %v, want %v", plain.IDs, want)
	}
	if plain.IDs[0] == bosID {
		t.Fatal("BOS added without --add-bos")
	}
	ok(t, &bos, "tokenize", "-m", path, "--text", "hello world", "--add-bos")
	if !slices.Equal(bos.IDs, append([]int32{bosID}, plain.IDs...)) {
		t.Fatalf("--add-bos: ids %v, want BOS then %v", bos.IDs, plain.IDs)
	}
	ok(t, &literal, "tokenize", "-m", path, "--text", "</s>hello")
	ok(t, &special, "tokenize", "-m", path, "--text", "</s>hello", "--parse-special")
	if slices.Contains(literal.IDs, eosID) || !slices.Contains(special.IDs, eosID) {
		t.Fatalf("</s> as text: %v; with --parse-special: %v (EOS is %d)", literal.IDs, special.IDs, eosID)
	}
	var empty struct{ IDs []int32 }
	out, _, code := runCLI("tokenize", "-m", path, "--text", "")
	if code != 0 || json.Unmarshal([]byte(out), &empty) != nil || empty.IDs == nil || !strings.Contains(out, `"ids":[]`) {
		t.Fatalf("empty text: exit %d, output %q", code, out)
	}
}

func TestLogits(t *testing.T) {
	path := testModel{}.write(t)
	tok, m := reference(t, path)
	var res struct {
		Tokens []int32
		Logits []float32
	}
	ok(t, &res, "logits", "-m", path, "--tokens", "1, 259,260,7")
	if !slices.Equal(res.Tokens, []int32{1, 259, 260, 7}) {
		t.Fatalf("tokens %v, want the ids given", res.Tokens)
	}
	s, err := m.NewSession(model.SessionOptions{Context: 64})
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Forward(res.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Logits, want) {
		t.Fatalf("logits differ from the model's (%d values, want %d)", len(res.Logits), len(want))
	}

	ok(t, &res, "logits", "-m", path, "--prompt", "hello world", "--threads", "1")
	if wantIDs := tok.Encode("hello world", true, true); !slices.Equal(res.Tokens, wantIDs) || res.Tokens[0] != bosID {
		t.Fatalf("prompt tokens %v, want %v starting with BOS", res.Tokens, wantIDs)
	}
	if len(res.Logits) != vocabSize {
		t.Fatalf("%d logits, want %d", len(res.Logits), vocabSize)
	}
}

func TestGenerate(t *testing.T) {
	path := testModel{}.write(t)
	tok, m := reference(t, path)
	type result struct {
		IDs          []int32
		Text         string
		Stop         string
		PromptTokens int `json:"prompt_tokens"`
	}
	var res result
	ok(t, &res, "generate", "-m", path, "--prompt", "hello", "-n", "6", "--temp", "0")
	prompt := tok.Encode("hello", true, true)
	s, err := m.NewSession(model.SessionOptions{Context: 64})
	if err != nil {
		t.Fatal(err)
	}
	var want []int32
	logits, err := s.Forward(prompt)
	for len(want) < 6 && err == nil {
		id := sample.Greedy(logits)
		want = append(want, id)
		if tok.IsEOG(id) {
			break
		}
		logits, err = s.Forward([]int32{id})
	}
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.IDs, want) || res.PromptTokens != len(prompt) {
		t.Fatalf("ids %v after %d prompt tokens, want greedy %v after %d", res.IDs, res.PromptTokens, want, len(prompt))
	}
	if tok.IsEOG(want[len(want)-1]) {
		want = want[:len(want)-1]
	} else if res.Stop != "length" {
		t.Fatalf("stop %q, want length", res.Stop)
	}
	// JSON carries text as UTF-8: a partial character becomes U+FFFD.
	if wantText := validText(tok.Decode(want)); res.Text != wantText {
		t.Fatalf("text %q, want %q", res.Text, wantText)
	}

	// An end-of-generation token ends the text: its id is in ids, its text is not.
	eos := testModel{eosBias: 1000}.write(t)
	ok(t, &res, "generate", "-m", eos, "--tokens", "1,259", "-n", "8")
	if !slices.Equal(res.IDs, []int32{eosID}) || res.Text != "" || res.Stop != "eog" {
		t.Fatalf("with EOS forced: %+v, want ids [%d], empty text, stop eog", res, eosID)
	}

	// Sampling with a seed is repeatable.
	var a, b result
	args := []string{"generate", "-m", path, "--tokens", "1,260", "-n", "8", "--temp", "1.5", "--top-k", "0", "--top-p", "1", "--min-p", "0", "--seed", "42"}
	ok(t, &a, args...)
	ok(t, &b, args...)
	if !slices.Equal(a.IDs, b.IDs) || len(a.IDs) == 0 {
		t.Fatalf("the same seed gave %v and %v", a.IDs, b.IDs)
	}
	// The context ends generation.
	ok(t, &res, "generate", "-m", path, "--tokens", "1,260,261", "-n", "20", "--ctx", "5")
	if res.Stop != "context" && res.Stop != "eog" || len(res.IDs) > 3 {
		t.Fatalf("with a context of 5 after 3 prompt tokens: %+v", res)
	}
	if res.Stop == "context" && len(res.IDs) != 3 {
		t.Fatalf("a context of 5 holds 3 prompt tokens and 2 generated ones, then one more is sampled: got %d", len(res.IDs))
	}
}

func TestBench(t *testing.T) {
	path := testModel{}.write(t)
	var res struct {
		Arch, Type, Backend string
		Threads, Runs       int
		PromptTokens        int       `json:"prompt_tokens"`
		GenTokens           int       `json:"gen_tokens"`
		PrefillTPS          float64   `json:"prefill_tps"`
		DecodeTPS           float64   `json:"decode_tps"`
		PrefillRuns         []float64 `json:"prefill_tps_runs"`
	}
	ok(t, &res, "bench", "-m", path, "-p", "8", "-n", "4", "--runs", "2", "--threads", "1")
	if res.Arch != "qwen2" || res.Type != "Q8_0" || res.Backend != "reference" || res.Threads != 1 ||
		res.Runs != 2 || res.PromptTokens != 8 || res.GenTokens != 4 || res.PrefillTPS <= 0 || res.DecodeTPS <= 0 || len(res.PrefillRuns) != 2 {
		t.Fatalf("bench result %+v", res)
	}
}

// Every failure exits non-zero, says what went wrong on stderr, and prints
// nothing on stdout.
func TestErrors(t *testing.T) {
	path := testModel{}.write(t)
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.gguf")
	os.WriteFile(corrupt, []byte("GGUF\x03\x00\x00\x00garbage"), 0o644)
	truncated := filepath.Join(dir, "truncated.gguf")
	data, _ := os.ReadFile(path)
	os.WriteFile(truncated, data[:len(data)/2], 0o644)
	unknown := testModel{arch: "gpt9"}.write(t)

	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{nil, exitUsage, "usage"},
		{[]string{"frobnicate"}, exitUsage, `unknown command "frobnicate"`},
		{[]string{"logits", "--tokens", "1"}, exitUsage, "-m FILE is required"},
		{[]string{"logits", "-m", path}, exitUsage, "--prompt"},
		{[]string{"logits", "-m", path, "--prompt", "x", "--tokens", "1"}, exitUsage, "exactly one"},
		{[]string{"logits", "-m", path, "--tokens", "1,x"}, exitUsage, `"x" is not a token id`},
		{[]string{"logits", "-m", path, "--tokens", "1", "--bogus"}, exitUsage, "bogus"},
		{[]string{"logits", "-m", path, "--tokens", "1", "extra"}, exitUsage, `unexpected argument "extra"`},
		{[]string{"logits", "-m", filepath.Join(dir, "missing.gguf"), "--tokens", "1"}, exitError, "no such file"},
		{[]string{"logits", "-m", corrupt, "--tokens", "1"}, exitError, "gguf"},
		{[]string{"logits", "-m", truncated, "--tokens", "1"}, exitError, "truncated"},
		{[]string{"logits", "-m", unknown, "--tokens", "1"}, exitError, `unknown architecture "gpt9"`},
		{[]string{"logits", "-m", path, "--tokens", "1,2,3,4,5", "--ctx", "4"}, exitError, "prompt of 5 tokens exceeds the context of 4"},
		{[]string{"logits", "-m", path, "--tokens", "1,320"}, exitError, "token 320"},
		{[]string{"logits", "-m", path, "--tokens", "-3"}, exitError, "token -3"},
		{[]string{"logits", "-m", path, "--tokens", "1", "--threads", "-1"}, exitUsage, "--threads"},
		{[]string{"generate", "-m", path, "--tokens", "1", "-n", "-1"}, exitUsage, "-n -1"},
		{[]string{"generate", "-m", path, "--tokens", "1", "--temp", "warm"}, exitUsage, `"warm" is not a number`},
		{[]string{"generate", "-m", path, "--tokens", "1", "--top-p", "-0.5"}, exitUsage, "TopP"},
		{[]string{"generate", "-m", path, "--tokens", "99999"}, exitError, "token 99999"},
		{[]string{"tokenize", "--text", "hi"}, exitUsage, "-m FILE is required"},
		{[]string{"tokenize", "-m", corrupt, "--text", "hi"}, exitError, "gguf"},
		{[]string{"bench", "-m", path, "-p", "0"}, exitUsage, "at least 1"},
		{[]string{"bench", "-m", path, "-p", "60", "-n", "10", "--ctx", "64"}, exitError, "exceeds the context of 64"},
	} {
		out, errs, code := runCLI(c.args...)
		if code != c.code || out != "" || !strings.Contains(errs, c.want) {
			t.Errorf("hearth %q: exit %d (want %d), stdout %q, stderr %q (want it to mention %q)", c.args, code, c.code, out, errs, c.want)
		}
	}
}
