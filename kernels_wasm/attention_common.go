package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The parts that attention (attention.go) and attention_f16
// (attention_f16.go) share: their parameters, the check of them, and the
// last step of the value sums.

// attentionParams are the parameters of attention and attention_f16.
type attentionParams struct {
	dst, q, k, v, n, pos0, heads, kvHeads, dk, dv, kStride, vStride, scale, scratch Local
}

// newAttentionFunc declares the attention kernel name with the parameters
// (dst, q, k, v, n, pos0, heads, kv_heads, dk, dv, k_stride, v_stride,
// scale f32, scratch) and returns it with them.
func newAttentionFunc(m *Module, name string) (*Func, attentionParams) {
	f := m.Func(name, []ValType{I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, I32, F32, I32})
	var p attentionParams
	for i, l := range []*Local{&p.dst, &p.q, &p.k, &p.v, &p.n, &p.pos0, &p.heads, &p.kvHeads, &p.dk, &p.dv, &p.kStride, &p.vStride, &p.scale, &p.scratch} {
		*l = f.Param(i)
	}
	return f, p
}

// returnUnlessValid emits a return unless n, heads, kv_heads, dk, dv > 0,
// pos0 ≥ 0 and kv_heads divides heads.
func (p attentionParams) returnUnlessValid(f *Func) {
	f.Do(
		LocalGet(p.n), I32Const(0), I32LeS,
		LocalGet(p.pos0), I32Const(0), I32LtS, I32Or,
		LocalGet(p.heads), I32Const(0), I32LeS, I32Or,
		LocalGet(p.kvHeads), I32Const(0), I32LeS, I32Or,
		LocalGet(p.dk), I32Const(0), I32LeS, I32Or,
		LocalGet(p.dv), I32Const(0), I32LeS, I32Or,
	)
	f.If(func(Label) { f.Do(Return) })
	f.Do(LocalGet(p.heads), LocalGet(p.kvHeads), I32RemU)
	f.If(func(Label) { f.Do(Return) })
}

// sumValueLanes emits the value sums' last step: the L lane rows of
// accumulators at accBase (dv floats each, rb bytes apart) summed for all
// dv outputs at once in the reference's order, (0+2)+(1+3) of its four
// 16-lane accumulators when L = 64, then Sum16, and stored at out. pr, po
// and cnt are i32 scratch, t v128 scratch.
func sumValueLanes(f *Func, L int32, accBase, out, dv, rb, pr, po, cnt Local, t [16]Local) {
	f.Do(LocalGet(accBase), LocalSet(pr), LocalGet(out), LocalSet(po))
	eachChunk(f, dv, cnt, []Local{pr, po}, func(c chunkOps) {
		lane := func(l int32) { // pushes lane l's accumulators
			f.Do(LocalGet(pr))
			if l > 0 {
				f.Do(LocalGet(rb), I32Const(l), I32Mul, I32Add)
			}
			f.Do(c.load)
		}
		for l := int32(0); l < 16; l++ {
			lane(l)
			if L == 64 { // (0+2) + (1+3)
				lane(32 + l)
				f.Do(F32x4Add)
				lane(16 + l)
				lane(48 + l)
				f.Do(F32x4Add, F32x4Add)
			}
			f.Do(LocalSet(t[l]))
		}
		// Sum16: 16 → 8 → 4 → 2 → 1, halves added lane-wise
		for i := range 8 {
			f.Do(LocalGet(t[i+8]), LocalGet(t[i]), F32x4Add, LocalSet(t[i]))
		}
		for i := range 4 {
			f.Do(LocalGet(t[i+4]), LocalGet(t[i]), F32x4Add, LocalSet(t[i]))
		}
		f.Do(
			LocalGet(po),
			LocalGet(t[0]), LocalGet(t[2]), F32x4Add,
			LocalGet(t[1]), LocalGet(t[3]), F32x4Add,
			F32x4Add, c.store,
		)
	})
}
