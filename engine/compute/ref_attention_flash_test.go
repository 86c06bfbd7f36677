package compute

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
)

// Attention with Flash (ggml's CPU flash attention, wllama's order)
// against float64 attention on the halves' values of the keys and values:
//
//   - the one-chunk kernel (fewer than FlashTileRows rows, or dv not a
//     multiple of 4) rounds the query to halves, which moves each score by
//     at most E (scoreError), and rounds its accumulator to a half after
//     each key, so |Δo| ≤ ((e^{2E}−1) + (nkv+1)·u)·max|v| (u = 2⁻¹¹);
//   - the tiled kernel keeps the query and its sums in float32:
//     |Δo| ≤ (nkv+dk+8)·2⁻²³·max|v|.
//
// And over an F32 cache it gives the bits of an F16 cache of the same
// values (llama.cpp casts an F32 cache to halves before flash attention).
func TestFlashAttentionAgainstFloat64(t *testing.T) {
	const u = 0x1p-11
	b := NewReferenceOrder(2, OrderWllama)
	defer b.Close()
	r := rand.New(rand.NewPCG(65, 66))
	for _, c := range []struct {
		heads, kvHeads, dk, dv, n, pos0 int
		tiled                           bool
	}{
		{9, 3, 64, 64, 1, 191, false}, // a decode step
		{9, 3, 64, 64, 16, 100, false},
		{4, 2, 20, 20, 70, 10, true},  // a head size with a remainder after 16
		{4, 2, 96, 80, 130, 0, true},  // three key tiles, dk ≠ dv
		{4, 2, 20, 18, 70, 3, false},  // dv not a multiple of 4: one chunk
		{2, 2, 32, 32, 64, 200, true}, // no grouping
	} {
		nkv := c.pos0 + c.n
		rnd := func(n int, sd float64) []float32 {
			x := make([]float32, n)
			for i := range x {
				x[i] = float32(r.NormFloat64() * sd)
			}
			return x
		}
		q, k, v := rnd(c.n*c.heads*c.dk, 1.5), rnd(nkv*c.kvHeads*c.dk, 1.5), rnd(nkv*c.kvHeads*c.dv, 1)
		scale := 1 / math.Sqrt(float64(c.dk))
		p := Attention{Heads: c.heads, KVHeads: c.kvHeads, Scale: float32(scale), Flash: true}
		run := func(tk, tv Tensor) []float32 {
			td := b.mustF32(t, c.n, c.heads*c.dv, nil)
			b.Attention(td, b.mustF32(t, c.n, c.heads*c.dk, q), tk, tv, c.pos0, p)
			return slices.Clone(b.f32(td))
		}
		got := run(b.mustF16(t, nkv, c.kvHeads*c.dk, k), b.mustF16(t, nkv, c.kvHeads*c.dv, v))
		fromF32 := run(b.mustF32(t, nkv, c.kvHeads*c.dk, k), b.mustF32(t, nkv, c.kvHeads*c.dv, v))
		if !slices.Equal(got, fromF32) {
			t.Fatalf("%+v: flash attention over an F32 cache differs from the same values in an F16 cache", c)
		}
		rounded := func(x []float32) []float64 {
			y := make([]float64, len(x))
			for i, v := range x {
				y[i] = float64(RoundF16(v))
			}
			return y
		}
		k64, v64 := rounded(k), rounded(v)
		exact, _ := attention64(to64(q), k64, v64, c.n, c.pos0, c.heads, c.kvHeads, c.dk, c.dv, scale)
		var vmax float64
		for _, x := range v64 {
			vmax = max(vmax, math.Abs(x))
		}
		var worst float64
		for i, g := range got {
			row, h := i/(c.heads*c.dv), i%(c.heads*c.dv)/c.dv
			n := float64(c.pos0 + row + 1)
			bound := (n + float64(c.dk) + 8) * 0x1p-23 * vmax
			if !c.tiled {
				e := scoreError(to64(q), k64, row, h, c.heads, c.kvHeads, c.dk, c.pos0+row+1, scale)
				bound = (math.Exp(2*e) - 1 + (n+1)*u) * vmax
			}
			d := math.Abs(float64(g) - exact[i])
			if d > bound || math.IsNaN(float64(g)) {
				t.Fatalf("%+v output %d (row %d, head %d): %v, float64 %v: off by %.3g > %.3g", c, i, row, h, g, exact[i], d, bound)
			}
			worst = max(worst, d/vmax)
		}
		t.Logf("%+v: largest |Δ|/max|v| %.2g", c, worst)
	}
}

// The tiled and one-chunk kernels are different arithmetic: the same rows
// computed as one batch of FlashTileRows rows and one by one differ (the
// oracle tests in tests/vision tell which matches llama.cpp where).
func TestFlashAttentionKernelDependsOnBatch(t *testing.T) {
	b := NewReferenceOrder(1, OrderWllama)
	defer b.Close()
	r := rand.New(rand.NewPCG(67, 68))
	const heads, dk, n = 2, 32, FlashTileRows
	x := make([]float32, n*heads*dk)
	for i := range x {
		x[i] = float32(r.NormFloat64())
	}
	k, v := b.mustF16(t, n, heads*dk, x), b.mustF16(t, n, heads*dk, x)
	p := Attention{Heads: heads, KVHeads: heads, Scale: 0.2, Flash: true}
	batch := b.mustF32(t, n, heads*dk, nil)
	b.Attention(batch, b.mustF32(t, n, heads*dk, x), k, v, 0, p)
	all := slices.Clone(b.f32(batch))
	var differ bool
	for row := range n {
		one := b.mustF32(t, 1, heads*dk, nil)
		b.Attention(one, b.mustF32(t, 1, heads*dk, x[row*heads*dk:(row+1)*heads*dk]), k.Slice(0, row+1), v.Slice(0, row+1), row, p)
		differ = differ || !slices.Equal(b.f32(one), all[row*heads*dk:(row+1)*heads*dk])
	}
	if !differ {
		t.Fatal("a batch of 64 rows gives the bits of 64 one-row batches: the tiled kernel is not taken")
	}
}

// Flash attention is there on the reference backend in the wllama order
// only; elsewhere FlashAttentionSupport says why.
func TestFlashAttentionSupport(t *testing.T) {
	for _, o := range []Order{OrderLlamaCppX86, OrderWasm, OrderWllama} {
		b := NewReferenceOrder(1, o)
		err := FlashAttentionSupport(b)
		b.Close()
		if (err == nil) != (o == OrderWllama) {
			t.Errorf("order %v: FlashAttentionSupport = %v", o, err)
		}
	}
}
