package kernels

// The kernel files dot-import the emitter: they read like WebAssembly
// text, one instruction per name, which is the point.
import (
	. "github.com/hearth-ai/hearth/kernels_wasm/wasm"
)

// Small emitting helpers shared by the kernels.

// countdown emits a loop that runs body k times, counting the i32 local k
// down to zero; k must not be negative. Nothing runs when k is zero.
func countdown(f *Func, k Local, body func()) {
	f.Do(LocalGet(k))
	f.If(func(Label) {
		f.Loop(func(top Label) {
			body()
			f.Do(LocalGet(k), I32Const(1), I32Sub, LocalTee(k), BrIf(top))
		})
	})
}

// advance emits p += delta for an i32 local.
func advance(f *Func, p Local, delta int32) {
	f.Do(LocalGet(p), I32Const(delta), I32Add, LocalSet(p))
}

// lanes32 is the i8x16.shuffle pattern that picks 32-bit lanes: indices
// 0–3 from the first operand, 4–7 from the second.
func lanes32(l0, l1, l2, l3 byte) [16]byte {
	var s [16]byte
	for i, l := range [4]byte{l0, l1, l2, l3} {
		for j := byte(0); j < 4; j++ {
			s[4*i+int(j)] = 4*l + j
		}
	}
	return s
}

// splatI32 pushes an i32x4 with v in every lane.
func splatI32(v uint32) Instr { return V128ConstI32x4(v, v, v, v) }

// sumLanesI32 emits the horizontal sum of the i32x4 in local v (which it
// overwrites) and pushes it as an i32.
func sumLanesI32(f *Func, v Local) {
	f.Do(
		LocalGet(v), LocalGet(v), LocalGet(v), I8x16Shuffle(lanes32(2, 3, 0, 1)), I32x4Add, LocalSet(v),
		LocalGet(v), LocalGet(v), LocalGet(v), I8x16Shuffle(lanes32(1, 0, 3, 2)), I32x4Add,
		I32x4ExtractLane(0),
	)
}

// sumEachI32 pushes the i32x4 [Σa, Σb, Σc, Σd] of the lane sums of four
// i32x4 locals, using p and q as scratch: pairs of lanes are added across
// two vectors at a time, like a transpose folded into the additions.
func sumEachI32(f *Func, a, b, c, d, p, q Local) {
	sumEachI32Paired(f, evenOddPairs, a, b, c, d, p, q)
}

// lanePairs is the first step of sumEachI32Paired: two shuffles of
// vectors x and y whose sum holds two of x's lanes added in lanes 0 and
// 2, two of y's in lanes 1 and 3.
type lanePairs struct{ first, second [16]byte }

var (
	evenOddPairs  = lanePairs{lanes32(0, 4, 2, 6), lanes32(1, 5, 3, 7)} // [x0+x1, y0+y1, x2+x3, y2+y3]
	unpackedPairs = lanePairs{lanes32(0, 4, 1, 5), lanes32(2, 6, 3, 7)} // [x0+x2, y0+y2, x1+x3, y1+y3]
)

// sumEachI32Paired pushes the i32x4 [Σa, Σb, Σc, Σd] of the lane sums of
// four i32x4 locals, adding pairs of lanes of a and b (into p) and of c
// and d (into q) as pairs says, then the halves of p and q.
func sumEachI32Paired(f *Func, pairs lanePairs, a, b, c, d, p, q Local) {
	add := func(x, y, into Local) {
		f.Do(
			LocalGet(x), LocalGet(y), I8x16Shuffle(pairs.first),
			LocalGet(x), LocalGet(y), I8x16Shuffle(pairs.second),
			I32x4Add, LocalSet(into),
		)
	}
	add(a, b, p)
	add(c, d, q)
	f.Do(
		LocalGet(p), LocalGet(q), I8x16Shuffle(lanes32(0, 1, 4, 5)),
		LocalGet(p), LocalGet(q), I8x16Shuffle(lanes32(2, 3, 6, 7)),
		I32x4Add,
	)
}
