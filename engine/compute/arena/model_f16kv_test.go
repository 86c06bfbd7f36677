//go:build !js

package arena_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/model"
	"github.com/hearth-ai/hearth/models/synth"
)

// runKV is run with a KV cache of type kv, growing as the browser's does
// when grow is set.
func runKV(tb testing.TB, m *model.Model, steps int, kv dtype.Type, grow bool) (logits [][]float32, tokens []int32) {
	tb.Helper()
	s, err := m.NewSession(model.SessionOptions{Context: 64, KVType: kv, GrowKV: grow})
	if err != nil {
		tb.Fatal(err)
	}
	defer s.Close()
	all, err := s.ForwardAll(testPrompt)
	if err != nil {
		tb.Fatal(err)
	}
	v := m.HP.Vocab
	for i := range testPrompt {
		logits = append(logits, all[i*v:(i+1)*v])
	}
	next := argmax(logits[len(logits)-1])
	for range steps {
		tokens = append(tokens, next)
		l, err := s.Forward([]int32{next})
		if err != nil {
			tb.Fatal(err)
		}
		logits = append(logits, slices.Clone(l))
		next = argmax(l)
	}
	return logits, tokens
}

// The browser's default cache, predicted natively: with an F16 KV cache
// (growing, as the browser engine keeps it) the whole model on the wasm
// kernels gives the bits of the reference backend in compute.OrderWasm
// with an F16 cache allocated whole — every prompt position's logits and
// every greedy step's — with one, two and three threads (attention_f16
// split by query rows for the prompt, by key/value heads for a step; the
// stores split by rows). Llama and qwen2 (NeoX rotation, q/k/v biases),
// and a model with 128-wide heads and one key/value head.
func TestModelF16KVMatchesReferenceInWasmOrder(t *testing.T) {
	cases := []modelCase{
		{"llama-Q8_0", smallLlama(dtype.Q8_0), 8, 0},
		{"llama-Q4_K", smallLlama(dtype.Q4_K), 8, 0},
		{"llama-F16", smallLlama(dtype.F16), 8, 0},
		{"deep-llama-Q4_0", deepLlama(dtype.Q4_0), 12, 0},
		{"qwen2-Q8_0-f16kv", synth.Spec{Arch: synth.Qwen2, NEmbd: 256, NLayer: 2, NHead: 4, NHeadKV: 2, NFF: 512, Type: dtype.Q8_0, Seed: 12}, 8, 0},
		{"llama-wide-heads-f16kv", synth.Spec{Arch: synth.Llama, NEmbd: 256, NLayer: 2, NHead: 2, NHeadKV: 1, NFF: 512, Type: dtype.Q8_0, Seed: 13}, 8, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := synthModel(t, c.name, c.spec)
			ref := compute.NewReferenceOrder(1, compute.OrderWasm)
			defer ref.Close()
			want, wantToks := runKV(t, loadModel(t, path, ref), c.steps, dtype.F16, false)
			f32, _ := runKV(t, loadModel(t, path, ref), c.steps, dtype.F32, false)
			if d, _ := logitDiff(want[:len(testPrompt)], f32[:len(testPrompt)]); d == 0 {
				t.Fatal("the F16 cache gives the F32 cache's prompt logits: the test would not tell them apart")
			}
			for _, threads := range []int{1, 2, 3} {
				got, gotToks := runKV(t, loadModel(t, path, newWasm(t, threads, arena.Options{})), c.steps, dtype.F16, true)
				sameBits(t, fmt.Sprintf("%d threads against the reference in wasm order", threads), got, want)
				if !slices.Equal(gotToks, wantToks) {
					t.Fatalf("%d threads: greedy tokens %v, reference %v", threads, gotToks, wantToks)
				}
			}
		})
	}
}

// With MatMul in the default order's kernels (Options.ReferenceMatMul)
// and an F16 cache, the whole model gives the default reference's bits:
// attention_f16 computes llama.cpp's x86 F16 attention itself (one order
// for both), so only the matmuls tell the browser from the oracle.
func TestModelF16KVBitExactWithReferenceMatMul(t *testing.T) {
	for _, typ := range []dtype.Type{dtype.Q8_0, dtype.F16} {
		t.Run(typ.String(), func(t *testing.T) {
			path := synthModel(t, "llama-"+typ.String(), smallLlama(typ))
			ref := compute.NewReference(1)
			defer ref.Close()
			want, wantToks := runKV(t, loadModel(t, path, ref), 6, dtype.F16, false)
			got, gotToks := runKV(t, loadModel(t, path, newWasm(t, 2, arena.Options{ReferenceMatMul: always})), 6, dtype.F16, true)
			sameBits(t, "reference matmul, F16 cache", got, want)
			if !slices.Equal(gotToks, wantToks) {
				t.Fatalf("greedy tokens %v, reference %v", gotToks, wantToks)
			}
		})
	}
}
