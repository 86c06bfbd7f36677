//go:build !js

package arena_test

import (
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/compute/computetest"
	"github.com/hearth-ai/hearth/engine/dtype"
)

func conformance(t *testing.T, threads int, opt arena.Options, relTol float64) {
	computetest.Run(t, func() compute.Backend {
		b, err := openWasm(threads, opt)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}, computetest.Options{RelTol: relTol})
}

// The suite as the kernels run it. Its MatMul loops take the reference's
// kernels (compute.KernelFor): the AMX order for AMX shapes and ggml's F32
// orders, where the wasm kernels take llama.cpp's generic order, so
// products differ in their last bits; RelTol admits that (the suite has
// one tolerance for everything; TestConformanceReferenceMatMul holds the
// rest to the reference's bits and matmul_test.go the kernels to
// quant.VecDot's). F16 weights go to Go in the reference's order: on AMX
// shapes the reference multiplies them by unrounded F32 activations where
// llama.cpp's generic path (the kernels) first rounds the activations to
// F16, a difference of about 2⁻¹¹ of each product that no useful relative
// tolerance covers (matmul_test.go checks the F16 kernel).
func TestConformance(t *testing.T) {
	conformance(t, 1, arena.Options{ReferenceMatMul: func(w dtype.Type) bool { return w == dtype.F16 }}, tolKernels)
	conformance(t, 3, arena.Options{ReferenceMatMul: func(w dtype.Type) bool { return w == dtype.F16 }}, tolKernels)
}

// The suite bit for bit, with MatMul in Go in the reference's order: every
// other operation, and the plumbing of MatMul's operands, must give the
// reference's bits.
func TestConformanceReferenceMatMul(t *testing.T) {
	conformance(t, 1, arena.Options{ReferenceMatMul: always}, 0)
	conformance(t, 3, arena.Options{ReferenceMatMul: always}, 0)
}
