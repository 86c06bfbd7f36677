package kernels

import (
	"math"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The legacy GGML weight formats Q4_0, Q4_1, Q5_0, Q5_1 and Q8_0 hold 32
// elements a block, and quant.VecDot pairs each with 32-element activation
// blocks (Q8_0 or Q8_1). Per block pair it takes the exact integer sum
// sumi = Σ q_w[j]·q_x[j] and turns it into a float32 term with the block
// scales, in an order that depends on the format; the terms are added to a
// float32 total one block after another:
//
//	var sum float32
//	for each block pair { sum += term(sumi, d_w, d_x, m_w, s_x) }
//
// The kernels get the integer sums however SIMD likes (they are exact in
// any order): each weight block is decoded to four i16x8 vectors, the
// activation bytes are sign-extended as they are loaded, and
// i32x4.dot_i16x8_s multiplies and adds pairs. The float work is done
// lane-wise on four independent terms at a time (four blocks of one row,
// four rows of one token or four tokens of one row), each lane with exactly
// the scalar code's operations in its order, so the results are
// bit-identical to quant.VecDot.

const (
	blockElems = 32 // elements per block
	blockShift = 5  // log2(blockElems)
)

// actFormat is the layout of an activation block.
type actFormat struct {
	bytes  uint32 // bytes per block
	quants uint32 // offset of the 32 signed bytes
	sum    uint32 // offset of the F16 s = d·Σq (Q8_1); unused for Q8_0
}

// termOrder is how a block's integer sum and scales make its float32 term,
// as quant's dot functions write it (every operation rounds to float32).
type termOrder int

const (
	termSumDD   termOrder = iota // sumi·(d_w·d_x): Q8_0, Q5_0
	termSumDwDx                  // (sumi·d_w)·d_x: Q4_0
	termMin                      // (d_w·d_x)·sumi + m_w·s_x: Q4_1, Q5_1
)

// block32 describes one weight format: its layout, its activation partner
// and how to decode a block.
type block32 struct {
	name   string // GGML type name, as in the export names
	bytes  uint32 // bytes per block; the F16 scale d is at offset 0
	min    uint32 // offset of the F16 minimum m (termMin formats)
	act    actFormat
	order  termOrder
	decode func(d *blockDecoder, w Local, off uint32) // the block at w+off into d.w
	// direct, when not 0, is the offset of the block's 32 signed bytes
	// for a format whose levels are those bytes (Q8_0): the plain tile
	// then takes its integer sums with directTileSums.
	direct uint32
}

// nanF32 is what a bad length gives, as from quant.VecDot.
var nanF32 = float32(math.NaN())

// blockDecoder holds the scratch locals of block decoding inside one
// function. After decode, w holds the block's 32 values as i16x8 vectors of elements
// 0–7, 8–15, 16–23 and 24–31, matching activation bytes loaded with
// v128.load8x8_s at offsets 0, 8, 16 and 24.
type blockDecoder struct {
	f            *Func
	w            [4]Local
	v, lo, hi, m Local // v128 scratch
}

func newBlockDecoder(f *Func) *blockDecoder {
	d := &blockDecoder{f: f}
	for i := range d.w {
		d.w[i] = f.NewLocal(V128)
	}
	d.v, d.lo, d.hi, d.m = f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128), f.NewLocal(V128)
	return d
}

// splat8 pushes an i8x16 with v in every lane.
func splat8(v byte) Instr {
	var b [16]byte
	for i := range b {
		b[i] = v
	}
	return V128Const(b)
}

// loadSigned8 fills d.w straight from 32 signed bytes at w+off (Q8_0).
func (d *blockDecoder) loadSigned8(w Local, off uint32) {
	for k, wk := range d.w {
		d.f.Do(LocalGet(w), V128Load8x8S(off+8*uint32(k)).Align(0), LocalSet(wk))
	}
}

// nibbles loads the 16 bytes at w+off and leaves their low nibbles
// (elements 0–15) in d.lo and their high nibbles (elements 16–31) in d.hi,
// as bytes 0–15.
func (d *blockDecoder) nibbles(w Local, off uint32) {
	d.f.Do(
		LocalGet(w), V128Load(off).Align(0), LocalTee(d.v), splat8(0x0f), V128And, LocalSet(d.lo),
		LocalGet(d.v), I32Const(4), I16x8ShrU, splat8(0x0f), V128And, LocalSet(d.hi),
	)
}

// offset subtracts c from every byte of d.lo and d.hi.
func (d *blockDecoder) offset(c byte) {
	for _, v := range []Local{d.lo, d.hi} {
		d.f.Do(LocalGet(v), splat8(c), I8x16Sub, LocalSet(v))
	}
}

// bitMask8 has byte j = 1 << (j mod 8): with a 32-bit word's bytes spread
// eight to a lane group, it picks bit j of the word in byte j.
var bitMask8 = [16]byte{1, 2, 4, 8, 16, 32, 64, 128, 1, 2, 4, 8, 16, 32, 64, 128}

// fifthBits reads the 32-bit little-endian qh at w+off and, for each of
// d.lo (elements 0–15, qh bits 0–15) and d.hi (elements 16–31, bits
// 16–31), calls apply with d.m holding 0xff in the bytes whose bit is set
// and 0 elsewhere.
func (d *blockDecoder) fifthBits(w Local, off uint32, apply func(v Local)) {
	f := d.f
	f.Do(LocalGet(w), V128Load32Splat(off).Align(0), LocalSet(d.v))
	for half, v := range []Local{d.lo, d.hi} {
		var spread [16]byte // qh byte 2·half in lanes 0–7, byte 2·half+1 in 8–15
		for j := range spread {
			spread[j] = byte(2*half + j/8)
		}
		f.Do(
			LocalGet(d.v), LocalGet(d.v), I8x16Shuffle(spread),
			V128Const(bitMask8), V128And, V128Const(bitMask8), I8x16Eq, LocalSet(d.m),
		)
		apply(v)
	}
}

// widen sign-extends the bytes of d.lo and d.hi into d.w.
func (d *blockDecoder) widen() {
	d.f.Do(
		LocalGet(d.lo), I16x8ExtendLowI8x16S, LocalSet(d.w[0]),
		LocalGet(d.lo), I16x8ExtendHighI8x16S, LocalSet(d.w[1]),
		LocalGet(d.hi), I16x8ExtendLowI8x16S, LocalSet(d.w[2]),
		LocalGet(d.hi), I16x8ExtendHighI8x16S, LocalSet(d.w[3]),
	)
}

// blockSum pushes an i32x4 whose lanes add up to Σ w[j]·x[j], for the
// decoded block in d.w and the 32 signed activation bytes at x+off.
func (d *blockDecoder) blockSum(x Local, off uint32) {
	for k, wk := range d.w {
		d.f.Do(LocalGet(wk), LocalGet(x), V128Load8x8S(off+8*uint32(k)).Align(0), I32x4DotI16x8S)
		if k > 0 {
			d.f.Do(I32x4Add)
		}
	}
}

// blockSumWidened is blockSum with the activation block already widened
// into xs (as d.w is).
func (d *blockDecoder) blockSumWidened(xs [4]Local) {
	for k, wk := range d.w {
		d.f.Do(LocalGet(wk), LocalGet(xs[k]), I32x4DotI16x8S)
		if k > 0 {
			d.f.Do(I32x4Add)
		}
	}
}

// pushFn pushes one value.
type pushFn func()

// f32Arith is the multiply and add of either f32x4 lanes or scalar f32.
type f32Arith struct{ mul, add Instr }

var (
	lanesF32  = f32Arith{F32x4Mul, F32x4Add}
	scalarF32 = f32Arith{F32Mul, F32Add}
)

// term pushes the float32 term of a block from its converted integer sum
// and its scales, in the format's order.
func (b *block32) term(f *Func, a f32Arith, sum, dw, dx, mw, sx pushFn) {
	switch b.order {
	case termSumDD:
		sum()
		dw()
		dx()
		f.Do(a.mul, a.mul)
	case termSumDwDx:
		sum()
		dw()
		f.Do(a.mul)
		dx()
		f.Do(a.mul)
	case termMin:
		dw()
		dx()
		f.Do(a.mul)
		sum()
		f.Do(a.mul)
		mw()
		sx()
		f.Do(a.mul, a.add)
	}
}

// halves pushes the f32x4 of the four F16 values at ptrs[j]+offs[j].
func loadHalves(f *Func, conv *f16, ptrs [4]Local, offs [4]uint32) {
	f.Do(LocalGet(ptrs[0]), I32Load16U(offs[0]).Align(0), I32x4Splat)
	for j := 1; j < 4; j++ {
		if ptrs[j] == ptrs[0] && offs[j] == offs[0] {
			continue // the splat already holds it
		}
		f.Do(LocalGet(ptrs[j]), I32Load16U(offs[j]).Align(0), I32x4ReplaceLane(byte(j)))
	}
	conv.lanes()
}

// same4 is p four times; strided4 is off + j·stride for j < 4.
func same4(p Local) [4]Local { return [4]Local{p, p, p, p} }
func strided4(off, stride uint32) [4]uint32 {
	return [4]uint32{off, off + stride, off + 2*stride, off + 3*stride}
}

// rejectBadLength emits: if n < 0 or n is not a whole number of blocks,
// run onBad (which must end in a return).
func rejectBadLength(f *Func, n Local, onBad func()) {
	f.Do(
		LocalGet(n), I32Const(blockElems-1), I32And,
		LocalGet(n), I32Const(0), I32LtS, I32Or,
	)
	f.If(func(Label) { onBad() })
}

// register defines vec_dot_<name> and matmul_<name> with the plain
// build's integer sums and exports them.
func (b *block32) register(m *Module) {
	block32Build{block32: b}.register(m)
}

// registerBlock32 adds the kernels of the 32-element formats: the
// activation quantizers and the dot products and matmuls of each weight
// type.
func registerBlock32(m *Module) {
	registerQuantizeQ8(m)
	for _, b := range []*block32{&formatQ4_0, &formatQ4_1, &formatQ5_0, &formatQ5_1, &formatQ8_0} {
		b.register(m)
	}
}
