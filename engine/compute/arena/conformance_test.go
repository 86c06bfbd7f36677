//go:build !js

package arena_test

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/computetest"
)

func conformance(t *testing.T, threads int, opt arena.Options, order compute.Order) {
	computetest.Run(t, func() compute.Backend {
		b, err := openWasm(threads, opt)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, computetest.Options{Order: order})
}

// The suite bit for bit as the kernels run it: every operation gives the
// bits of its loop, MatMul those of compute.OrderWasm (llama.cpp's generic
// order for quantized weights, the kernels' four-lane order for F32, F16
// and BF16), with one thread and with three.
func TestConformance(t *testing.T) {
	conformance(t, 1, arena.Options{}, compute.OrderWasm)
	conformance(t, 3, arena.Options{}, compute.OrderWasm)
}

// The suite bit for bit with MatMul in Go in the default order
// (Options.ReferenceMatMul): the plumbing of MatMul's operands carries any
// order's kernels.
func TestConformanceReferenceMatMul(t *testing.T) {
	conformance(t, 1, arena.Options{ReferenceMatMul: always}, compute.OrderLlamaCppX86)
	conformance(t, 3, arena.Options{ReferenceMatMul: always}, compute.OrderLlamaCppX86)
}
