//go:build !js

package arena_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
)

// The browser's arithmetic, predicted natively: the whole model on the wasm
// kernels (no MatMul in Go) gives the bits of the reference backend in
// compute.OrderWasm — the prompt's logits at every position and the logits
// of every greedy step, hence the same text — with one, two and three
// threads alike (the prompt splits attention by query rows, decode steps
// by key/value heads; matmuls split by weight rows).
func TestModelMatchesReferenceInWasmOrder(t *testing.T) {
	for _, c := range modelCases() {
		t.Run(c.name, func(t *testing.T) {
			path := synthModel(t, c.name, c.spec)
			ref := compute.NewReferenceOrder(1, compute.OrderWasm)
			defer ref.Close()
			want, wantToks := run(t, loadModel(t, path, ref), c.steps)
			var one [][]float32
			for _, threads := range []int{1, 2, 3} {
				got, gotToks := run(t, loadModel(t, path, newWasm(t, threads, arena.Options{})), c.steps)
				if threads == 1 {
					one = got
				} else {
					sameBits(t, fmt.Sprintf("%d threads against one", threads), got, one)
				}
				sameBits(t, fmt.Sprintf("%d threads against the reference in wasm order", threads), got, want)
				if !slices.Equal(gotToks, wantToks) {
					t.Fatalf("%d threads: greedy tokens %v, reference %v", threads, gotToks, wantToks)
				}
			}
		})
	}
}

// With MatMul in the default order's kernels (in Go, Options.ReferenceMatMul)
// the whole model gives the default reference's bits: everything but the
// matmul kernels is shared by both orders.
func TestModelBitExactWithReferenceMatMul(t *testing.T) {
	for _, typ := range modelTypes {
		t.Run(typ.String(), func(t *testing.T) {
			path := synthModel(t, "llama-"+typ.String(), smallLlama(typ))
			ref := compute.NewReference(1)
			defer ref.Close()
			want, wantToks := run(t, loadModel(t, path, ref), 6)
			wb := newWasm(t, 1, arena.Options{ReferenceMatMul: always})
			got, gotToks := run(t, loadModel(t, path, wb), 6)
			sameBits(t, "reference matmul", got, want)
			if !slices.Equal(gotToks, wantToks) {
				t.Fatalf("greedy tokens %v, reference %v", gotToks, wantToks)
			}
		})
	}
}

// Against the default order (llama.cpp's x86 arithmetic, what native runs
// and the oracle compute) the wasm kernels' logits differ on every one of
// these models — so TestModelMatchesReferenceInWasmOrder tells the two
// orders apart — but stay close: within 2% of the largest logit on the
// two-layer models, 5% on the six-layer ones, for the prompt and for every
// greedy step until the chosen tokens part (logged).
func TestModelDefaultOrderIsClose(t *testing.T) {
	for _, c := range modelCases() {
		t.Run(c.name, func(t *testing.T) {
			path := synthModel(t, c.name, c.spec)
			ref := compute.NewReference(1)
			defer ref.Close()
			want, wantToks := run(t, loadModel(t, path, ref), c.steps)
			got, gotToks := run(t, loadModel(t, path, newWasm(t, 1, arena.Options{})), c.steps)
			np := len(testPrompt)
			pd, ps := logitDiff(got[:np], want[:np])
			all, _ := logitDiff(got, want)
			if all == 0 {
				t.Fatalf("the wasm kernels give the default order's bits: the orders cannot be told apart on this model")
			}
			parts := "never"
			for i := range gotToks {
				if gotToks[i] != wantToks[i] {
					parts = fmt.Sprint("at step ", i)
					break
				}
			}
			t.Logf("prompt logits differ by up to %.3g (%.2g of the largest logit %.3g); greedy parts %s: %v, x86 order %v",
				pd, pd/ps, ps, parts, gotToks, wantToks)
			if pd > c.tol*ps {
				t.Fatalf("prompt logits differ by up to %.3g; the largest is %.3g", pd, ps)
			}
			for i := range gotToks {
				if gotToks[i] != wantToks[i] {
					break
				}
				if d, s := logitDiff(got[np+i:np+i+1], want[np+i:np+i+1]); d > c.tol*s {
					t.Fatalf("step %d: logits differ by up to %.3g; the largest is %.3g", i, d, s)
				}
			}
		})
	}
}
