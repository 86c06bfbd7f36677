package kernels

import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// The relaxed-SIMD row decoders of the k-quants (kquant_relaxed.go). Each
// embeds the plain row of its format for the block's factors, scales and
// minimums, and decodes a run's levels as unsigned bytes, permuted with
// kRunPermA/B (Q2_K: in natural order).

// Relaxed-SIMD decoding of the k-quants.
var (
	rkQ4K = &rkFormat{plain: q4KFormat, runs: 2,
		newRow: func(f *Func, s *kScratch) rkRow { return newRK4Row(f, s, q4KQs, -1) }}
	rkQ5K = &rkFormat{plain: q5KFormat, runs: 2,
		newRow: func(f *Func, s *kScratch) rkRow { return newRK4Row(f, s, q5KQs, q5KQh) }}
	rkQ6K = &rkFormat{plain: q6KFormat, runs: 4, offset: 32,
		newRow: func(f *Func, s *kScratch) rkRow { return newRK6Row(f, s) }}
	rkQ3K = &rkFormat{plain: q3KFormat, runs: 4, offset: 4, oneToken: true,
		newRow: func(f *Func, s *kScratch) rkRow { return newRK3Row(f, s) }}
	rkQ2K = &rkFormat{plain: q2KFormat, runs: 4, natural: true,
		newRow: func(f *Func, s *kScratch) rkRow { return newRK2Row(f, s) }}
)

// kPermutedRun emits a = the 32 bytes at p+off permuted by kRunPermA, b by
// kRunPermB.
func kPermutedRun(f *Func, s *kScratch, p Local, off uint32, a, b Local) {
	f.Do(LocalGet(p), V128Load(off).Align(0), LocalSet(s.v))
	f.Do(LocalGet(p), V128Load(off+16).Align(0), LocalSet(s.q))
	kRunAB(f, s.v, s.q, a, b)
}

// kPairs8 puts each byte l < 8 of a 16-byte vector beside byte l+8.
var kPairs8 = [16]byte{0, 8, 1, 9, 2, 10, 3, 11, 4, 12, 5, 13, 6, 14, 7, 15}

// kRunAB emits a, b = the run whose bytes 0–15 are in v0 and 16–31 in v1,
// permuted by kRunPermA and kRunPermB (v0 and v1 are overwritten). Done as
// one single-input byte shuffle of each half (pairs l, l+8) and the
// interleave of their 16-bit units (l, l+8 then l+16, l+24), which x86
// has single instructions for (pshufb, punpcklwd, punpckhwd). V8 makes a
// general two-input byte shuffle of several; with kRunPermA and kRunPermB
// as such, the shuffles took as long as the rest of the kernel (Node 20).
func kRunAB(f *Func, v0, v1, a, b Local) {
	for _, v := range []Local{v0, v1} {
		f.Do(LocalGet(v), LocalGet(v), I8x16Shuffle(kPairs8), LocalSet(v))
	}
	f.Do(
		LocalGet(v0), LocalGet(v1), I8x16Shuffle([16]byte{0, 1, 16, 17, 2, 3, 18, 19, 4, 5, 20, 21, 6, 7, 22, 23}), LocalSet(a),
		LocalGet(v0), LocalGet(v1), I8x16Shuffle([16]byte{8, 9, 24, 25, 10, 11, 26, 27, 12, 13, 28, 29, 14, 15, 30, 31}), LocalSet(b),
	)
}

// kSplat32 emits into = 32-bit lane l of v in every lane (for the i16
// scale pairs of groups 2l, 2l+1).
func kSplat32(f *Func, v Local, l int, into Local) {
	b := byte(l)
	f.Do(LocalGet(v), LocalGet(v), I8x16Shuffle(lanes32(b, b, b, b)), LocalSet(into))
}

// rk4Row decodes Q4_K rows, and Q5_K rows when qh ≥ 0. Iteration k holds
// runs 2k (the low nibbles of its 32 level bytes) and 2k+1 (the high
// ones), whose scales the plain row keeps splatted in sc.
type rk4Row struct {
	*k4Row       // with no fifth bits of its own
	qh     int32 // Q5_K: offset of the fifth bits; −1 for Q4_K
	pa, pb Local // the iteration's level bytes, permuted
	ha, hb Local // Q5_K: the fifth bits, permuted, shifted to the iteration's
	a, b   Local // the run's levels
}

func newRK4Row(f *Func, s *kScratch, qs, qh int32) *rk4Row {
	r := &rk4Row{k4Row: newK4Row(f, s, qs, -1), qh: qh,
		pa: f.NewLocal(V128), pb: f.NewLocal(V128), a: f.NewLocal(V128), b: f.NewLocal(V128)}
	if qh >= 0 {
		r.ha, r.hb = f.NewLocal(V128), f.NewLocal(V128)
	}
	return r
}

func (r *rk4Row) begin(p Local) {
	r.k4Row.begin(p)
	if r.qh >= 0 {
		kPermutedRun(r.f, r.s, p, uint32(r.qh), r.ha, r.hb)
	}
}

// run c is the low (c = 0) or high (c = 1) nibbles, with bit c of the
// shifted fifth bits as bit 4.
func (r *rk4Row) run(c int) rkRun {
	f := r.f
	if c == 0 {
		kPermutedRun(f, r.s, r.wq, 0, r.pa, r.pb)
	}
	for _, v := range [][2]Local{{r.pa, r.a}, {r.pb, r.b}} {
		kShiftBits(f, v[0], -4*c, 0x0f)
		if r.qh >= 0 {
			h := r.ha
			if v[0] == r.pb {
				h = r.hb
			}
			kShiftBits(f, h, 4-c, 0x10)
			f.Do(V128Or)
		}
		f.Do(LocalSet(v[1]))
	}
	return rkRun{a: r.a, b: r.b, sa: r.sc[c], sb: r.sc[c]}
}

func (r *rk4Row) next() {
	r.k4Row.next()
	if r.qh >= 0 {
		for _, h := range []Local{r.ha, r.hb} {
			r.f.Do(LocalGet(h), I32Const(2), I16x8ShrU, LocalSet(h))
		}
	}
}

// rk6Row decodes Q6_K rows: iteration h holds runs s < 4, the low nibbles
// (s < 2) or high nibbles (s ≥ 2) of ql[64h+32·(s%2)…] and bits 2s, 2s+1
// of qh[32h…].
type rk6Row struct {
	*k6Row
	la, lb [2]Local // the iteration's ql bytes for even and odd runs, permuted
	ha, hb Local    // its qh bytes, permuted
	a, b   Local
	sc     Local // the run's two group scales, alternating
}

func newRK6Row(f *Func, s *kScratch) *rk6Row {
	v := func() Local { return f.NewLocal(V128) }
	base := q6KFormat.newRow(f, s).(*k6Row)
	return &rk6Row{k6Row: base, la: [2]Local{v(), v()}, lb: [2]Local{v(), v()},
		ha: v(), hb: v(), a: v(), b: v(), sc: v()}
}

func (r *rk6Row) run(s int) rkRun {
	f := r.f
	if s == 0 {
		kPermutedRun(f, r.s, r.ql, 0, r.la[0], r.lb[0])
		kPermutedRun(f, r.s, r.ql, 32, r.la[1], r.lb[1])
		kPermutedRun(f, r.s, r.qh, 0, r.ha, r.hb)
	}
	for _, v := range [][3]Local{{r.la[s%2], r.ha, r.a}, {r.lb[s%2], r.hb, r.b}} {
		kShiftBits(f, v[0], -4*(s/2), 0x0f)
		kShiftBits(f, v[1], 4-2*s, 0x30)
		f.Do(V128Or, LocalSet(v[2]))
	}
	kSplat32(f, r.k6Row.sc[0], s, r.sc)
	return rkRun{a: r.a, b: r.b, sa: r.sc, sb: r.sc}
}

// rk3Row decodes Q3_K rows: iteration h holds runs s < 4, bits 2s, 2s+1 of
// qs[32h…] and bit 4h+s of hmask.
type rk3Row struct {
	*k3Row
	qa, qb Local // the iteration's low bits, permuted
	ha, hb Local // the third bits, permuted, shifted to the iteration's
	a, b   Local
	sc     Local
}

func newRK3Row(f *Func, s *kScratch) *rk3Row {
	v := func() Local { return f.NewLocal(V128) }
	base := q3KFormat.newRow(f, s).(*k3Row)
	return &rk3Row{k3Row: base, qa: v(), qb: v(), ha: v(), hb: v(), a: v(), b: v(), sc: v()}
}

func (r *rk3Row) begin(p Local) {
	r.beginScales(p)
	kPermutedRun(r.f, r.s, p, 0, r.ha, r.hb)
}

func (r *rk3Row) run(s int) rkRun {
	f := r.f
	if s == 0 {
		kPermutedRun(f, r.s, r.qs, 0, r.qa, r.qb)
	}
	for _, v := range [][3]Local{{r.qa, r.ha, r.a}, {r.qb, r.hb, r.b}} {
		kShiftBits(f, v[0], -2*s, 0x03)
		kShiftBits(f, v[1], 2-s, 0x04)
		f.Do(V128Or, LocalSet(v[2]))
	}
	kSplat32(f, r.k3Row.sc[0], s, r.sc)
	return rkRun{a: r.a, b: r.b, sa: r.sc, sb: r.sc}
}

func (r *rk3Row) next() {
	f := r.f
	advance(f, r.qs, 32)
	f.Do(LocalGet(r.k3Row.sc[1]), LocalSet(r.k3Row.sc[0]))
	for _, h := range []Local{r.ha, r.hb} {
		f.Do(LocalGet(h), I32Const(4), I16x8ShrU, LocalSet(h))
	}
}

// rk2Row decodes Q2_K rows in natural order: run s of iteration h is bits
// 2s, 2s+1 of qs[32h…], groups 2s (bytes 0–15) and 2s+1 (16–31).
type rk2Row struct {
	*k2Row
	v0, v1 Local // the iteration's level bytes
	a, b   Local
	sa, sb Local
}

func newRK2Row(f *Func, s *kScratch) *rk2Row {
	v := func() Local { return f.NewLocal(V128) }
	base := q2KFormat.newRow(f, s).(*k2Row)
	return &rk2Row{k2Row: base, v0: v(), v1: v(), a: v(), b: v(), sa: v(), sb: v()}
}

func (r *rk2Row) run(s int) rkRun {
	f := r.f
	if s == 0 {
		f.Do(LocalGet(r.qs), V128Load(0).Align(0), LocalSet(r.v0), LocalGet(r.qs), V128Load(16).Align(0), LocalSet(r.v1))
	}
	for _, v := range [][2]Local{{r.v0, r.a}, {r.v1, r.b}} {
		kShiftBits(f, v[0], -2*s, 0x03)
		f.Do(LocalSet(v[1]))
	}
	kSplat16(f, r.k2Row.sc[0], 2*s)
	f.Do(LocalSet(r.sa))
	kSplat16(f, r.k2Row.sc[0], 2*s+1)
	f.Do(LocalSet(r.sb))
	return rkRun{a: r.a, b: r.b, sa: r.sa, sb: r.sb}
}
