package kernels

import (
	"bytes"
	"testing"

	"github.com/tetratelabs/wazero/api"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The k-quant, Q8_K and float kernels are exported with the signatures of
// the conventions (notes/kernels-conventions.md), in the unshared and the
// shared-memory builds.
func TestKAndFloatInterface(t *testing.T) {
	i32, f32 := api.ValueTypeI32, api.ValueTypeF32
	vecDot := [2][]api.ValueType{{i32, i32, i32}, {f32}}
	matmul := [2][]api.ValueType{{i32, i32, i32, i32, i32, i32, i32, i32}, nil}
	convert := [2][]api.ValueType{{i32, i32, i32}, nil}
	want := map[string][2][]api.ValueType{
		QuantizeQ8K: convert, ConvertF16: convert, ConvertBF16: convert,
		VecDotQ2K: vecDot, VecDotQ3K: vecDot, VecDotQ4K: vecDot, VecDotQ5K: vecDot, VecDotQ6K: vecDot,
		VecDotF32: vecDot, VecDotF16: vecDot, VecDotBF16: vecDot,
		MatmulQ2K: matmul, MatmulQ3K: matmul, MatmulQ4K: matmul, MatmulQ5K: matmul, MatmulQ6K: matmul,
		MatmulF32: matmul, MatmulF16: matmul, MatmulBF16: matmul,
	}
	for _, shared := range []bool{false, true} {
		o := Options{SharedMemory: shared}
		checkSignatures(t, o, compileBuild(t, o), want)
	}
}

// The shared-memory build computes the same (one k-quant, one float
// kernel, the Q8_K quantizer).
func TestKAndFloatSharedMemory(t *testing.T) {
	bin, err := Build(Options{SharedMemory: true})
	if err != nil {
		t.Fatal(err)
	}
	e := newKernelEnv(t, bin, 2, true)
	n := 3 * qkK
	src := gaussian(e, n)
	want := make([]byte, 3*q8KBlock)
	if err := quant.Quantize(dtype.Q8_K, src, want); err != nil {
		t.Fatal(err)
	}
	ps, pd := e.place(t, f32Bytes(src), 1), e.place(t, make([]byte, len(want)), 3)
	e.call(t, QuantizeQ8K, pd, ps, uint32(n))
	if got, _ := e.mem.Read(pd, uint32(len(want))); !bytes.Equal(got, want) {
		t.Error("quantize_q8_k differs in the shared build")
	}
	w := quantRow(t, e, dtype.Q4_K, n, 1)
	pw := e.place(t, w, 2)
	if got, ref := e.callF32(t, VecDotQ4K, pw, pd, uint32(n)), quant.VecDot(dtype.Q4_K, n, w, want); !sameF32(got, ref) {
		t.Errorf("vec_dot_q4_k shared: %v, quant.VecDot %v", got, ref)
	}
	h := floatRow(t, e, dtype.F16, 100, 1, false)
	ph := e.place(t, h, 0)
	if got, ref := e.callF32(t, VecDotF16, ph, ph, 100), quant.VecDot(dtype.F16, 100, h, h); !closeFloat(dtype.F16, got, ref) {
		t.Errorf("vec_dot_f16 shared: %v, quant.VecDot %v", got, ref)
	}
}
