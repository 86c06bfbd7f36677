//go:build !js

package arena_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
)

// With MatMul in the reference's order, the whole model gives the
// reference backend's bits: prompt logits, and every step of the greedy
// continuation (which is then the same text).
func TestModelBitExactWithReferenceMatMul(t *testing.T) {
	for _, typ := range modelTypes {
		t.Run(typ.String(), func(t *testing.T) {
			path := synthModel(t, "llama-"+typ.String(), smallLlama(typ))
			ref := compute.NewReference(1)
			defer ref.Close()
			want, wantToks := run(t, loadModel(t, path, ref), 6)
			wb := newWasm(t, 1, arena.Options{ReferenceMatMul: always})
			got, gotToks := run(t, loadModel(t, path, wb), 6)
			for p := range want {
				for i := range want[p] {
					if math.Float32bits(got[p][i]) != math.Float32bits(want[p][i]) {
						t.Fatalf("position %d logit %d = %v, reference %v", p, i, got[p][i], want[p][i])
					}
				}
			}
			if fmt.Sprint(gotToks) != fmt.Sprint(wantToks) {
				t.Fatalf("greedy tokens %v, reference %v", gotToks, wantToks)
			}
		})
	}
}

// With the wasm kernels (llama.cpp's generic order), the logits stay close
// to the reference's (AMX order on these shapes); the differences are
// logged for the record.
func TestModelAgainstReference(t *testing.T) {
	const steps = 8
	for _, typ := range modelTypes {
		t.Run(typ.String(), func(t *testing.T) {
			path := synthModel(t, "llama-"+typ.String(), smallLlama(typ))
			ref := compute.NewReference(1)
			defer ref.Close()
			want, wantToks := run(t, loadModel(t, path, ref), steps)
			wb := newWasm(t, 1, arena.Options{})
			got, gotToks := run(t, loadModel(t, path, wb), steps)
			np := len(testPrompt)
			pd, ps := logitDiff(got[:np], want[:np])
			t.Logf("%v: prompt logits differ by up to %.3g (%.2g of the largest logit %.3g); greedy %v, reference %v",
				typ, pd, pd/ps, ps, gotToks, wantToks)
			if pd > 2e-2*ps {
				t.Fatalf("prompt logits differ by up to %.3g; the largest is %.3g", pd, ps)
			}
			// The continuations agree as long as the chosen tokens do.
			for i := range gotToks {
				if gotToks[i] != wantToks[i] {
					t.Logf("greedy continuation parts at step %d", i)
					break
				}
				d, s := logitDiff(got[np+i:np+i+1], want[np+i:np+i+1])
				if d > 2e-2*s {
					t.Fatalf("step %d: logits differ by up to %.3g; the largest is %.3g", i, d, s)
				}
			}
		})
	}
}
