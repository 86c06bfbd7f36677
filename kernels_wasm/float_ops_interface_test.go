package kernels

import (
	"testing"

	"github.com/tetratelabs/wazero/api"
)

// floatOpsSignatures are the exports of the float-operation kernels (the
// package documentation lists them).
func floatOpsSignatures() map[string][2][]api.ValueType {
	i32, f32 := api.ValueTypeI32, api.ValueTypeF32
	sigs := map[string][2][]api.ValueType{
		KernelAdd:          {{i32, i32, i32, i32, i32, i32}, nil},
		KernelMul:          {{i32, i32, i32, i32, i32, i32}, nil},
		KernelScale:        {{i32, i32, i32, f32}, nil},
		KernelSiLU:         {{i32, i32, i32, i32}, nil},
		KernelSwiGLU:       {{i32, i32, i32, i32, i32}, nil},
		KernelSoftmax:      {{i32, i32, i32, i32}, nil},
		KernelRMSNorm:      {{i32, i32, i32, i32, i32, i32, f32}, nil},
		KernelRope:         {{i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		KernelAttention:    {{i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, f32, i32}, nil},
		KernelAttentionF16: {{i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, i32, f32, i32}, nil},
		// the vision encoder's (encoder_rows.go, self_attention.go)
		KernelLayerNorm:         {{i32, i32, i32, i32, i32, i32, f32}, nil},
		KernelGELU:              {{i32, i32, i32, i32, i32}, nil},
		KernelSelfAttentionPrep: {{i32, i32, i32, i32, i32, i32, i32, i32, i32}, nil},
		KernelSelfAttention:     {{i32, i32, i32, i32, i32, i32, i32, i32, i32, f32, i32}, nil},
	}
	for _, typ := range dequantTypes {
		sigs[DequantizeKernel(typ.String())] = [2][]api.ValueType{{i32, i32, i32}, nil}
		sigs[GetRowsKernel(typ.String())] = [2][]api.ValueType{{i32, i32, i32, i32, i32}, nil}
	}
	return sigs
}

// Both builds export the float-operation kernels with their documented
// signatures, and nothing internal (fma32, expf, vexp_lanes …).
func TestFloatOpsInterface(t *testing.T) {
	for _, shared := range []bool{false, true} {
		o := Options{SharedMemory: shared}
		cm := compileBuild(t, o)
		checkSignatures(t, o, cm, floatOpsSignatures())
		exp := cm.ExportedFunctions()
		for _, internal := range []string{"fma32", "expf", "vexp_lanes", "vsilu_lanes", "softmax_row", "dot_f32x64"} {
			if exp[internal] != nil {
				t.Errorf("shared=%v: the internal %s is exported", shared, internal)
			}
		}
	}
}

// A pointer or length that runs past the end of memory traps (an error
// from the call), it does not wrap around.
func TestFloatOpsTrapOutOfBounds(t *testing.T) {
	e := newKernels(t, 1)
	size := uint64(e.mem.Size())
	one := uint64(f32Bits(1))
	for _, c := range []struct {
		name string
		args []uint64
	}{
		{DequantizeKernel("q4_k"), []uint64{0, size - 100, 256}},
		{DequantizeKernel("f16"), []uint64{size - 8, 64, 4}},
		{GetRowsKernel("q8_0"), []uint64{64, 0, size - 2, 1, 32}},
		{KernelAdd, []uint64{size - 12, 64, 64, 1, 4, 1}},
		{KernelSoftmax, []uint64{64, size - 60, 1, 16}},
		{KernelRMSNorm, []uint64{64, 64, size - 4, 1, 8, 8, one}},
		{KernelRope, []uint64{64, 64, 1, 8, 8, 8, 0, size - 16}},
		{KernelAttention, []uint64{64, 64, size - 64, 64, 1, 0, 1, 1, 32, 4, 32, 4, one, 4096}},
		{KernelAttention, []uint64{64, 4096, 8192, 12288, 1, 0, 1, 1, 32, 4, 32, 4, one, size - 64}},
		{KernelLayerNorm, []uint64{64, size - 12, 0, 0, 1, 8, one}},
		{KernelGELU, []uint64{64, size - 8, 8, 0, 1}},
		{KernelSelfAttentionPrep, []uint64{size - 64, 4096, 8192, 12288, 64, 1, 4, 0, 64}},
		{KernelSelfAttention, []uint64{64, 4096, 8192, 12288, 64, 1, 4, 0, 64, one, size - 64}},
	} {
		if _, err := e.mod.ExportedFunction(c.name).Call(e.ctx, c.args...); err == nil {
			t.Errorf("%s%v read or wrote past the end of memory without a trap", c.name, c.args)
		}
	}
}
