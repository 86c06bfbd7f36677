// Package computetest is the conformance suite every compute.Backend must
// pass: each operation against a plain loop (loops.go), on awkward sizes,
// on views with guard rows around the output that must stay untouched, and
// in place where the interface allows it.
//
//	func TestConformance(t *testing.T) {
//		computetest.Run(t, func() compute.Backend { return mybackend.New() }, computetest.Options{})
//	}
package computetest

import (
	"bytes"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Options adjust the suite to a backend.
type Options struct {
	// RelTol is the largest relative difference allowed between a result
	// and its loop: |got−want| ≤ RelTol·(|want|+1e-6). 0 demands the same
	// bits (the reference backend is held to that).
	RelTol float64
	// Order is the arithmetic order the MatMul loops take
	// (compute.Order.KernelFor and Quantize): the backend's own, e.g.
	// OrderWasm for the browser's kernels. In compute.OrderWllama the
	// attention, softmax, silu and RoPE loops take wasm's arithmetic too.
	Order compute.Order
}

// WeightTypes are the weight types MatMul and GetRows are checked on.
var WeightTypes = []dtype.Type{
	dtype.F32, dtype.F16, dtype.BF16,
	dtype.Q4_0, dtype.Q4_1, dtype.Q5_0, dtype.Q5_1, dtype.Q8_0,
	dtype.Q2_K, dtype.Q3_K, dtype.Q4_K, dtype.Q5_K, dtype.Q6_K,
}

const guard = float32(-1234.5)

type suite struct {
	t   *testing.T
	b   compute.Backend
	opt Options
	rng *rand.Rand
}

// Run checks every operation of the backends newBackend returns (one per
// subtest; each is closed at the end of its subtest).
func Run(t *testing.T, newBackend func() compute.Backend, opt Options) {
	tests := []struct {
		name string
		fn   func(s *suite)
	}{
		{"AllocWriteRead", (*suite).allocWriteRead},
		{"Load", (*suite).load},
		{"GetRows", (*suite).getRows},
		{"MatMul", (*suite).matmul},
		{"MatMulWeightView", (*suite).matmulWeightView},
		{"MatMulSeesNewInput", (*suite).matmulSeesNewInput},
		{"MatMulExperts", (*suite).matmulExperts},
		{"AddMul", (*suite).addMul},
		{"Unary", (*suite).unary},
		{"RMSNorm", (*suite).rmsNorm},
		{"Rope", (*suite).rope},
		{"RopeAngles", (*suite).ropeAngles},
		{"Attention", (*suite).attention},
		{"AttentionIncremental", (*suite).attentionIncremental},
		{"CopyF16", (*suite).copyF16},
		{"AttentionF16", (*suite).attentionF16},
		{"LayerNorm", (*suite).layerNorm},
		{"GELU", (*suite).gelu},
		{"SelfAttention", (*suite).selfAttention},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b := newBackend()
			defer b.Close()
			tc.fn(&suite{t: t, b: b, opt: opt, rng: rand.New(rand.NewPCG(uint64(i), 42))})
		})
	}
}

func (s *suite) randn(n int, scale float32) []float32 {
	x := make([]float32, n)
	for i := range x {
		x[i] = float32(s.rng.NormFloat64()) * scale
	}
	return x
}

// alloc makes an F32 tensor holding x (rows × cols).
func (s *suite) f32(rows, cols int, x []float32) compute.Tensor {
	s.t.Helper()
	t, err := s.b.Alloc(dtype.F32, rows, cols)
	if err != nil {
		s.t.Fatal(err)
	}
	if x != nil {
		s.b.Write(t, x)
	}
	return t
}

// guarded allocates rows+2 rows filled with the guard value and returns
// the whole tensor and the view of its middle rows.
func (s *suite) guarded(rows, cols int) (whole, mid compute.Tensor) {
	s.t.Helper()
	g := make([]float32, (rows+2)*cols)
	for i := range g {
		g[i] = guard
	}
	whole = s.f32(rows+2, cols, g)
	return whole, whole.Slice(1, rows+1)
}

// checkGuards verifies the first and last rows of whole still hold the
// guard value, and returns the middle rows.
func (s *suite) checkGuards(what string, whole compute.Tensor) []float32 {
	s.t.Helper()
	all := s.read(whole)
	c := whole.Cols()
	for i, v := range all {
		if (i < c || i >= len(all)-c) && v != guard {
			s.t.Fatalf("%s wrote outside its output (element %d of a guard row is %v)", what, i%c, v)
		}
	}
	return all[c : len(all)-c]
}

func (s *suite) read(t compute.Tensor) []float32 {
	out := make([]float32, t.Rows()*t.Cols())
	s.b.Read(t, out)
	return out
}

func (s *suite) weight(typ dtype.Type, rows, cols int, x []float32) (compute.Tensor, []byte) {
	s.t.Helper()
	rb, _ := typ.RowSize(int64(cols))
	data := make([]byte, int64(rows)*rb)
	for r := 0; r < rows; r++ {
		if err := quant.Quantize(typ, x[r*cols:(r+1)*cols], data[int64(r)*rb:int64(r+1)*rb]); err != nil {
			s.t.Fatal(err)
		}
	}
	w, err := s.b.Alloc(typ, rows, cols)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.b.Load(w, bytes.NewReader(data)); err != nil {
		s.t.Fatal(err)
	}
	return w, data
}

func (s *suite) same(what string, got, want []float32) {
	s.t.Helper()
	if len(got) != len(want) {
		s.t.Fatalf("%s: %d values, want %d", what, len(got), len(want))
	}
	bad := 0
	var msg strings.Builder
	for i := range got {
		g, w := got[i], want[i]
		ok := math.Float32bits(g) == math.Float32bits(w) || (g != g && w != w)
		if !ok && s.opt.RelTol > 0 {
			ok = math.Abs(float64(g-w)) <= s.opt.RelTol*(math.Abs(float64(w))+1e-6)
		}
		if !ok {
			if bad < 5 {
				fmt.Fprintf(&msg, "\n  [%d] = %v, want %v", i, g, w)
			}
			bad++
		}
	}
	if bad > 0 {
		s.t.Fatalf("%s: %d of %d values differ:%s", what, bad, len(got), msg.String())
	}
}

func (s *suite) allocWriteRead() {
	t, err := s.b.Alloc(dtype.F32, 5, 7)
	if err != nil {
		s.t.Fatal(err)
	}
	if t.Rows() != 5 || t.Cols() != 7 || t.Type() != dtype.F32 || !t.Valid() {
		s.t.Fatalf("Alloc(F32, 5, 7) = %v", t)
	}
	for i, v := range s.read(t) {
		if v != 0 {
			s.t.Fatalf("fresh tensor element %d = %v, want 0", i, v)
		}
	}
	x := s.randn(5*7, 1)
	s.b.Write(t, x)
	s.same("Read after Write", s.read(t), x)
	s.same("Read of rows 2–3", s.read(t.Slice(2, 4)), x[14:28])
	y := s.randn(7, 1)
	s.b.Write(t.Row(4), y)
	s.same("row 4 after writing it", s.read(t.Row(4)), y)
	s.same("rows 0–3 after writing row 4", s.read(t.Slice(0, 4)), x[:28])
	if _, err := s.b.Alloc(dtype.Q4_0, 2, 33); err == nil {
		s.t.Fatal("Alloc(Q4_0, 2, 33) succeeded; 33 is not a whole number of 32-element blocks")
	}
	if _, err := s.b.Alloc(dtype.F32, -1, 4); err == nil {
		s.t.Fatal("Alloc(F32, -1, 4) succeeded")
	}
}

func (s *suite) load() {
	x := s.randn(3*64, 1)
	w, data := s.weight(dtype.Q8_0, 3, 64, x)
	out := s.f32(3, 64, nil)
	s.b.GetRows(out, w, []int32{0, 1, 2})
	s.same("rows of a loaded Q8_0 tensor", s.read(out), getRowsLoop(dtype.Q8_0, data, 64, []int32{0, 1, 2}))

	short, err := s.b.Alloc(dtype.Q8_0, 3, 64)
	if err != nil {
		s.t.Fatal(err)
	}
	if err := s.b.Load(short, bytes.NewReader(data[:len(data)-1])); err == nil {
		s.t.Fatal("Load from a reader one byte short succeeded")
	}
}

func (s *suite) getRows() {
	for _, typ := range WeightTypes {
		cols := 2 * max(32, typ.BlockSize())
		rows := 9
		x := s.randn(rows*cols, 1)
		table, data := s.weight(typ, rows, cols, x)
		ids := []int32{3, 0, 8, 3, 5}
		whole, mid := s.guarded(len(ids), cols)
		s.b.GetRows(mid, table, ids)
		got := s.checkGuards("GetRows "+typ.String(), whole)
		s.same("GetRows "+typ.String(), got, getRowsLoop(typ, data, cols, ids))
	}
}

func (s *suite) matmul() {
	for _, typ := range WeightTypes {
		in := 2 * max(32, typ.BlockSize())
		if typ.BlockSize() == 1 {
			in = 70 // not a multiple of any vector width
		}
		// 37 output rows take llama.cpp's generic kernels, 64 its AMX ones.
		for _, c := range [][2]int{{1, 37}, {3, 64}, {17, 37}, {5, 64}} {
			n, out := c[0], c[1]
			w, data := s.weight(typ, out, in, s.randn(out*in, 0.5))
			x := s.randn(n*in, 1)
			xt := s.f32(n, in, x)
			whole, mid := s.guarded(n, out)
			s.b.MatMul(mid, w, xt)
			what := fmt.Sprintf("MatMul %v weight %d×%d by %d rows", typ, out, in, n)
			s.same(what, s.checkGuards(what, whole), matmulLoop(s.opt.Order, typ, out, data, out, in, x, n))
			s.same(what+": input changed", s.read(xt), x)
		}
	}
}

// matmulWeightView multiplies by row ranges of one weight, as a fused
// q/k/v or gate/up projection is used.
func (s *suite) matmulWeightView() {
	const in, n, rows = 256, 4, 96
	for _, typ := range []dtype.Type{dtype.F32, dtype.F16, dtype.Q8_0, dtype.Q4_0, dtype.Q4_K} {
		w, data := s.weight(typ, rows, in, s.randn(rows*in, 0.5))
		x := s.randn(n*in, 1)
		xt := s.f32(n, in, x)
		full := matmulLoop(s.opt.Order, typ, rows, data, rows, in, x, n)
		rb, _ := typ.RowSize(in)
		// The kernel is the whole weight's, whatever rows are used.
		for _, r := range [][2]int{{0, 10}, {10, 16}, {16, 96}} {
			whole, mid := s.guarded(n, r[1]-r[0])
			s.b.MatMul(mid, w.Slice(r[0], r[1]), xt)
			what := fmt.Sprintf("MatMul %v weight rows %d–%d", typ, r[0], r[1])
			got := s.checkGuards(what, whole)
			want := matmulLoop(s.opt.Order, typ, rows, data[int64(r[0])*rb:int64(r[1])*rb], r[1]-r[0], in, x, n)
			s.same(what, got, want)
			for i := 0; i < n; i++ {
				s.same(what+" against the whole product", got[i*(r[1]-r[0]):(i+1)*(r[1]-r[0])], full[i*rows+r[0]:i*rows+r[1]])
			}
		}
	}
}

// matmulSeesNewInput: a backend may reuse the converted input of one
// MatMul for the next on the same input, but never after the input changed.
func (s *suite) matmulSeesNewInput() {
	const in, out, n = 64, 32, 3
	wq, dq := s.weight(dtype.Q4_0, out, in, s.randn(out*in, 0.5))
	w8, d8 := s.weight(dtype.Q8_0, out, in, s.randn(out*in, 0.5))
	x := s.randn(n*in, 1)
	xt := s.f32(n, in, x)
	dst := s.f32(n, out, nil)
	check := func(what string) {
		s.t.Helper()
		cur := s.read(xt)
		s.b.MatMul(dst, wq, xt)
		s.same(what+" (Q4_0)", s.read(dst), matmulLoop(s.opt.Order, dtype.Q4_0, out, dq, out, in, cur, n))
		s.b.MatMul(dst, w8, xt)
		s.same(what+" (Q8_0)", s.read(dst), matmulLoop(s.opt.Order, dtype.Q8_0, out, d8, out, in, cur, n))
	}
	check("first product")
	s.b.Write(xt, s.randn(n*in, 1))
	dst1 := s.f32(1, out, nil)
	s.b.MatMul(dst1, wq, xt.Slice(1, 2))
	s.same("one row after Write", s.read(dst1), matmulLoop(s.opt.Order, dtype.Q4_0, out, dq, out, in, s.read(xt.Slice(1, 2)), 1))
	check("after Write")
	other := s.f32(n, in, s.randn(n*in, 1))
	s.b.Add(xt, xt, other)
	check("after Add into the input")
	s.b.Scale(xt, xt, 0.5)
	check("after Scale")
	s.b.Copy(xt, other)
	check("after Copy")
	s.b.Rope(xt, xt, 3, compute.Rope{HeadDim: 16, Dims: 16, Base: 10000})
	check("after Rope")
	g := s.f32(1, 16, s.randn(16, 1))
	s.b.RMSNorm(xt, xt, g, 1e-5)
	check("after RMSNorm")
	table, _ := s.weight(dtype.F32, 5, in, s.randn(5*in, 1))
	s.b.GetRows(xt, table, []int32{4, 0, 2})
	check("after GetRows")
}

func (s *suite) addMul() {
	const rows, cols = 6, 45
	a := s.randn(rows*cols, 1)
	bb := s.randn(rows*cols, 1)
	bias := s.randn(cols, 1)
	at, bt, biast := s.f32(rows, cols, a), s.f32(rows, cols, bb), s.f32(1, cols, bias)
	for _, op := range []struct {
		name string
		fn   func(dst, a, b compute.Tensor)
		f    func(x, y float32) float32
	}{
		{"Add", s.b.Add, func(x, y float32) float32 { return x + y }},
		{"Mul", s.b.Mul, func(x, y float32) float32 { return x * y }},
		{"SwiGLU", s.b.SwiGLU, nil},
	} {
		want := make([]float32, rows*cols)
		wantB := make([]float32, rows*cols)
		for i := range want {
			if op.f == nil { // SwiGLU: silu as ggml_vec_swiglu_f32 groups it
				si := siluRowLoop(s.opt.Order, a[i/cols*cols:(i/cols+1)*cols])[i%cols]
				want[i], wantB[i] = si*bb[i], si*bias[i%cols]
				continue
			}
			want[i] = op.f(a[i], bb[i])
			wantB[i] = op.f(a[i], bias[i%cols])
		}
		whole, mid := s.guarded(rows, cols)
		op.fn(mid, at, bt)
		s.same(op.name, s.checkGuards(op.name, whole), want)
		if op.name == "SwiGLU" {
			continue // gate and up have the same shape; no broadcast
		}
		whole, mid = s.guarded(rows, cols)
		op.fn(mid, at, biast)
		s.same(op.name+" broadcast", s.checkGuards(op.name, whole), wantB)
		// In place: dst is a.
		c := s.f32(rows, cols, a)
		op.fn(c, c, bt)
		s.same(op.name+" in place", s.read(c), want)
	}
}

func (s *suite) unary() {
	const rows, cols = 5, 35 // two groups of 16 and a tail of 3
	x := s.randn(rows*cols, 3)
	x[7] = 0
	x[8] = -80 // exp(80) overflows nothing in float32 silu, but tests the tail
	xt := s.f32(rows, cols, x)

	want := make([]float32, len(x))
	for i, v := range x {
		want[i] = v * 0.125
	}
	whole, mid := s.guarded(rows, cols)
	s.b.Scale(mid, xt, 0.125)
	s.same("Scale", s.checkGuards("Scale", whole), want)

	for r := 0; r < rows; r++ {
		copy(want[r*cols:], siluRowLoop(s.opt.Order, x[r*cols:(r+1)*cols]))
	}
	whole, mid = s.guarded(rows, cols)
	s.b.SiLU(mid, xt)
	s.same("SiLU", s.checkGuards("SiLU", whole), want)

	for r := 0; r < rows; r++ {
		copy(want[r*cols:], softmaxLoop(s.opt.Order, x[r*cols:(r+1)*cols], false))
	}
	whole, mid = s.guarded(rows, cols)
	s.b.Softmax(mid, xt)
	got := s.checkGuards("Softmax", whole)
	s.same("Softmax", got, want)
	for r := 0; r < rows; r++ {
		sum := 0.0
		for _, v := range got[r*cols : (r+1)*cols] {
			sum += float64(v)
		}
		if math.Abs(sum-1) > 1e-5 {
			s.t.Fatalf("Softmax row %d sums to %v", r, sum)
		}
	}
	c := s.f32(rows, cols, x)
	s.b.Softmax(c, c)
	s.same("Softmax in place", s.read(c), want)

	whole, mid = s.guarded(rows, cols)
	s.b.Copy(mid, xt)
	s.same("Copy", s.checkGuards("Copy", whole), x)
}

func (s *suite) rmsNorm() {
	const rows, cols = 4, 96
	x := s.randn(rows*cols, 2)
	xt := s.f32(rows, cols, x)
	for _, g := range []int{cols, 32} { // whole row; per head of 32
		w := s.randn(g, 1)
		wt := s.f32(1, g, w)
		want := rmsNormLoop(x, w, cols, 1e-5)
		whole, mid := s.guarded(rows, cols)
		s.b.RMSNorm(mid, xt, wt, 1e-5)
		what := fmt.Sprintf("RMSNorm in groups of %d", g)
		s.same(what, s.checkGuards(what, whole), want)
		c := s.f32(rows, cols, x)
		s.b.RMSNorm(c, c, wt, 1e-5)
		s.same(what+" in place", s.read(c), want)
	}
}

func (s *suite) rope() {
	type variant struct {
		name          string
		headDim, dims int
		neox          bool
		scale         float32
		factors       bool
		ext, attn     float32
		fast, slow    float32
		origCtx, pos0 int
		base          float32
	}
	for _, v := range []variant{
		{name: "normal", headDim: 16, dims: 16, base: 10000},
		{name: "neox", headDim: 16, dims: 16, neox: true, base: 1e6, pos0: 7},
		{name: "partial normal", headDim: 32, dims: 8, base: 10000, pos0: 3},
		{name: "partial neox", headDim: 32, dims: 8, neox: true, base: 10000, pos0: 3},
		{name: "linear scale", headDim: 16, dims: 16, base: 10000, scale: 0.25, pos0: 100},
		{name: "freq factors", headDim: 16, dims: 16, base: 500000, factors: true, pos0: 1000},
		{name: "neox factors attn", headDim: 16, dims: 16, neox: true, base: 10000, factors: true, attn: 1.19, pos0: 5},
		{name: "yarn", headDim: 32, dims: 32, neox: true, base: 10000, scale: 0.25, ext: 1, fast: 32, slow: 1, origCtx: 4096, pos0: 2000},
	} {
		const rows, heads = 5, 3
		cols := heads * v.headDim
		x := s.randn(rows*cols, 1)
		xt := s.f32(rows, cols, x)
		p := compute.Rope{HeadDim: v.headDim, Dims: v.dims, NeoX: v.neox, Base: v.base, Scale: v.scale,
			ExtFactor: v.ext, AttnFactor: v.attn, BetaFast: v.fast, BetaSlow: v.slow, OrigCtx: v.origCtx}
		var f []float32
		if v.factors {
			f = make([]float32, v.dims/2)
			for i := range f {
				f[i] = 1 + float32(i)*0.75
			}
			p.Factors = s.f32(1, len(f), f)
		}
		want := ropeLoop(s.opt.Order, x, cols, v.pos0, v.headDim, v.dims, v.neox, v.base, v.scale, f, v.ext, v.attn, v.fast, v.slow, v.origCtx)
		whole, mid := s.guarded(rows, cols)
		s.b.Rope(mid, xt, v.pos0, p)
		s.same("Rope "+v.name, s.checkGuards("Rope "+v.name, whole), want)
		c := s.f32(rows, cols, x)
		s.b.Rope(c, c, v.pos0, p)
		s.same("Rope in place "+v.name, s.read(c), want)
		// Row r at pos0 is row 0 at pos0+r.
		last := s.f32(1, cols, x[(rows-1)*cols:])
		s.b.Rope(last, last, v.pos0+rows-1, p)
		s.same("Rope "+v.name+" of the last row alone", s.read(last), want[(rows-1)*cols:])
	}
}

// ropeAngles checks the meaning, not just the loop: at position p the pair
// i of a head is rotated by p·base^(−2i/dims), within float32 error.
func (s *suite) ropeAngles() {
	const headDim, pos = 8, 3
	for _, neox := range []bool{false, true} {
		// One head whose pair i holds (1, 0): after the rotation it is
		// (cos θ_i, sin θ_i).
		x := make([]float32, headDim)
		for i := 0; i < headDim/2; i++ {
			if neox {
				x[i] = 1
			} else {
				x[2*i] = 1
			}
		}
		t := s.f32(1, headDim, x)
		s.b.Rope(t, t, pos, compute.Rope{HeadDim: headDim, Dims: headDim, NeoX: neox, Base: 10000})
		got := s.read(t)
		for i := 0; i < headDim/2; i++ {
			theta := pos * math.Pow(10000, -2*float64(i)/headDim)
			c, sn := got[2*i], got[2*i+1]
			if neox {
				c, sn = got[i], got[i+headDim/2]
			}
			if math.Abs(float64(c)-math.Cos(theta)) > 1e-5 || math.Abs(float64(sn)-math.Sin(theta)) > 1e-5 {
				s.t.Fatalf("neox=%v pair %d rotated to (%v, %v), want (cos, sin) of %v = (%v, %v)", neox, i, c, sn, theta, math.Cos(theta), math.Sin(theta))
			}
		}
	}
}

func (s *suite) attention() {
	for _, c := range []struct {
		heads, kvHeads, dk, dv, n, pos0 int
	}{
		{4, 4, 16, 16, 1, 0},
		{4, 2, 16, 16, 5, 0},
		{6, 2, 8, 8, 3, 9},
		{3, 1, 32, 16, 4, 2},
		{4, 2, 96, 96, 3, 70},  // head size with a remainder after 64; rows longer than 64
		{2, 1, 64, 64, 1, 100}, // one query row: the single-row order
		{2, 2, 16, 16, 20, 0},  // a prompt longer than a 16-lane group
	} {
		nkv := c.pos0 + c.n + 3 // extra cache rows beyond the causal window must be ignored
		q := s.randn(c.n*c.heads*c.dk, 1)
		k := s.randn(nkv*c.kvHeads*c.dk, 1)
		v := s.randn(nkv*c.kvHeads*c.dv, 1)
		scale := float32(1 / math.Sqrt(float64(c.dk)))
		qt, kt, vt := s.f32(c.n, c.heads*c.dk, q), s.f32(nkv, c.kvHeads*c.dk, k), s.f32(nkv, c.kvHeads*c.dv, v)
		whole, mid := s.guarded(c.n, c.heads*c.dv)
		s.b.Attention(mid, qt, kt, vt, c.pos0, compute.Attention{Heads: c.heads, KVHeads: c.kvHeads, Scale: scale})
		what := fmt.Sprintf("Attention %d heads / %d kv, dk %d dv %d, %d rows at %d", c.heads, c.kvHeads, c.dk, c.dv, c.n, c.pos0)
		s.same(what, s.checkGuards(what, whole), attentionLoop(s.opt.Order, q, k, v, c.n, c.pos0, c.heads, c.kvHeads, c.dk, c.dv, scale))
	}
}

// attentionIncremental: rows computed together equal rows computed one
// position at a time (what a KV cache relies on). Up to 16 positions the
// multi-row and single-row accumulation orders coincide, so the bits agree.
func (s *suite) attentionIncremental() {
	const heads, kvHeads, d, n = 4, 2, 16, 6
	q := s.randn(n*heads*d, 1)
	k := s.randn(n*kvHeads*d, 1)
	v := s.randn(n*kvHeads*d, 1)
	p := compute.Attention{Heads: heads, KVHeads: kvHeads, Scale: 0.25}
	qt, kt, vt := s.f32(n, heads*d, q), s.f32(n, kvHeads*d, k), s.f32(n, kvHeads*d, v)
	all := s.f32(n, heads*d, nil)
	s.b.Attention(all, qt, kt, vt, 0, p)
	batch := s.read(all)
	for i := 0; i < n; i++ {
		one := s.f32(1, heads*d, nil)
		s.b.Attention(one, qt.Row(i), kt.Slice(0, i+1), vt.Slice(0, i+1), i, p)
		s.same(fmt.Sprintf("Attention row %d alone", i), s.read(one), batch[i*heads*d:(i+1)*heads*d])
	}
}

// matmulExperts multiplies rows by single experts of a 3-D expert tensor
// (row views of one weight), as a mixture of experts does, and checks the
// kernel is mul_mat_id's whatever the row count: one row or many.
func (s *suite) matmulExperts() {
	const experts = 4
	for _, typ := range WeightTypes {
		in := 2 * max(32, typ.BlockSize())
		if typ.BlockSize() == 1 {
			in = 70
		}
		for _, c := range [][2]int{{1, 16}, {5, 16}, {3, 24}} {
			n, ff := c[0], c[1]
			w, data := s.weight(typ, experts*ff, in, s.randn(experts*ff*in, 0.5))
			x := s.randn(n*in, 1)
			xt := s.f32(n, in, x)
			rb, _ := typ.RowSize(int64(in))
			for _, e := range []int{0, 2, 3} {
				whole, mid := s.guarded(n, ff)
				s.b.MatMulExperts(mid, w.Slice(e*ff, (e+1)*ff), xt)
				what := fmt.Sprintf("MatMulExperts %v expert %d of %d×%d by %d rows", typ, e, ff, in, n)
				got := s.checkGuards(what, whole)
				s.same(what, got, matmulExpertsLoop(s.opt.Order, typ, experts*ff, data[int64(e*ff)*rb:int64((e+1)*ff)*rb], ff, in, x, n))
				// Row by row gives the same bits: no multi-row kernel.
				for r := 0; r < n; r++ {
					wholeR, midR := s.guarded(1, ff)
					s.b.MatMulExperts(midR, w.Slice(e*ff, (e+1)*ff), xt.Row(r))
					s.same(what+fmt.Sprintf(", row %d alone", r), s.checkGuards(what, wholeR), got[r*ff:(r+1)*ff])
				}
			}
			s.same(fmt.Sprintf("MatMulExperts %v: input changed", typ), s.read(xt), x)
		}
	}
}
