package kernels

import (
	"bytes"
	"encoding/binary"
	"math"
	"slices"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The relaxed-SIMD build under Node (wazero has no relaxed SIMD): every
// quantized vec_dot and matmul, on quantized rows, random bytes and rows
// whose products are all near their extremes, at ragged sizes and
// unaligned addresses, bit for bit quant.VecDot, every other byte of
// memory untouched; and the same memory, byte for byte, as the plain
// build leaves under the same engine.

// quantTypes are the weight types with integer dot products.
var quantTypes = []struct {
	t    dtype.Type
	name string
}{
	{dtype.Q4_0, "q4_0"}, {dtype.Q4_1, "q4_1"}, {dtype.Q5_0, "q5_0"}, {dtype.Q5_1, "q5_1"}, {dtype.Q8_0, "q8_0"},
	{dtype.Q2_K, "q2_k"}, {dtype.Q3_K, "q3_k"}, {dtype.Q4_K, "q4_k"}, {dtype.Q5_K, "q5_k"}, {dtype.Q6_K, "q6_k"},
}

// testRows returns count rows of n elements of type t (makeRows, with
// kExtremeRow for the extreme k-quant and Q8_K rows).
func testRows(tb testing.TB, e *kernelEnv, t dtype.Type, n, count int, kind dataKind) []byte {
	if kind != extreme || (t.BlockSize() != qkK && t != dtype.Q8_K) {
		return makeRows(tb, e, t, count, n, kind, 1+float64(e.rand.IntN(3))/10)
	}
	var b []byte
	for range count {
		b = append(b, kExtremeRow(e, t, n)...)
	}
	return b
}

// kFactorOffsets are where a k-quant block's F16 factors are.
var kFactorOffsets = map[dtype.Type][]int{
	dtype.Q2_K: {80, 82}, dtype.Q3_K: {108}, dtype.Q4_K: {0, 2}, dtype.Q5_K: {0, 2}, dtype.Q6_K: {208},
}

// kExtremeRow is a k-quant (or Q8_K) row of random bytes whose level bytes
// are mostly all ones or all zeros (the largest and smallest levels,
// every scale and minimum at its extreme too) and whose factors are
// finite; Q8_K rows get activations of −128 and 127 and a finite scale.
func kExtremeRow(e *kernelEnv, t dtype.Type, n int) []byte {
	bs := t.TypeSize()
	b := randomBlockBytes(e, n/qkK*bs)
	for blk := 0; blk < len(b); blk += bs {
		q := b[blk : blk+bs]
		if t == dtype.Q8_K {
			for i := q8KQuants; i < q8KBsums; i++ {
				q[i] = []byte{0x80, 0x80, 0x81, 0x7f}[e.rand.IntN(4)]
			}
			binary.LittleEndian.PutUint32(q, math.Float32bits(float32(0.001+e.rand.Float64())))
			continue
		}
		for i := range q {
			if e.rand.IntN(4) > 0 {
				q[i] = []byte{0x00, 0xff}[e.rand.IntN(2)]
			}
		}
		for _, off := range kFactorOffsets[t] {
			q[off+1] &^= 0x40 // exponent ≤ 15: finite
		}
	}
	return b
}

// addQuantCases adds, for weight type t, vec_dot and matmul calls over
// awkward sizes and addresses to r.
func addQuantCases(tb testing.TB, r *nodeRun, t dtype.Type, name string) {
	e := r.gen
	xt := quant.VecDotType(t)
	bsz := t.BlockSize()
	kquant := bsz == qkK
	blocks := []int{0, 1, 2, 3, 4, 5, 7, 9}
	if kquant {
		blocks = []int{0, 1, 2, 3}
	}
	misaligns := [][3]uint32{{0, 0, 0}, {1, 2, 3}, {3, 7, 1}, {2, 15, 2}, {15, 1, 0}}
	for _, kind := range []dataKind{quantized, rawAnything, extreme} {
		for i, nb := range blocks {
			n := nb * bsz
			mis := misaligns[i%len(misaligns)]
			w, x := testRows(tb, e, t, n, 1, kind), testRows(tb, e, xt, n, 1, kind)
			r.vecDot(tb, name, r.place(tb, w, mis[0]), r.place(tb, x, mis[1]), n, quant.VecDot(t, n, w, x))
		}
	}
	// Lengths that are not whole blocks: NaN, as from quant.VecDot.
	for _, n := range []int{bsz + 1, -bsz} {
		w, x := testRows(tb, e, t, bsz, 1, rawAnything), testRows(tb, e, xt, bsz, 1, rawAnything)
		r.vecDot(tb, name, r.place(tb, w, 0), r.place(tb, x, 0), n, float32(math.NaN()))
	}

	// Matmuls: rows [row0, row1) of a matrix with extra rows after them,
	// tokens chosen to go through every tile width, dst rows with spare
	// floats between them.
	type mm struct{ nb, row0, row1, tokens, extraRows, extraStride int }
	cases := []mm{
		{3, 0, 1, 1, 0, 0}, {2, 0, 4, 1, 1, 3}, {5, 1, 8, 1, 0, 1}, {3, 2, 11, 2, 2, 0},
		{4, 0, 5, 3, 0, 2}, {2, 0, 4, 4, 1, 0}, {3, 1, 10, 5, 0, 5}, {1, 0, 6, 7, 3, 1}, {2, 3, 7, 9, 0, 0},
	}
	if kquant {
		cases = []mm{
			{1, 0, 4, 1, 0, 0}, {2, 1, 6, 2, 1, 3}, {1, 0, 9, 8, 0, 1}, {3, 2, 3, 9, 2, 0},
			{2, 0, 5, 13, 0, 2}, {1, 3, 11, 17, 1, 0},
		}
	}
	for i, c := range cases {
		n := c.nb * bsz
		kind := []dataKind{quantized, rawAnything, extreme}[i%3]
		mis := misaligns[i%len(misaligns)]
		wRow, xRow := n/bsz*t.TypeSize(), n/xt.BlockSize()*xt.TypeSize()
		w := testRows(tb, e, t, n, c.row1+c.extraRows, kind)
		x := testRows(tb, e, xt, n, c.tokens, kind)
		stride := c.row1 + c.extraStride
		pw, px := r.place(tb, w, mis[0]), r.place(tb, x, mis[1])
		pd := r.alloc(tb, 4*stride*c.tokens, mis[2])
		r.matmul(tb, name, pd, pw, px, n, c.row0, c.row1, c.tokens, stride, func(tok, row int) float32 {
			return quant.VecDot(t, n, w[row*wRow:(row+1)*wRow], x[tok*xRow:(tok+1)*xRow])
		})
	}
	// A bad length writes NaN to every output.
	w, x := testRows(tb, e, t, bsz, 6, rawAnything), testRows(tb, e, xt, bsz, 5, rawAnything)
	pd := r.alloc(tb, 4*6*5, 1)
	r.matmul(tb, name, pd, r.place(tb, w, 0), r.place(tb, x, 0), bsz+2, 1, 6, 5, 6, func(int, int) float32 {
		return float32(math.NaN())
	})
}

// buildFor builds the kernel module with options o.
func buildFor(tb testing.TB, o Options) []byte {
	tb.Helper()
	bin, err := Build(o)
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

func TestRelaxedKernelsUnderNode(t *testing.T) {
	r := newNodeRun(64, 5)
	for _, qt := range quantTypes {
		addQuantCases(t, r, qt.t, qt.name)
	}
	relaxed, plain := buildFor(t, Options{Relaxed: true}), buildFor(t, Options{})
	memRelaxed, exportsRelaxed := r.runUnderNode(t, relaxed, Options{Relaxed: true})
	r.check(t, memRelaxed)

	memPlain, exportsPlain := r.runUnderNode(t, plain, Options{})
	r.check(t, memPlain)
	if i := firstDiff(memRelaxed, memPlain); i >= 0 {
		t.Errorf("the builds leave different memory: byte %d is %#x (relaxed), %#x (plain)", i, memRelaxed[i], memPlain[i])
	}
	if !slices.Equal(exportsRelaxed, exportsPlain) {
		t.Errorf("the builds export different kernels:\nrelaxed %v\nplain   %v", exportsRelaxed, exportsPlain)
	}
	if len(exportsPlain) < 50 {
		t.Errorf("only %d exports seen: %v", len(exportsPlain), exportsPlain)
	}

	// The shared-memory relaxed build computes the same.
	memShared, _ := r.runUnderNode(t, buildFor(t, Options{Relaxed: true, SharedMemory: true}), Options{Relaxed: true, SharedMemory: true})
	if !bytes.Equal(memShared, memRelaxed) {
		t.Errorf("the shared-memory relaxed build leaves different memory: byte %d", firstDiff(memShared, memRelaxed))
	}
}

// The relaxed builds come out the same every time (wasm/buildweb writes
// them at build time; nothing commits them), and differ from the plain
// ones.
func TestRelaxedBuildIsDeterministic(t *testing.T) {
	for _, shared := range []bool{false, true} {
		o := Options{Relaxed: true, SharedMemory: shared}
		a, b := buildFor(t, o), buildFor(t, o)
		if !bytes.Equal(a, b) {
			t.Errorf("shared %v: two relaxed builds differ", shared)
		}
		if bytes.Equal(a, buildFor(t, Options{SharedMemory: shared})) {
			t.Errorf("shared %v: the relaxed build is the plain one", shared)
		}
	}
}

// kRunAB's single-input byte shuffle and 16-bit interleave give the run
// permutations kRunPermA and kRunPermB, which put the elements of lane
// total l (l, l+8, l+16, l+24) together, l < 4 in A, 4 ≤ l < 8 in B.
func TestRunPermutation(t *testing.T) {
	var v0, v1 [16]byte
	for i := range 16 {
		v0[i], v1[i] = byte(kPairs8[i]), byte(16+kPairs8[i])
	}
	var a, b [16]byte
	for u := range 4 { // 16-bit units: v0's unit u, v1's unit u, … (lo), then 4–7 (hi)
		copy(a[4*u:], v0[2*u:2*u+2])
		copy(a[4*u+2:], v1[2*u:2*u+2])
		copy(b[4*u:], v0[8+2*u:8+2*u+2])
		copy(b[4*u+2:], v1[8+2*u:8+2*u+2])
	}
	if a != kRunPermA || b != kRunPermB {
		t.Fatalf("pshufb then punpcklwd/hwd give %v, %v; want %v, %v", a, b, kRunPermA, kRunPermB)
	}
	for l := range 8 {
		perm := kRunPermA
		if l >= 4 {
			perm = kRunPermB
		}
		got := perm[4*(l%4) : 4*(l%4)+4]
		if want := []byte{byte(l), byte(l + 8), byte(l + 16), byte(l + 24)}; !bytes.Equal(got, want) {
			t.Errorf("lane total %d gets elements %v, want %v", l, got, want)
		}
	}
}
