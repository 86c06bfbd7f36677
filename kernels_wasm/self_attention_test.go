package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
)

// selfAttentionCase is one shape of the encoder's attention.
type selfAttentionCase struct {
	n, heads, d int
	splits      int // the rows split into this many calls, as threads do
}

// run prepares and runs the kernels on random q, k, v (at misaligned
// addresses) and compares with the reference backend's SelfAttention
// (flash): the same bits, nothing written outside dst, kt, vr and
// scratch.
func (c selfAttentionCase) run(t *testing.T, e *kernelEnv, b compute.Backend, r *rand.Rand, mis uint32, spread float64) {
	t.Helper()
	cols := c.heads * c.d
	q := mixedF32(r, c.n*cols, spread, 0)
	k := mixedF32(r, c.n*cols, spread, 0)
	v := mixedF32(r, c.n*cols, 1, 0)
	scale := float32(1 / math.Sqrt(float64(c.d)))

	tq, tk, tv := refF32(t, b, c.n, cols, q), refF32(t, b, c.n, cols, k), refF32(t, b, c.n, cols, v)
	td := refF32(t, b, c.n, cols, nil)
	b.SelfAttention(td, tq, tk, tv, compute.SelfAttention{Heads: c.heads, Scale: scale, Flash: true})
	want := refRead(b, td)

	e.reset()
	pq, pk, pv := e.place(t, f32Bytes(q), mis%16), e.place(t, f32Bytes(k), (mis+4)%16), e.place(t, f32Bytes(v), (mis+8)%16)
	pd := e.place(t, make([]byte, 4*len(q)), (mis+12)%16)
	pkt := e.place(t, make([]byte, 4*SelfAttentionKeyFloats(c.n, c.heads, c.d)), mis%16)
	pvr := e.place(t, make([]byte, 4*len(v)), (mis+3)%16)
	scratch := e.place(t, make([]byte, c.splits*SelfAttentionScratchBytes(c.d)), (mis+7)%16)
	before := e.snapshot()
	name := fmt.Sprintf("n=%d heads=%d d=%d splits=%d", c.n, c.heads, c.d, c.splits)
	for s := range c.splits {
		lo, hi := uint32(s*c.n/c.splits), uint32((s+1)*c.n/c.splits)
		e.call(t, KernelSelfAttentionPrep, pkt, pvr, pk, pv, uint32(c.n), uint32(c.heads), uint32(c.d), lo, hi)
	}
	for s := range c.splits {
		lo, hi := uint32(s*c.n/c.splits), uint32((s+1)*c.n/c.splits)
		e.call(t, KernelSelfAttention, pd, pq, pkt, pvr, uint32(c.n), uint32(c.heads), uint32(c.d), lo, hi,
			f32Bits(scale), scratch+uint32(s*SelfAttentionScratchBytes(c.d)))
	}
	got := e.readF32s(pd, len(q))
	for i := range want {
		if !sameF32(got[i], want[i]) {
			t.Fatalf("%s: output %d (row %d, column %d) = %v (%#x), reference %v (%#x)", name, i, i/cols, i%cols,
				got[i], math.Float32bits(got[i]), want[i], math.Float32bits(want[i]))
		}
	}
	// everything else untouched: check the inputs and guards around the
	// outputs, skipping the output and working areas
	after := e.snapshot()
	for _, area := range [][2]uint32{{0, pd}} {
		for i := area[0]; i < area[1]; i++ {
			if before[i] != after[i] {
				t.Fatalf("%s: byte %d changed, an input", name, i)
			}
		}
	}
	for _, o := range []struct{ p, n uint32 }{{pd, uint32(4 * len(q))}, {pkt, uint32(4 * SelfAttentionKeyFloats(c.n, c.heads, c.d))},
		{pvr, uint32(4 * len(v))}, {scratch, uint32(c.splits * SelfAttentionScratchBytes(c.d))}} {
		for _, g := range [][2]uint32{{o.p - 32, o.p}, {o.p + o.n, o.p + o.n + 32}} {
			for i := g[0]; i < g[1]; i++ {
				if before[i] != after[i] {
					t.Fatalf("%s: guard byte %d changed", name, i)
				}
			}
		}
	}
}

// self_attention_prep and self_attention give the reference's flash
// SelfAttention bit for bit, on the shapes that take ggml's tiled kernel:
// row counts that leave partial key tiles, partial eight-key steps and
// single query rows, heads of 4, 8 and 12 elements and more, several
// heads, the rows split across calls at awkward places, scores spread
// wide (so the running maximum grows tile after tile) and narrow.
func TestSelfAttentionMatchesReference(t *testing.T) {
	e := newKernels(t, 256)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(71, 72))
	cases := []selfAttentionCase{
		{n: 64, heads: 1, d: 4, splits: 1},
		{n: 65, heads: 2, d: 8, splits: 1},
		{n: 71, heads: 3, d: 12, splits: 3},
		{n: 130, heads: 2, d: 64, splits: 2},
		{n: 200, heads: 4, d: 20, splits: 5},
		{n: 129, heads: 1, d: 36, splits: 1},
	}
	for i, c := range cases {
		for _, spread := range []float64{0.3, 4} {
			c.run(t, e, b, r, uint32(i), spread)
		}
	}
}

// The SmolVLM-256M shape of one head group: 1024 rows, heads of 64
// elements, split as two threads would.
func TestSelfAttentionModelShape(t *testing.T) {
	if testing.Short() {
		t.Skip("model-sized")
	}
	e := newKernels(t, 512)
	b := compute.NewReference(2)
	defer b.Close()
	r := rand.New(rand.NewPCG(73, 74))
	selfAttentionCase{n: 1024, heads: 2, d: 64, splits: 2}.run(t, e, b, r, 5, 1)
}

// Bad arguments write nothing.
func TestSelfAttentionBadArgumentsWriteNothing(t *testing.T) {
	e := newKernels(t, 4)
	for i, args := range [][]int32{
		{0, 1, 8, 0, 1}, {64, 0, 8, 0, 1}, {64, 1, 0, 0, 1}, {64, 1, 6, 0, 1}, {64, 1, 8, 1, 1}, {64, 1, 8, 2, 1}, {-1, 1, 8, 0, 1},
	} {
		e.reset()
		p := e.place(t, make([]byte, 8192), 0)
		before := wholeMemory(e)
		e.call(t, KernelSelfAttentionPrep, p, p+1024, p+2048, p+3072, uint32(args[0]), uint32(args[1]), uint32(args[2]),
			uint32(args[3]), uint32(args[4]))
		e.call(t, KernelSelfAttention, p, p+1024, p+2048, p+3072, uint32(args[0]), uint32(args[1]), uint32(args[2]),
			uint32(args[3]), uint32(args[4]), f32Bits(1), p+4096)
		checkSameMemory(t, caseName(fmt.Sprintf("bad arguments %d %v", i, args)), before, wholeMemory(e))
	}
}
