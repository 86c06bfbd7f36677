package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The relaxed-SIMD build of the 32-element formats (Options.Relaxed).
// i16x8.relaxed_dot_i8x16_i7x16_s(a, b) multiplies 16 signed bytes a by
// 16 bytes b and adds neighbouring products into i16 lanes; it is exact
// and deterministic when every byte of b is in 0…127. So the weights go in
// as b, as their unsigned levels (Q4: 0…15, Q5: 0…31), and the activation
// bytes, any int8, as a. The pair sums of a block's two halves add up in
// i16 (each lane then a sum of four products, at most 4·128·31 in size)
// and i32x4.extadd_pairwise_i16x8_s turns them into four i32 lanes. Where
// the format subtracts an offset o from every level (Q4_0: 8, Q5_0: 16),
// Σ (q−o)·x = Σ q·x − o·Σ x: o·x comes in the same pairs from the same
// instruction with b = o in every byte, once per activation block (shared
// by the rows that use it), and is subtracted in i16 (each lane then a sum
// of four (q−o)·x, at most 4·16·128 in size). The integer sums are the
// plain build's exactly, and the float work after them is the plain
// kernels' own, so the results are bit-identical to quant.VecDot as
// before.
//
// A block costs two relaxed dots, an i16 add (and subtract) and one
// extadd per (row, token), instead of widening both sides to i16 and four
// i32x4.dot_i16x8_s. i32x4.relaxed_dot_i8x16_i7x16_add_s would fold the
// extadd and the accumulation into one instruction, but V8 11.3 (Node 20)
// miscompiles it in its baseline compiler (the result is twice the
// products, the accumulator ignored), and its usual x86 lowering is the
// same pmaddubsw, pmaddwd, paddd anyway; no kernel uses it.
//
// Q8_0 weights keep the plain kernels: their levels are full int8 on both
// sides, and a b byte of −128…−1 would give an engine-defined result (x86
// reads it as unsigned), so no relaxed dot is deterministic for them.

// relaxedBlock32 is a 32-element format's relaxed-SIMD decoding.
type relaxedBlock32 struct {
	*block32
	offset byte // subtracted from every level; 0 for the formats with a minimum
	// levels leaves the block at w+off's 32 unsigned levels in d.lo
	// (elements 0–15) and d.hi (16–31), one byte each.
	levels func(d *blockDecoder, w Local, off uint32)
}

var (
	relaxedQ4_0 = relaxedBlock32{block32: &formatQ4_0, offset: 8, levels: func(d *blockDecoder, w Local, off uint32) {
		d.nibbles(w, off+2)
	}}
	relaxedQ4_1 = relaxedBlock32{block32: &formatQ4_1, levels: func(d *blockDecoder, w Local, off uint32) {
		d.nibbles(w, off+4)
	}}
	relaxedQ5_0 = relaxedBlock32{block32: &formatQ5_0, offset: 16, levels: func(d *blockDecoder, w Local, off uint32) {
		d.nibbles(w, off+6)
		d.fifthBits(w, off+2, d.setFifthBit)
	}}
	relaxedQ5_1 = relaxedBlock32{block32: &formatQ5_1, levels: func(d *blockDecoder, w Local, off uint32) {
		d.nibbles(w, off+8)
		d.fifthBits(w, off+4, d.setFifthBit)
	}}
)

// setFifthBit sets bit 4 of v's bytes where d.m is set (fifthBits).
func (d *blockDecoder) setFifthBit(v Local) {
	d.f.Do(LocalGet(v), LocalGet(d.m), splat8(16), V128And, V128Or, LocalSet(v))
}

// relaxedPairs pushes the i16x8 of pair sums of lo·x[0:16] plus those
// of hi·x[16:32], for the 32 activation bytes at x+off and the 16-byte
// vectors lo and hi push: two relaxed dots and an add.
func relaxedPairs(f *Func, lo, hi func(), x Local, off uint32) {
	f.Do(LocalGet(x), V128Load(off).Align(0))
	lo()
	f.Do(I16x8RelaxedDotI8x16I7x16S, LocalGet(x), V128Load(off+16).Align(0))
	hi()
	f.Do(I16x8RelaxedDotI8x16I7x16S, I16x8Add)
}

// offsetTerm sets c to the i16x8 pair sums of offset·x over the 32
// activation bytes at x+off. Only for formats with an offset.
func (b *relaxedBlock32) offsetTerm(f *Func, x Local, off uint32, c Local) {
	o := func() { f.Do(splat8(b.offset)) }
	relaxedPairs(f, o, o, x, off)
	f.Do(LocalSet(c))
}

// blockSum pushes an i32x4 whose lanes add up to the block's integer sum
// Σ (q−offset)·x, for the levels in d.lo, d.hi, the activation block's
// bytes at x+off and, for a format with an offset, its offsetTerm in c.
func (b *relaxedBlock32) blockSum(d *blockDecoder, x Local, off uint32, c Local) {
	relaxedPairs(d.f, get(d.f, d.lo), get(d.f, d.hi), x, off)
	if b.offset != 0 {
		d.f.Do(LocalGet(c), I16x8Sub)
	}
	d.f.Do(I32x4ExtaddPairwiseI16x8S)
}

// register defines vec_dot_<name> and matmul_<name> with relaxed dots and
// exports them.
func (b *relaxedBlock32) register(m *Module) {
	block32Build{block32: b.block32, relaxed: b}.register(m)
}

// sumEachI32Unpacked pushes the i32x4 [Σa, Σb, Σc, Σd] as sumEachI32
// does, with the lane patterns x86 has single instructions for
// (punpckldq/punpckhdq, movlhps/movhlps): sumEachI32's interleave of
// even and odd lanes costs V8 twice as much (measured under Node 20).
// The relaxed kernels use it; the plain ones keep theirs so that
// kernels.wasm stays as it is. p and q are scratch.
func sumEachI32Unpacked(f *Func, a, b, c, d, p, q Local) {
	sumEachI32Paired(f, unpackedPairs, a, b, c, d, p, q)
}
