package kernels

import (
	"strings"

	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Dequantization, for embedding lookups (compute.Backend's GetRows):
//
//	dequantize_T(dst, src, n)
//	    the n elements of one row of type T at src as float32s at dst, bit
//	    for bit quant.Dequantize (every float32 operation of its formula in
//	    its order: the reference rounds each)
//	get_rows_T(dst, table, ids, n_ids, n)
//	    for i < n_ids: dequantize_T(dst + 4·i·n, table + ids[i]·rowBytes(T, n), n)
//	    with ids int32s; the ids are not checked (the table's size is not
//	    known here): the caller keeps them in range
//
// for T in f32, f16, bf16, q4_0, q4_1, q5_0, q5_1, q8_0, q2_k, q3_k, q4_k,
// q5_k, q6_k. Nothing is written when n is negative or not a whole number
// of T's blocks (32 elements, 256 for the k-quants), or n_ids ≤ 0.
//
// The quantized formats decode a block 16 elements at a time: the 16
// integer codes as bytes in one vector, widened to four f32x4, scaled.

// dequantFormat is one weight type's block decoder.
type dequantFormat struct {
	name         string
	elems, bytes int32                 // per block
	block        func(d *dequantBlock) // decodes the block at d.src into d.dst
}

// dequantBlock holds the scratch of block decoding inside one function.
type dequantBlock struct {
	f          *Func
	src, dst   Local
	q, t, u, v Local // v128
	d, m       Local // f32x4 splats of a block's factors
	x, y, w    Local // f32 scratch
	i          Local // i32 scratch
	half       *f16
}

func newDequantBlock(f *Func, src, dst Local) *dequantBlock {
	return &dequantBlock{
		f: f, src: src, dst: dst,
		q: f.NewLocal(V128), t: f.NewLocal(V128), u: f.NewLocal(V128), v: f.NewLocal(V128),
		d: f.NewLocal(V128), m: f.NewLocal(V128),
		x: f.NewLocal(F32), y: f.NewLocal(F32), w: f.NewLocal(F32), i: f.NewLocal(I32),
		half: newF16(f),
	}
}

// f16At pushes the float32 of the F16 at src+off.
func (d *dequantBlock) f16At(off uint32) {
	d.f.Do(LocalGet(d.src), I32Load16U(off).Align(0))
	d.half.scalar()
}

// store16 stores the 16 byte codes in q (signed or not) as float32s at
// dst+off, each f32x4 passed through scale (which pops and pushes one).
func (d *dequantBlock) store16(q Local, signed bool, off uint32, scale func()) {
	f := d.f
	lo, hi := I16x8ExtendLowI8x16U, I16x8ExtendHighI8x16U
	lo32, hi32 := I32x4ExtendLowI16x8U, I32x4ExtendHighI16x8U
	if signed {
		lo, hi = I16x8ExtendLowI8x16S, I16x8ExtendHighI8x16S
		lo32, hi32 = I32x4ExtendLowI16x8S, I32x4ExtendHighI16x8S
	}
	for k, w := range []Instr{lo, hi} {
		f.Do(LocalGet(q), w, LocalSet(d.v))
		for j, w32 := range []Instr{lo32, hi32} {
			f.Do(LocalGet(d.dst), LocalGet(d.v), w32, F32x4ConvertI32x4S)
			scale()
			f.Do(V128Store(off + uint32(32*k+16*j)).Align(0))
		}
	}
}

// mulD is scale for q·d; mulDAddM for (q·d) + m; mulDSubM for (q·d) − m.
func (d *dequantBlock) mulD()     { d.f.Do(LocalGet(d.d), F32x4Mul) }
func (d *dequantBlock) mulDAddM() { d.f.Do(LocalGet(d.d), F32x4Mul, LocalGet(d.m), F32x4Add) }
func (d *dequantBlock) mulDSubM() { d.f.Do(LocalGet(d.d), F32x4Mul, LocalGet(d.m), F32x4Sub) }

// nibbles loads the 16 bytes at src+off: low nibbles into lo, high into hi.
func (d *dequantBlock) nibbles(off uint32, lo, hi Local) {
	d.f.Do(
		LocalGet(d.src), V128Load(off).Align(0), LocalTee(hi), splat8(0x0f), V128And, LocalSet(lo),
		LocalGet(hi), I32Const(4), I8x16ShrU, LocalSet(hi),
	)
}

// fifthBit ORs 0x10 into the bytes of q whose bit is set in the 16 bits
// of the little-endian 32-bit qh at src+off from bit 16·part.
func (d *dequantBlock) fifthBit(off uint32, part int, q Local) {
	var spread [16]byte // qh byte 2·part in lanes 0–7, byte 2·part+1 in 8–15
	for j := range spread {
		spread[j] = byte(2*part + j/8)
	}
	d.f.Do(
		LocalGet(d.src), V128Load32Splat(off).Align(0), LocalTee(d.u), LocalGet(d.u), I8x16Shuffle(spread),
		V128Const(bitMask8), V128And, V128Const(bitMask8), I8x16Eq, splat8(0x10), V128And,
		LocalGet(q), V128Or, LocalSet(q),
	)
}

// The 32-element formats.
var dequantBlock32 = []dequantFormat{
	{"q4_0", 32, 18, func(d *dequantBlock) {
		d.f16At(0)
		d.f.Do(F32x4Splat, LocalSet(d.d))
		d.nibbles(2, d.q, d.t)
		for k, q := range []Local{d.q, d.t} {
			d.f.Do(LocalGet(q), splat8(8), I8x16Sub, LocalSet(q))
			d.store16(q, true, uint32(64*k), d.mulD)
		}
	}},
	{"q4_1", 32, 20, func(d *dequantBlock) {
		d.f16At(0)
		d.f.Do(F32x4Splat, LocalSet(d.d))
		d.f16At(2)
		d.f.Do(F32x4Splat, LocalSet(d.m))
		d.nibbles(4, d.q, d.t)
		d.store16(d.q, false, 0, d.mulDAddM)
		d.store16(d.t, false, 64, d.mulDAddM)
	}},
	{"q5_0", 32, 22, func(d *dequantBlock) {
		d.f16At(0)
		d.f.Do(F32x4Splat, LocalSet(d.d))
		d.nibbles(6, d.q, d.t)
		for k, q := range []Local{d.q, d.t} {
			d.fifthBit(2, k, q)
			d.f.Do(LocalGet(q), splat8(16), I8x16Sub, LocalSet(q))
			d.store16(q, true, uint32(64*k), d.mulD)
		}
	}},
	{"q5_1", 32, 24, func(d *dequantBlock) {
		d.f16At(0)
		d.f.Do(F32x4Splat, LocalSet(d.d))
		d.f16At(2)
		d.f.Do(F32x4Splat, LocalSet(d.m))
		d.nibbles(8, d.q, d.t)
		for k, q := range []Local{d.q, d.t} {
			d.fifthBit(4, k, q)
			d.store16(q, false, uint32(64*k), d.mulDAddM)
		}
	}},
	{"q8_0", 32, 34, func(d *dequantBlock) {
		d.f16At(0)
		d.f.Do(F32x4Splat, LocalSet(d.d))
		for k := range 2 {
			d.f.Do(LocalGet(d.src), V128Load(2+16*uint32(k)).Align(0), LocalSet(d.q))
			d.store16(d.q, true, uint32(64*k), d.mulD)
		}
	}},
}

// defineDequantize emits dequantize_T for a block format.
func defineDequantize(m *Module, q *dequantFormat) *Func {
	f := m.Func("dequantize_"+q.name, []ValType{I32, I32, I32})
	dst, src, n := f.Param(0), f.Param(1), f.Param(2)
	d := newDequantBlock(f, src, dst)
	f.Do(LocalGet(n), I32Const(q.elems-1), I32And, LocalGet(n), I32Const(0), I32LtS, I32Or)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(n), I32Const(q.elems), I32DivU, LocalSet(n))
	countdown(f, n, func() {
		q.block(d)
		advance(f, src, q.bytes)
		advance(f, dst, 4*q.elems)
	})
	return f
}

// defineGetRows emits get_rows_T(dst, table, ids, n_ids, n) over the
// type's dequantize_T.
func defineGetRows(m *Module, name string, elems, bytes int32, dequantize *Func) *Func {
	f := m.Func("get_rows_"+name, []ValType{I32, I32, I32, I32, I32})
	dst, table, ids, nIDs, n := f.Param(0), f.Param(1), f.Param(2), f.Param(3), f.Param(4)
	rowBytes := f.NewLocal(I32)
	f.Do(LocalGet(n), I32Const(elems-1), I32And, LocalGet(n), I32Const(0), I32LtS, I32Or)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(n), I32Const(elems), I32DivU, I32Const(bytes), I32Mul, LocalSet(rowBytes))
	f.Do(LocalGet(nIDs), I32Const(0), I32GtS)
	f.If(func(Label) {
		countdown(f, nIDs, func() {
			f.Do(
				LocalGet(dst),
				LocalGet(ids), I32Load(0).Align(0), LocalGet(rowBytes), I32Mul, LocalGet(table), I32Add,
				LocalGet(n), Call(dequantize),
				LocalGet(n), I32Const(2), I32Shl, LocalGet(dst), I32Add, LocalSet(dst),
			)
			advance(f, ids, 4)
		})
	})
	return f
}

// registerDequantize defines and exports dequantize_T and get_rows_T for
// every weight type.
func registerDequantize(m *Module) {
	for _, q := range dequantFloat {
		deq := q.define(m)
		m.ExportFunc(deq.Name(), deq)
		rows := defineGetRows(m, q.name, 1, q.bytes, deq)
		m.ExportFunc(rows.Name(), rows)
	}
	for _, list := range [][]dequantFormat{dequantBlock32, dequantK} {
		for i := range list {
			q := &list[i]
			deq := defineDequantize(m, q)
			m.ExportFunc(deq.Name(), deq)
			rows := defineGetRows(m, q.name, q.elems, q.bytes, deq)
			m.ExportFunc(rows.Name(), rows)
		}
	}
}

// DequantizeKernel and GetRowsKernel name the kernels of a weight type
// given by its GGML name ("q4_0", "Q6_K" …).
func DequantizeKernel(typeName string) string { return "dequantize_" + strings.ToLower(typeName) }

// GetRowsKernel names a weight type's get_rows kernel (see
// DequantizeKernel).
func GetRowsKernel(typeName string) string { return "get_rows_" + strings.ToLower(typeName) }
