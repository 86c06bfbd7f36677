package main

import (
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/gguf"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/engine/sample"
)

// wasmOrderModel loads the model in-process on a reference backend in
// compute.OrderWasm, as --order wasm should.
func wasmOrderModel(t *testing.T, path string) *model.Model {
	t.Helper()
	f, err := gguf.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	b := compute.NewReferenceOrder(1, compute.OrderWasm)
	t.Cleanup(func() { b.Close() })
	m, err := model.Load(f, b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// keys runs a command that must succeed and returns its JSON object's keys.
func keys(t *testing.T, args ...string) []string {
	t.Helper()
	var v map[string]any
	ok(t, &v, args...)
	return slices.Sorted(maps.Keys(v))
}

// --order wasm computes the logits and greedy tokens of the reference in
// compute.OrderWasm (the browser's bits), which are not the default order's
// on this model (its matrices take llama.cpp's AMX kernels there), and
// changes nothing else: the same JSON fields, the same prompt tokens.
func TestOrderFlag(t *testing.T) {
	path := testModel{}.write(t)
	m := wasmOrderModel(t, path)
	type logits struct {
		Tokens []int32
		Logits []float32
	}
	var x86, wasm logits
	ok(t, &x86, "logits", "-m", path, "--tokens", "1,259,260,7")
	ok(t, &wasm, "logits", "-m", path, "--tokens", "1,259,260,7", "--order", "wasm")
	s, err := m.NewSession(model.SessionOptions{Context: 64})
	if err != nil {
		t.Fatal(err)
	}
	want, err := s.Forward(wasm.Tokens)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(wasm.Tokens, x86.Tokens) || !slices.Equal(wasm.Logits, want) {
		t.Fatalf("--order wasm: tokens %v (x86 %v), logits equal to the wasm-order reference's: %v",
			wasm.Tokens, x86.Tokens, slices.Equal(wasm.Logits, want))
	}
	differ := false
	for i := range x86.Logits {
		differ = differ || math.Float32bits(x86.Logits[i]) != math.Float32bits(wasm.Logits[i])
	}
	if !differ {
		t.Fatal("--order wasm gave the default order's logits bit for bit: the flag changed nothing")
	}
	x86Keys := keys(t, "logits", "-m", path, "--tokens", "1,259")
	if got := keys(t, "logits", "-m", path, "--tokens", "1,259", "--order", "wasm"); !slices.Equal(got, x86Keys) {
		t.Fatalf("logits fields %v with --order wasm, %v without", got, x86Keys)
	}

	var gen struct {
		IDs          []int32
		Stop         string
		PromptTokens int `json:"prompt_tokens"`
	}
	ok(t, &gen, "generate", "-m", path, "--tokens", "1,259", "-n", "5", "--temp", "0", "--order", "wasm")
	s.Reset()
	var greedy []int32
	l, err := s.Forward([]int32{1, 259})
	for err == nil && len(greedy) < 5 {
		id := sample.Greedy(l)
		greedy = append(greedy, id)
		if id == eosID {
			break
		}
		l, err = s.Forward([]int32{id})
	}
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(gen.IDs, greedy) || gen.PromptTokens != 2 {
		t.Fatalf("generate --order wasm: ids %v after %d prompt tokens, want the wasm-order greedy %v after 2", gen.IDs, gen.PromptTokens, greedy)
	}
	genArgs := []string{"generate", "-m", path, "--tokens", "1,259", "-n", "3"}
	if got, want := keys(t, append(genArgs, "--order", "wasm")...), keys(t, genArgs...); !slices.Equal(got, want) {
		t.Fatalf("generate fields %v with --order wasm, %v without", got, want)
	}

	benchArgs := []string{"bench", "-m", path, "-p", "4", "-n", "2", "--runs", "1", "--threads", "1"}
	var b86, bw struct{ Order, Backend string }
	ok(t, &b86, benchArgs...)
	ok(t, &bw, append(benchArgs, "--order", "wasm")...)
	if b86.Order != "x86" || bw.Order != "wasm" || b86.Backend != bw.Backend {
		t.Fatalf("bench: order %q (default) and %q (--order wasm), backends %q and %q", b86.Order, bw.Order, b86.Backend, bw.Backend)
	}
	if got, want := keys(t, append(benchArgs, "--order", "wasm")...), keys(t, benchArgs...); !slices.Equal(got, want) {
		t.Fatalf("bench fields %v with --order wasm, %v without", got, want)
	}
}

// An order other than x86 or wasm is a usage error that names the flag and
// the choices, on every command that takes it; x86 may be given explicitly.
func TestOrderFlagErrors(t *testing.T) {
	path := testModel{}.write(t)
	for _, cmd := range [][]string{
		{"logits", "-m", path, "--tokens", "1"},
		{"generate", "-m", path, "--tokens", "1", "-n", "1"},
		{"bench", "-m", path, "-p", "1", "-n", "1", "--runs", "1"},
	} {
		for _, bad := range []string{"arm", "", "WASM", "x86,wasm"} {
			args := append(slices.Clone(cmd), "--order", bad)
			out, errs, code := runCLI(args...)
			if code != exitUsage || out != "" || !strings.Contains(errs, "-order") || !strings.Contains(errs, "want x86, wasm or wllama") {
				t.Errorf("hearth %q: exit %d (want %d), stdout %q, stderr %q", args, code, exitUsage, out, errs)
			}
		}
		if _, errs, code := runCLI(append(slices.Clone(cmd), "--order", "x86")...); code != exitOK {
			t.Errorf("hearth %q --order x86: exit %d: %s", cmd, code, errs)
		}
	}
}
