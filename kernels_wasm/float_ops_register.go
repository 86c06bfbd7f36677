package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// registerFloatOps defines and exports the float-operation kernels: the
// dequantizers and get_rows, add, mul, scale, silu, swiglu, softmax,
// rmsnorm, rope_apply, attention and attention_f16, the encoder's kernels (registerEncoderOps; with their internal helpers fma32,
// expf, vexp_lanes, vsilu_lanes, softmax_row and dot_f32x64).
func registerFloatOps(m *Module) {
	fn := &actFuncs{fma32: defineFMA32(m), expf: defineExpf(m)}
	defineVexpFuncs(m, fn)
	fn.softmaxRow = defineSoftmaxRow(m, fn)
	registerDequantize(m)
	m.ExportFunc(KernelAdd, defineBinary(m, KernelAdd, F32x4Add))
	m.ExportFunc(KernelMul, defineBinary(m, KernelMul, F32x4Mul))
	m.ExportFunc(KernelScale, defineScale(m))
	m.ExportFunc(KernelSiLU, defineSiLU(m, fn, false))
	m.ExportFunc(KernelSwiGLU, defineSiLU(m, fn, true))
	m.ExportFunc(KernelSoftmax, defineSoftmax(m, fn))
	m.ExportFunc(KernelRMSNorm, defineRMSNorm(m))
	m.ExportFunc(KernelRope, defineRope(m, fn.fma32))
	m.ExportFunc(KernelAttention, defineAttention(m, fn, defineDotF32x64(m, fn.fma32)))
	m.ExportFunc(KernelAttentionF16, defineAttentionF16(m, fn))
	registerEncoderOps(m, fn)
}
