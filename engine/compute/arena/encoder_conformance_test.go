//go:build !js

package arena_test

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/compute/arena"
	"github.com/hearth-ai/hearth/engine/dtype"
)

// The encoder's operations on the arena (kernels: layernorm, gelu,
// self_attention_prep and self_attention; SelfAttention in Go for the
// forms without a kernel) against the reference backend's own operations
// on the same random inputs, bit for bit, with one, two and three threads:
// not against stored numbers, so that a change to the reference's
// arithmetic shows here as a difference to mend in the kernels.
func TestEncoderOpsMatchReference(t *testing.T) {
	ref := compute.NewReference(2)
	defer ref.Close()
	for _, threads := range []int{1, 2, 3} {
		a := newWasm(t, threads, arena.Options{})
		r := rand.New(rand.NewPCG(91, uint64(threads)))
		pair := func(rows, cols int, x []float32) (compute.Tensor, compute.Tensor) {
			return tensorOn(t, ref, rows, cols, x), tensorOn(t, a, rows, cols, x)
		}
		compare := func(what string, rt, at compute.Tensor) {
			t.Helper()
			want, got := readOn(ref, rt), readOn(a, at)
			for i := range want {
				if math.Float32bits(got[i]) != math.Float32bits(want[i]) && !(got[i] != got[i] && want[i] != want[i]) {
					t.Fatalf("%d threads, %s: [%d] (row %d) = %v, reference %v", threads, what, i, i/rt.Cols(), got[i], want[i])
				}
			}
		}

		for _, s := range [][2]int{{1, 5}, {7, 77}, {33, 768}, {130, 36}} {
			rows, cols := s[0], s[1]
			x := randn(r, rows*cols, 3)
			for i := range x[:cols] {
				x[i] += 40
			}
			w, bias := randn(r, cols, 1), randn(r, cols, 0.1)
			for _, form := range []string{"weight+bias", "weight", "none"} {
				rx, ax := pair(rows, cols, x)
				rd, ad := pair(rows, cols, nil)
				var rw, aw, rb, ab compute.Tensor
				if form != "none" {
					rw, aw = pair(1, cols, w)
				}
				if form == "weight+bias" {
					rb, ab = pair(1, cols, bias)
				}
				ref.LayerNorm(rd, rx, rw, rb, 1e-6)
				a.LayerNorm(ad, ax, aw, ab, 1e-6)
				compare(fmt.Sprintf("LayerNorm %d×%d %s", rows, cols, form), rd, ad)
				ref.LayerNorm(rx, rx, rw, rb, 1e-5)
				a.LayerNorm(ax, ax, aw, ab, 1e-5)
				compare(fmt.Sprintf("LayerNorm %d×%d %s in place", rows, cols, form), rx, ax)
			}
		}

		edges := []float32{10, -10, math.Nextafter32(10, 0), math.Nextafter32(-10, 0), 9.998, -9.998, 65504, -70000,
			3e-8, 0, float32(math.Copysign(0, -1)), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.NaN())}
		for _, s := range [][2]int{{1, 3}, {5, 53}, {64, 3072}} {
			rows, cols := s[0], s[1]
			x := randn(r, rows*cols, 5)
			for i := range x {
				if r.IntN(10) == 0 {
					x[i] = edges[r.IntN(len(edges))]
				}
			}
			for _, op := range []struct {
				name     string
				ref, got func(dst, x compute.Tensor)
			}{{"GELU", ref.GELU, a.GELU}, {"GELUQuick", ref.GELUQuick, a.GELUQuick}} {
				rx, ax := pair(rows, cols, x)
				rd, ad := pair(rows, cols, nil)
				op.ref(rd, rx)
				op.got(ad, ax)
				compare(fmt.Sprintf("%s %d×%d", op.name, rows, cols), rd, ad)
				op.ref(rx, rx)
				op.got(ax, ax)
				compare(fmt.Sprintf("%s %d×%d in place", op.name, rows, cols), rx, ax)
			}
		}

		// Flash with at least 64 rows and heads of a multiple of 4 takes
		// the kernels; the others the Go path.
		for _, s := range []struct{ n, heads, d int }{
			{64, 1, 4}, {65, 2, 8}, {130, 3, 16}, {203, 4, 12}, {257, 12, 64}, {100, 2, 10}, {40, 2, 8},
		} {
			cols := s.heads * s.d
			q, k, v := randn(r, s.n*cols, 1), randn(r, s.n*cols, 1), randn(r, s.n*cols, 1)
			for i := range q[:cols] {
				q[i] *= 20 // a row whose maximum keeps growing
			}
			rq, aq := pair(s.n, cols, q)
			rk, ak := pair(s.n, cols, k)
			rv, av := pair(s.n, cols, v)
			for _, flash := range []bool{true, false} {
				p := compute.SelfAttention{Heads: s.heads, Scale: float32(1 / math.Sqrt(float64(s.d))), Flash: flash}
				rd, ad := pair(s.n, cols, nil)
				ref.SelfAttention(rd, rq, rk, rv, p)
				a.SelfAttention(ad, aq, ak, av, p)
				compare(fmt.Sprintf("SelfAttention n=%d heads=%d d=%d flash=%v", s.n, s.heads, s.d, flash), rd, ad)
			}
		}
	}
}

func tensorOn(tb testing.TB, b compute.Backend, rows, cols int, x []float32) compute.Tensor {
	tb.Helper()
	t, err := b.Alloc(dtype.F32, rows, cols)
	if err != nil {
		tb.Fatal(err)
	}
	if x != nil {
		b.Write(t, x)
	}
	return t
}

func readOn(b compute.Backend, t compute.Tensor) []float32 {
	out := make([]float32, t.Rows()*t.Cols())
	b.Read(t, out)
	return out
}

// On a fresh backend, an encoder layer's worth of operations takes
// exactly EncoderScratchBytes beyond its tensors.
func TestEncoderScratchBytes(t *testing.T) {
	for _, threads := range []int{1, 3} {
		a := newWasm(t, threads, arena.Options{})
		const n, heads, d = 130, 3, 16
		r := rand.New(rand.NewPCG(93, 94))
		ts := make([]compute.Tensor, 5)
		for i := range ts {
			ts[i] = tensorOn(t, a, n, heads*d, randn(r, n*heads*d, 1))
		}
		before := a.Usage().Used
		a.LayerNorm(ts[0], ts[0], compute.Tensor{}, compute.Tensor{}, 1e-6)
		a.SelfAttention(ts[4], ts[1], ts[2], ts[3], compute.SelfAttention{Heads: heads, Scale: 0.25, Flash: true})
		a.GELU(ts[0], ts[0])
		a.GELUQuick(ts[0], ts[0])
		got, want := a.Usage().Used-before, arena.EncoderScratchBytes(n, heads, d, threads)
		if got != want {
			t.Errorf("%d threads: the operations took %d bytes of the arena, EncoderScratchBytes says %d", threads, got, want)
		}
	}
}

// Once warmed up, the encoder's operations allocate nothing on the Go
// heap (the kernels work in the arena), with one thread and with two.
func TestEncoderOpsAllocateNothing(t *testing.T) {
	for _, threads := range []int{1, 2} {
		a := newWasm(t, threads, arena.Options{})
		const n, heads, d = 96, 2, 16
		r := rand.New(rand.NewPCG(95, 96))
		ts := make([]compute.Tensor, 5)
		for i := range ts {
			ts[i] = tensorOn(t, a, n, heads*d, randn(r, n*heads*d, 1))
		}
		w := tensorOn(t, a, 1, heads*d, randn(r, heads*d, 1))
		ops := func() {
			a.LayerNorm(ts[0], ts[0], w, w, 1e-6)
			a.SelfAttention(ts[4], ts[1], ts[2], ts[3], compute.SelfAttention{Heads: heads, Scale: 0.25, Flash: true})
			a.GELU(ts[0], ts[0])
			a.GELUQuick(ts[0], ts[0])
		}
		ops()
		if got := testing.AllocsPerRun(10, ops); got != 0 {
			t.Errorf("%d threads: the encoder's operations allocate %v times", threads, got)
		}
	}
}
