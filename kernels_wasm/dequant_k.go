package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The k-quant decoders (256-element super-blocks; the layouts are in
// engine/quant and the matmul kernels' q*_k.go) and the float types.

// kGroup names a 16-element group of a super-block laid out in halves h
// (elements 128h…), quarters s (32 elements each) and halves of a
// quarter: elements 128h + 32s + 16·part + l for l < 16, scale group
// 8h + 2s + part.
type kGroup struct{ h, s, part int }

func (g kGroup) group() int     { return 8*g.h + 2*g.s + g.part }
func (g kGroup) dstOff() uint32 { return uint32(4 * (128*g.h + 32*g.s + 16*g.part)) }

// forKGroups calls fn for the 16 groups of a super-block, in order.
func forKGroups(fn func(g kGroup)) {
	for h := range 2 {
		for s := range 4 {
			for part := range 2 {
				fn(kGroup{h, s, part})
			}
		}
	}
}

// scaleMinK4 pushes (as i32) the 6-bit scale (min = false) or minimum of
// sub-block j from the 12 scale bytes at src+off (quant's scaleMinK4).
func (d *dequantBlock) scaleMinK4(off uint32, j int, min bool) {
	f := d.f
	b := func(i int) { f.Do(LocalGet(d.src), I32Load8U(off+uint32(i)).Align(0)) }
	switch {
	case j < 4 && !min:
		b(j)
		f.Do(I32Const(63), I32And)
	case j < 4:
		b(j + 4)
		f.Do(I32Const(63), I32And)
	case !min:
		b(j + 4)
		f.Do(I32Const(15), I32And)
		b(j - 4)
		f.Do(I32Const(6), I32ShrU, I32Const(4), I32Shl, I32Or)
	default:
		b(j + 4)
		f.Do(I32Const(4), I32ShrU)
		b(j)
		f.Do(I32Const(6), I32ShrU, I32Const(4), I32Shl, I32Or)
	}
}

// splatProduct pops an i32 c and sets into the f32x4 splat of
// a·float32(c), a an f32 local.
func (d *dequantBlock) splatProduct(a Local, into Local) {
	d.f.Do(F32ConvertI32S, LocalSet(d.w), LocalGet(a), LocalGet(d.w), F32Mul, F32x4Splat, LocalSet(into))
}

// shiftedBits pushes the bytes at src+off shifted right by k and masked.
func (d *dequantBlock) shiftedBits(off uint32, k int, mask byte) {
	d.f.Do(LocalGet(d.src), V128Load(off).Align(0))
	if k > 0 {
		d.f.Do(I32Const(int32(k)), I8x16ShrU)
	}
	d.f.Do(splat8(mask), V128And)
}

var dequantK = []dequantFormat{
	{"q2_k", 256, 84, func(d *dequantBlock) {
		f := d.f
		d.f16At(80)
		f.Do(LocalSet(d.x))
		d.f16At(82)
		f.Do(LocalSet(d.y))
		forKGroups(func(g kGroup) {
			// dl = d·(sc & 15), ml = dmin·(sc >> 4); y = dl·q − ml
			f.Do(LocalGet(d.src), I32Load8U(uint32(g.group())).Align(0), LocalTee(d.i), I32Const(15), I32And)
			d.splatProduct(d.x, d.d)
			f.Do(LocalGet(d.i), I32Const(4), I32ShrU)
			d.splatProduct(d.y, d.m)
			d.shiftedBits(uint32(16+32*g.h+16*g.part), 2*g.s, 3)
			f.Do(LocalSet(d.q))
			d.store16(d.q, false, g.dstOff(), d.mulDSubM)
		})
	}},
	{"q3_k", 256, 110, func(d *dequantBlock) {
		f := d.f
		d.f16At(108)
		f.Do(LocalSet(d.x))
		forKGroups(func(g kGroup) {
			gi := g.group()
			// scale: low nibble from byte gi%8, top bits from byte 8+gi%4, minus 32
			f.Do(
				LocalGet(d.src), I32Load8U(96+uint32(gi%8)).Align(0), I32Const(int32(4*(gi/8))), I32ShrU, I32Const(15), I32And,
				LocalGet(d.src), I32Load8U(96+8+uint32(gi%4)).Align(0), I32Const(int32(2*(gi/4))), I32ShrU, I32Const(3), I32And,
				I32Const(4), I32Shl, I32Or, I32Const(32), I32Sub,
			)
			d.splatProduct(d.x, d.d)
			// q = low 2 bits | third bit << 2, minus 4
			d.shiftedBits(uint32(32+32*g.h+16*g.part), 2*g.s, 3)
			d.shiftedBits(uint32(16*g.part), 4*g.h+g.s, 1)
			f.Do(I32Const(2), I8x16Shl, V128Or, splat8(4), I8x16Sub, LocalSet(d.q))
			d.store16(d.q, true, g.dstOff(), d.mulD)
		})
	}},
	{"q4_k", 256, 144, func(d *dequantBlock) { d.kScaleMin(false) }},
	{"q5_k", 256, 176, func(d *dequantBlock) { d.kScaleMin(true) }},
	{"q6_k", 256, 210, func(d *dequantBlock) {
		f := d.f
		d.f16At(208)
		f.Do(LocalSet(d.x))
		forKGroups(func(g kGroup) {
			f.Do(LocalGet(d.src), I32Load8S(192+uint32(g.group())).Align(0))
			d.splatProduct(d.x, d.d)
			// low 4 bits: nibble s/2 of ql[64h + 32(s%2) + l]; top 2: bits 2s of qh[32h + l]
			d.shiftedBits(uint32(64*g.h+32*(g.s%2)+16*g.part), 4*(g.s/2), 15)
			d.shiftedBits(uint32(128+32*g.h+16*g.part), 2*g.s, 3)
			f.Do(I32Const(4), I8x16Shl, V128Or, splat8(32), I8x16Sub, LocalSet(d.q))
			d.store16(d.q, true, g.dstOff(), d.mulD)
		})
	}},
}

// kScaleMin decodes a Q4_K or (fifth = true) Q5_K super-block: sub-block
// j's 32 elements are dj·q − mj, dj = d·scale_j, mj = dmin·min_j.
func (d *dequantBlock) kScaleMin(fifth bool) {
	f := d.f
	qs := uint32(16)
	if fifth {
		qs = 48
	}
	d.f16At(0)
	f.Do(LocalSet(d.x))
	d.f16At(2)
	f.Do(LocalSet(d.y))
	for j := range 8 {
		d.scaleMinK4(4, j, false)
		d.splatProduct(d.x, d.d)
		d.scaleMinK4(4, j, true)
		d.splatProduct(d.y, d.m)
		for part := range 2 {
			// nibble j%2 of qs[32(j/2) + l]; the fifth bit is bit j of qh[l]
			d.shiftedBits(qs+uint32(32*(j/2)+16*part), 4*(j%2), 15)
			if fifth {
				d.shiftedBits(16+uint32(16*part), j, 1)
				f.Do(I32Const(4), I8x16Shl, V128Or)
			}
			f.Do(LocalSet(d.q))
			d.store16(d.q, false, uint32(4*(32*j+16*part)), d.mulDSubM)
		}
	}
}

// floatFormatDequant is a float weight type's dequantizer.
type floatFormatDequant struct {
	name   string
	bytes  int32 // per element
	define func(m *Module) *Func
}

var dequantFloat = []floatFormatDequant{
	{"f32", 4, defineDequantF32},
	{"f16", 2, func(m *Module) *Func { return defineDequantHalf(m, "f16") }},
	{"bf16", 2, func(m *Module) *Func { return defineDequantHalf(m, "bf16") }},
}

// defineDequantF32 emits dequantize_f32: a copy of the bits.
func defineDequantF32(m *Module) *Func {
	f := m.Func("dequantize_f32", []ValType{I32, I32, I32})
	dst, src, n := f.Param(0), f.Param(1), f.Param(2)
	f.Do(LocalGet(n), I32Const(0), I32LtS)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(dst), LocalGet(src), LocalGet(n), I32Const(2), I32Shl, MemoryCopy())
	return f
}

// defineDequantHalf emits dequantize_f16 (quant.F16ToF32 on each) or
// dequantize_bf16 (the bits moved to the top half), four at a time.
func defineDequantHalf(m *Module, name string) *Func {
	f := m.Func("dequantize_"+name, []ValType{I32, I32, I32})
	dst, src, n := f.Param(0), f.Param(1), f.Param(2)
	k := f.NewLocal(I32)
	conv := newF16(f)
	f.Do(LocalGet(n), I32Const(0), I32LtS)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(n), I32Const(2), I32ShrU, LocalSet(k))
	countdown(f, k, func() {
		f.Do(LocalGet(dst), LocalGet(src), V128Load16x4U(0).Align(0))
		if name == "f16" {
			conv.lanes()
		} else {
			f.Do(I32Const(16), I32x4Shl)
		}
		f.Do(V128Store(0).Align(0))
		advance(f, src, 8)
		advance(f, dst, 16)
	})
	f.Do(LocalGet(n), I32Const(3), I32And, LocalSet(k))
	countdown(f, k, func() {
		f.Do(LocalGet(dst), LocalGet(src), I32Load16U(0).Align(0))
		if name == "f16" {
			conv.scalar()
			f.Do(F32Store(0).Align(0))
		} else {
			f.Do(I32Const(16), I32Shl, I32Store(0).Align(0))
		}
		advance(f, src, 2)
		advance(f, dst, 4)
	})
	return f
}
