package kernels

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// refF16 makes a reference F16 tensor of x rounded to halves, and returns
// the halves too.
func refF16(tb testing.TB, b compute.Backend, rows, cols int, x []float32) (compute.Tensor, []uint16) {
	tb.Helper()
	h := make([]uint16, len(x))
	data := make([]byte, 2*len(x))
	for i, v := range x {
		h[i] = quant.F32ToF16(v)
		binary.LittleEndian.PutUint16(data[2*i:], h[i])
	}
	t, err := b.Alloc(dtype.F16, rows, cols)
	if err != nil {
		tb.Fatal(err)
	}
	if err := b.Load(t, bytes.NewReader(data)); err != nil {
		tb.Fatal(err)
	}
	return t, h
}

// stridedHalves lays rows of cols halves out at a stride of stride
// halves, the padding filled with NaN halves (never read).
func stridedHalves(h []uint16, rows, cols, stride int) []byte {
	out := make([]byte, 2*rows*stride)
	for j := range rows {
		for x := range stride {
			v := uint16(0x7e01) // a NaN
			if x < cols {
				v = h[j*cols+x]
			}
			binary.LittleEndian.PutUint16(out[2*(j*stride+x):], v)
		}
	}
	return out
}

// runF16 runs attention_f16 on c's shapes against the reference's
// Attention over F16 tensors: the same bits, nothing written outside dst
// and scratch.
func (c attentionCase) runF16(t *testing.T, e *kernelEnv, b compute.Backend, r *rand.Rand, mis uint32) {
	t.Helper()
	kvRows, scale, q, k, v := c.inputs(r, mis)
	if c.kind == 3 { // halves at the edges of the range, finite keys
		edges := []float32{65504, -65504, 70000, float32(math.Inf(-1)), 3e-8, -6e-5, 0, float32(math.Copysign(0, -1))}
		for i := range v {
			if r.IntN(64) == 0 {
				v[i] = edges[r.IntN(len(edges))]
			}
		}
		for i := range k {
			if r.IntN(64) == 0 {
				k[i] = edges[4+r.IntN(4)]
			}
		}
	}

	tq := refF32(t, b, c.n, c.heads*c.dk, q)
	tk, kh := refF16(t, b, kvRows, c.kvHeads*c.dk, k)
	tv, vh := refF16(t, b, kvRows, c.kvHeads*c.dv, v)
	td := refF32(t, b, c.n, c.heads*c.dv, nil)
	b.Attention(td, tq, tk, tv, c.pos0, compute.Attention{Heads: c.heads, KVHeads: c.kvHeads, Scale: scale})
	want := refRead(b, td)

	kStride, vStride := c.kvHeads*c.dk+c.kPad, c.kvHeads*c.dv+c.vPad
	c.check(t, e, mis, attentionCall{
		kernel: KernelAttentionF16, name: caseName("F16 " + c.String()), q: q,
		kCache:  stridedHalves(kh, kvRows, c.kvHeads*c.dk, kStride),
		vCache:  stridedHalves(vh, kvRows, c.kvHeads*c.dv, vStride),
		kStride: kStride, vStride: vStride,
		scale: scale, scratchBytes: 4 * AttentionF16ScratchFloats(c.n, c.pos0, c.dk, c.dv),
	}, want)
}

// attention_f16 gives the reference's Attention over F16 caches bit for
// bit: one query row (DotF16 scores with a float64 remainder past 64,
// padded value sums) and several (the tiled orders when dk is a multiple
// of 16 and dv of 4, DotF16 otherwise), value rows of lengths that leave
// 4- and 1-output steps, positions past 0, grouped-query heads, cache
// rows with a stride, misaligned pointers.
func TestAttentionF16MatchesReference(t *testing.T) {
	e := newKernels(t, 64)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(39, 40))
	cases := attentionCases(
		[][2]int{{1, 1}, {3, 1}, {4, 2}, {9, 3}},
		[][2]int{{64, 64}, {4, 4}, {5, 6}, {65, 13}, {128, 16}, {96, 64}, {32, 12}, {16, 7}},
	)
	for i, c := range cases {
		c.runF16(t, e, b, r, uint32(i))
	}
}

// Values at the edges of the half range (the largest half, infinities,
// subnormals, signed zeros) take the conversion's general path and give
// the reference's bits, infinite outputs included.
func TestAttentionF16RangeEdges(t *testing.T) {
	e := newKernels(t, 64)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(45, 46))
	for i, np := range [][2]int{{1, 70}, {3, 20}, {1, 200}} {
		c := attentionCase{n: np[0], pos0: np[1], heads: 4, kvHeads: 2, dk: 64, dv: 24, kind: 3}
		c.runF16(t, e, b, r, uint32(i))
	}
}

// Steps at the model's shape (SmolLM2-135M: 9 heads of 64, 3 kv heads)
// over a long cache: decode and a prefill chunk.
func TestAttentionF16ModelShape(t *testing.T) {
	e := newKernels(t, 64)
	b := compute.NewReference(2)
	defer b.Close()
	r := rand.New(rand.NewPCG(41, 42))
	for _, np := range [][2]int{{1, 255}, {7, 120}, {32, 160}} {
		c := attentionCase{n: np[0], pos0: np[1], heads: 9, kvHeads: 3, dk: 64, dv: 64}
		c.runF16(t, e, b, r, 1)
	}
}

// Bad arguments write nothing.
func TestAttentionF16BadArgumentsWriteNothing(t *testing.T) {
	e := newKernels(t, 4)
	for i, args := range [][]int32{
		{0, 0, 2, 1, 8, 8}, {1, -1, 2, 1, 8, 8}, {1, 0, 0, 1, 8, 8}, {1, 0, 2, 0, 8, 8},
		{1, 0, 2, 1, 0, 8}, {1, 0, 2, 1, 8, 0}, {1, 0, 3, 2, 8, 8},
	} {
		e.reset()
		p := e.place(t, make([]byte, 4096), 0)
		before := wholeMemory(e)
		e.call(t, KernelAttentionF16, p, p+512, p+1024, p+1536, uint32(args[0]), uint32(args[1]), uint32(args[2]), uint32(args[3]),
			uint32(args[4]), uint32(args[5]), 8, 8, f32Bits(1), p+2048)
		checkSameMemory(t, caseName(fmt.Sprintf("bad arguments %d %v", i, args)), before, wholeMemory(e))
	}
}
