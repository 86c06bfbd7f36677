package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The activation converters of the F16 and BF16 weight types:
//
//	convert_f16(dst, src, n)   n float32s at src → n IEEE halves at dst
//	convert_bf16(dst, src, n)  n float32s at src → n bfloat16s at dst
//
// bit for bit what quant.Quantize(dtype.F16 / dtype.BF16, …) writes
// (quant.F32ToF16, quant.F32ToBF16: round to nearest even, NaN kept quiet
// with the top of its payload). Nothing is written when n ≤ 0. Eight
// elements a step; the last n mod 8 go one at a time through the same
// lane code (a one-lane load and store), so every element takes one path.

// Names of the activation converters.
const (
	ConvertF16  = "convert_f16"
	ConvertBF16 = "convert_bf16"
)

// narrowLanes pops an f32x4 and pushes the i32x4 of its four conversions
// (each in the low 16 bits); the locals are v128 scratch.
type narrowLanes func(f *Func, x, abs, t Local)

// halfLanes is quant.F32ToF16 on four lanes:
//
//	NaN:           sign | 0x7e00 | mantissa>>13
//	|x| ≥ 65520:   sign | 0x7c00
//	|x| ≥ 2⁻¹⁴:    sign | (r + 0xfff + (r>>13 & 1)) >> 13, r = |x| bits − 0x38000000
//	smaller:       sign | nearest(|x|·2²⁴)   (exact scaling, ties to even)
//
// Every case is computed and the right one selected.
func halfLanes(f *Func, x, abs, t Local) {
	f.Do(
		LocalTee(x), splatI32(0x7fffffff), V128And, LocalSet(abs),
		// NaN
		LocalGet(abs), splatI32(0x007fffff), V128And, I32Const(13), I32x4ShrU, splatI32(0x7e00), V128Or,
		// infinity
		splatI32(0x7c00),
		// normal: rebias, round to nearest even, drop 13 bits
		LocalGet(abs), splatI32(0x38000000), I32x4Sub, LocalTee(t),
		LocalGet(t), I32Const(13), I32x4ShrU, splatI32(1), V128And, I32x4Add,
		splatI32(0xfff), I32x4Add, I32Const(13), I32x4ShrU,
		// subnormal or zero
		LocalGet(abs), V128ConstF32x4(0x1p24, 0x1p24, 0x1p24, 0x1p24), F32x4Mul, F32x4Nearest, I32x4TruncSatF32x4S,
		LocalGet(abs), splatI32(0x387fffff), I32x4GtS, V128Bitselect,
		LocalGet(abs), splatI32(0x477fefff), I32x4GtS, V128Bitselect,
		LocalGet(abs), splatI32(0x7f800000), I32x4GtS, V128Bitselect,
		// sign
		LocalGet(x), I32Const(16), I32x4ShrU, splatI32(0x8000), V128And, V128Or,
	)
}

// bf16Lanes is quant.F32ToBF16 on four lanes: a NaN keeps its top 16 bits
// with the quiet bit set, anything else is rounded to nearest even.
func bf16Lanes(f *Func, x, abs, t Local) {
	f.Do(
		LocalTee(x), splatI32(0x7fffffff), V128And, LocalSet(abs),
		LocalGet(x), I32Const(16), I32x4ShrU, LocalTee(t), splatI32(0x40), V128Or,
		LocalGet(x), splatI32(0x7fff), I32x4Add, LocalGet(t), splatI32(1), V128And, I32x4Add, I32Const(16), I32x4ShrU,
		LocalGet(abs), splatI32(0x7f800000), I32x4GtS,
		V128Bitselect,
	)
}

// defineConvert emits a converter: eight float32s a step (two lanes
// conversions, one 16-byte store), then one at a time.
func defineConvert(m *Module, name string, lanes narrowLanes) *Func {
	f := m.Func(name, []ValType{I32, I32, I32})
	dst, src, n := f.Param(0), f.Param(1), f.Param(2)
	k := f.NewLocal(I32)
	x, abs, t, lo := f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)

	f.Do(LocalGet(n), I32Const(0), I32LeS)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(n), I32Const(3), I32ShrU, LocalSet(k))
	countdown(f, k, func() {
		f.Do(LocalGet(src), V128Load(0).Align(0))
		lanes(f, x, abs, t)
		f.Do(LocalSet(lo), LocalGet(dst), LocalGet(lo), LocalGet(src), V128Load(16).Align(0))
		lanes(f, x, abs, t)
		f.Do(I16x8NarrowI32x4U, V128Store(0).Align(0))
		advance(f, src, 32)
		advance(f, dst, 16)
	})
	f.Do(LocalGet(n), I32Const(7), I32And, LocalSet(k))
	countdown(f, k, func() {
		f.Do(LocalGet(dst), LocalGet(src), V128Load32Zero(0).Align(0))
		lanes(f, x, abs, t)
		f.Do(V128Store16Lane(0, 0).Align(0))
		advance(f, src, 4)
		advance(f, dst, 2)
	})
	return f
}

func registerConverters(m *Module) {
	m.ExportFunc(ConvertF16, defineConvert(m, ConvertF16, halfLanes))
	m.ExportFunc(ConvertBF16, defineConvert(m, ConvertBF16, bf16Lanes))
}
