package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// vec_dot_T and matmul_T for the float weight types F32, F16 and BF16,
// whose activations are of the same type (quant.VecDotType).
//
// quant.VecDot rounds each product to float32 and sums the products in
// float64, rounding once at the end. These kernels compute the same
// float32 products (a product of two halves or bfloat16s is exact in
// float32) but sum them in float32: element i goes to lane i mod 4 of an
// f32x4, added in order, for i < 4·⌊n/4⌋; the lanes are then added as
// (l0 + l2) + (l1 + l3), and the last n mod 4 products one after another.
// Every tile follows that order, so matmul_T and vec_dot_T agree bit for
// bit, whatever the tiling. Against quant.VecDot, for finite results
// without overflow,
//
//	|vec_dot_T − quant.VecDot| ≤ (⌊n/4⌋ + 6)·2⁻²⁴·Σ|w_i·x_i|
//
// (⌊n/4⌋ + 5 float32 roundings in a row at most, and quant's own final
// rounding). An infinite or NaN product gives an infinite or NaN result,
// as in quant (both agree when they are NaN; an infinity can become a NaN
// where quant's float64 sum would have overflowed differently, which
// float32 data cannot do).

// Names of the float kernels.
const (
	VecDotF32  = "vec_dot_f32"
	MatmulF32  = "matmul_f32"
	VecDotF16  = "vec_dot_f16"
	MatmulF16  = "matmul_f16"
	VecDotBF16 = "vec_dot_bf16"
	MatmulBF16 = "matmul_bf16"
)

// floatFormat describes a float weight (and activation) type.
type floatFormat struct {
	name      string
	elemBytes int32 // 4 or 2
	// widen pushes elements 4h … 4h+3 of the eight 16-bit values in v as
	// an f32x4 (2-byte types); s is v128 scratch.
	widen func(f *Func, v, s Local, h int)
	// scalar pops an i32 address and pushes the float32 of its element.
	scalar func(f *Func, c *f16)
}

var (
	f32Format = &floatFormat{
		name: "f32", elemBytes: 4,
		scalar: func(f *Func, _ *f16) { f.Do(F32Load(0).Align(0)) },
	}
	f16Format = &floatFormat{
		name: "f16", elemBytes: 2, widen: widenHalves,
		scalar: func(f *Func, c *f16) { f.Do(I32Load16U(0).Align(0)); c.scalar() },
	}
	bf16Format = &floatFormat{
		name: "bf16", elemBytes: 2, widen: widenBF16,
		scalar: func(f *Func, _ *f16) { f.Do(I32Load16U(0).Align(0), I32Const(16), I32Shl, F32ReinterpretI32) },
	}
)

// topHalves is the shuffle (zero vector first) that puts 16-bit value
// 4h+i of the second operand in the top half of lane i.
func topHalves(h int) [16]byte {
	var s [16]byte
	for i := range 4 {
		b := byte(16 + 8*h + 2*i)
		s[4*i+2], s[4*i+3] = b, b+1
	}
	return s
}

// widenBF16: a bfloat16 is the top half of its float32.
func widenBF16(f *Func, v, _ Local, h int) {
	f.Do(V128Const([16]byte{}), LocalGet(v), I8x16Shuffle(topHalves(h)))
}

// widenHalves converts four IEEE halves exactly (quant.F16ToF32, up to NaN
// payloads): with the half in the top of a lane, an arithmetic shift by 3
// and a mask leave sign | exponent·2²³ | mantissa·2¹³, the float32 whose
// value is the half's times 2⁻¹¹² (subnormal halves included); multiplying
// by 2¹¹² gives the value. Exponent 31 (infinity, NaN) gets the float32
// exponent 255 instead.
func widenHalves(f *Func, v, s Local, h int) {
	f.Do(
		V128Const([16]byte{}), LocalGet(v), I8x16Shuffle(topHalves(h)), LocalTee(s),
		I32Const(3), I32x4ShrS, splatI32(0x8fffe000), V128And, LocalTee(s),
		splatI32(0x70000000), V128Or,
		LocalGet(s), V128ConstF32x4(0x1p112, 0x1p112, 0x1p112, 0x1p112), F32x4Mul,
		LocalGet(s), splatI32(0x0f800000), V128And, splatI32(0x0f800000), I32x4Eq,
		V128Bitselect,
	)
}

// floatTile emits the dot products of r weight rows with t activation
// rows, n elements each.
type floatTile struct {
	f      *Func
	q      *floatFormat
	r, t   int
	wp, xp []Local
	acc    [][]Local // f32x4 per pair
	sum    [][]Local // f32 per pair, after the lanes
	wv     [][2]Local
	xv     [2]Local
	v, s   Local
	half   *f16
}

func newFloatTile(f *Func, q *floatFormat, r, t int, wp, xp []Local) *floatTile {
	k := &floatTile{f: f, q: q, r: r, t: t, wp: wp, xp: xp,
		v: f.NewLocal(V128), s: f.NewLocal(V128), half: newF16(f)}
	k.acc = make([][]Local, r)
	k.sum = make([][]Local, r)
	k.wv = make([][2]Local, r)
	for i := range r {
		k.acc[i] = make([]Local, t)
		k.sum[i] = make([]Local, t)
		for j := range t {
			k.acc[i][j], k.sum[i][j] = f.NewLocal(V128), f.NewLocal(F32)
		}
		k.wv[i] = [2]Local{f.NewLocal(V128), f.NewLocal(V128)}
	}
	k.xv = [2]Local{f.NewLocal(V128), f.NewLocal(V128)}
	return k
}

// load emits out[0..halves) = the next 4·halves elements at p as f32x4.
func (k *floatTile) load(p Local, halves int, out [2]Local) {
	f := k.f
	if k.q.elemBytes == 4 {
		for h := range halves {
			f.Do(LocalGet(p), V128Load(uint32(16*h)).Align(0), LocalSet(out[h]))
		}
		return
	}
	if halves == 2 {
		f.Do(LocalGet(p), V128Load(0).Align(0), LocalSet(k.v))
	} else {
		f.Do(LocalGet(p), V128Load64Zero(0).Align(0), LocalSet(k.v))
	}
	for h := range halves {
		k.q.widen(f, k.v, k.s, h)
		f.Do(LocalSet(out[h]))
	}
}

// step emits 4·halves elements for every pair and advances the pointers.
func (k *floatTile) step(halves int) {
	f := k.f
	for i := range k.r {
		k.load(k.wp[i], halves, k.wv[i])
	}
	for j := range k.t {
		k.load(k.xp[j], halves, k.xv)
		for i := range k.r {
			for h := range halves {
				f.Do(LocalGet(k.acc[i][j]), LocalGet(k.wv[i][h]), LocalGet(k.xv[h]), F32x4Mul, F32x4Add, LocalSet(k.acc[i][j]))
			}
		}
	}
	bytes := int32(halves) * 4 * k.q.elemBytes
	for _, p := range k.wp {
		advance(f, p, bytes)
	}
	for _, p := range k.xp {
		advance(f, p, bytes)
	}
}

// run emits the whole tile over n elements (n ≥ 0; n is consumed).
func (k *floatTile) run(n Local) {
	f := k.f
	for i := range k.r {
		for j := range k.t {
			f.Do(V128Const([16]byte{}), LocalSet(k.acc[i][j]))
		}
	}
	steps := f.NewLocal(I32)
	f.Do(LocalGet(n), I32Const(3), I32ShrU, LocalSet(steps))
	countdown(f, steps, func() { k.step(2) })
	f.Do(LocalGet(n), I32Const(4), I32And)
	f.If(func(Label) { k.step(1) })
	// (l0 + l2) + (l1 + l3)
	for i := range k.r {
		for j := range k.t {
			a := k.acc[i][j]
			f.Do(
				LocalGet(a), LocalGet(a), LocalGet(a), I8x16Shuffle(lanes32(2, 3, 0, 1)), F32x4Add, LocalSet(a),
				LocalGet(a), LocalGet(a), I8x16Shuffle(lanes32(1, 0, 3, 2)), LocalGet(a), F32x4Add,
				F32x4ExtractLane(0), LocalSet(k.sum[i][j]),
			)
		}
	}
	// the last n mod 4 products, in order
	f.Do(LocalGet(n), I32Const(3), I32And, LocalSet(n))
	countdown(f, n, func() {
		for i := range k.r {
			for j := range k.t {
				f.Do(LocalGet(k.sum[i][j]), LocalGet(k.wp[i]))
				k.q.scalar(f, k.half)
				f.Do(LocalGet(k.xp[j]))
				k.q.scalar(f, k.half)
				f.Do(F32Mul, F32Add, LocalSet(k.sum[i][j]))
			}
		}
		for _, p := range k.wp {
			advance(f, p, k.q.elemBytes)
		}
		for _, p := range k.xp {
			advance(f, p, k.q.elemBytes)
		}
	})
}

func (k *floatTile) result(i, j int) { k.f.Do(LocalGet(k.sum[i][j])) }

// defineFloatVecDot emits vec_dot_T(w, x, n) f32: NaN for n < 0, as
// quant.VecDot.
func defineFloatVecDot(m *Module, q *floatFormat) *Func {
	f := m.Func("vec_dot_"+q.name, []ValType{I32, I32, I32}, F32)
	w, x, n := f.Param(0), f.Param(1), f.Param(2)
	f.Do(LocalGet(n), I32Const(0), I32LtS)
	f.If(func(Label) { f.Do(F32Const(kNaN), Return) })
	k := newFloatTile(f, q, 1, 1, []Local{w}, []Local{x})
	k.run(n)
	k.result(0, 0)
	return f
}

// defineFloatTileFunc emits an internal tile function (tileParams) of r
// rows and t tokens for float format q.
func defineFloatTileFunc(m *Module, q *floatFormat, r, t int) *Func {
	return defineTileFuncOver(m, q.name, r, t, func(f *Func, wp, xp []Local) dotTile {
		return newFloatTile(f, q, r, t, wp, xp)
	})
}

func registerFloat(m *Module, q *floatFormat) {
	m.ExportFunc("vec_dot_"+q.name, defineFloatVecDot(m, q))
	m.ExportFunc("matmul_"+q.name, defineTiledMatmul(m, matmulLayout{
		name: q.name, blockElems: 1, blockShift: 0, wBlock: q.elemBytes, xBlock: q.elemBytes,
		tileFunc: func(r, t int) *Func { return defineFloatTileFunc(m, q, r, t) },
	}))
}

func registerFloats(m *Module) {
	registerConverters(m)
	for _, q := range []*floatFormat{f32Format, f16Format, bf16Format} {
		registerFloat(m, q)
	}
}
