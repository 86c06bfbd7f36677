package kernels

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
)

// ropeCosSin returns the (cos, sin) pairs the reference uses for rows at
// positions pos0 … pos0+rows−1: rotating the pair (1, 0) gives exactly
// (FMA32(1, cos, −0), FMA32(1, sin, 0·cos)) = (cos, sin).
func ropeCosSin(tb testing.TB, b compute.Backend, rows, pos0 int, p compute.Rope) []float32 {
	tb.Helper()
	half := p.Dims / 2
	unit := make([]float32, rows*p.HeadDim)
	for r := range rows {
		for i := range half {
			if p.NeoX {
				unit[r*p.HeadDim+i] = 1
			} else {
				unit[r*p.HeadDim+2*i] = 1
			}
		}
	}
	tu, td := refF32(tb, b, rows, p.HeadDim, unit), refF32(tb, b, rows, p.HeadDim, nil)
	b.Rope(td, tu, pos0, p)
	out := refRead(b, td)
	cs := make([]float32, rows*p.Dims)
	for r := range rows {
		for i := range half {
			i0, i1 := 2*i, 2*i+1
			if p.NeoX {
				i0, i1 = i, i+half
			}
			cs[r*p.Dims+2*i], cs[r*p.Dims+2*i+1] = out[r*p.HeadDim+i0], out[r*p.HeadDim+i1]
		}
	}
	return cs
}

// rope_apply with the reference's angles gives the reference's Rope, for
// both layouts, partial rotation (n_dims < head_dim), several heads and
// rows at positions past 0, frequency factors and YaRN, in place or not.
func TestRopeMatchesReference(t *testing.T) {
	e := newKernels(t, 8)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(31, 32))
	i := 0
	for _, shape := range []struct{ heads, headDim, dims int }{
		{1, 2, 2}, {1, 8, 8}, {2, 8, 6}, {3, 64, 64}, {9, 64, 64}, {2, 128, 128}, {2, 64, 32}, {1, 10, 10}, {2, 12, 4},
	} {
		for _, neox := range []bool{false, true} {
			for _, rows := range []int{1, 3} {
				for _, pos0 := range []int{0, 1, 17, 255, 5000} {
					i++
					p := compute.Rope{HeadDim: shape.headDim, Dims: shape.dims, NeoX: neox, Base: 10000}
					switch i % 4 {
					case 1:
						p.Base, p.Scale = 1e6, 0.25
					case 2: // llama3-style frequency factors
						f := make([]float32, shape.dims/2)
						for j := range f {
							f[j] = 1 + float32(j%5)
						}
						p.Factors = refF32(t, b, 1, len(f), f)
					case 3: // YaRN
						p.ExtFactor, p.AttnFactor, p.BetaFast, p.BetaSlow, p.OrigCtx, p.Scale = 1, 1.1, 32, 1, 4096, 0.25
					}
					name := caseName(fmt.Sprintf("rope %+v rows %d pos0 %d", shape, rows, pos0))
					cols := shape.heads * shape.headDim
					n := rows * cols
					x := mixedF32(r, n, 2, 0.03)
					cs := ropeCosSin(t, b, rows, pos0, p)
					tx, td := refF32(t, b, rows, cols, x), refF32(t, b, rows, cols, nil)
					b.Rope(td, tx, pos0, p)
					want := refRead(b, td)

					e.reset()
					px, pc := e.place(t, f32Bytes(x), uint32(i%4)), e.place(t, f32Bytes(cs), uint32(i%3))
					pd := px
					if i%2 == 0 {
						pd = e.place(t, make([]byte, 4*n), uint32(i%5))
					}
					ne := uint32(0)
					if neox {
						ne = 1
					}
					e.callChecked(t, name, pd, 4*n, KernelRope, pd, px, uint32(rows), uint32(cols), uint32(shape.headDim), uint32(shape.dims), ne, pc)
					compareF32(t, name, e.readF32s(pd, n), want)
				}
			}
		}
	}
}

// attentionCase is one attention call.
type attentionCase struct {
	n, pos0, heads, kvHeads, dk, dv int
	kPad, vPad                      int // extra floats per cache row
	kind                            int // 0 gaussian, 1 large scores, 2 awkward values
}

func (c attentionCase) String() string {
	return fmt.Sprintf("attention n %d pos0 %d heads %d/%d dk %d dv %d pads %d/%d kind %d",
		c.n, c.pos0, c.heads, c.kvHeads, c.dk, c.dv, c.kPad, c.vPad, c.kind)
}

// attention gives the reference's Attention bit for bit: one query row
// (the decode path, DotF32 over padded rows) and several (the tiled value
// sums, or DotF32 again when dv is not a multiple of 4), at positions past
// 0, with grouped-query heads, head sizes around the 64-element blocks of
// the score dot products, cache rows with a stride, misaligned pointers.
func TestAttentionMatchesReference(t *testing.T) {
	e := newKernels(t, 64)
	b := refBackend(t)
	r := rand.New(rand.NewPCG(33, 34))
	cases := attentionCases(
		[][2]int{{1, 1}, {2, 1}, {3, 1}, {4, 2}, {9, 3}},
		[][2]int{{64, 64}, {4, 4}, {5, 6}, {65, 8}, {128, 16}, {72, 64}, {32, 12}},
	)
	for i, c := range cases {
		c.run(t, e, b, r, uint32(i))
	}
}

// attentionCases crosses (heads, kv_heads) pairs, (dk, dv) pairs and
// query rows at positions (one row at 0, 1, 63, 64, 200; several at 0, 15,
// 62, 100), with the cache row paddings and the kinds of values varied
// across the cases.
func attentionCases(heads, sizes [][2]int) []attentionCase {
	var cases []attentionCase
	for _, hk := range heads {
		for _, d := range sizes {
			for _, np := range [][2]int{{1, 0}, {1, 1}, {1, 63}, {1, 64}, {1, 200}, {2, 0}, {3, 15}, {5, 62}, {4, 100}} {
				cases = append(cases, attentionCase{n: np[0], pos0: np[1], heads: hk[0], kvHeads: hk[1], dk: d[0], dv: d[1]})
			}
		}
	}
	for i := range cases {
		cases[i].kPad, cases[i].vPad = i%3, (i/3)%2*5
		cases[i].kind = i % 3
	}
	return cases
}

// inputs draws c's query rows and kvRows cache rows of keys and values
// (pos0 + n, and a spare row never read when mis is odd), scaled and
// awkward as c's kind says, and the scale 1/√dk.
func (c attentionCase) inputs(r *rand.Rand, mis uint32) (kvRows int, scale float32, q, k, v []float32) {
	kvRows = c.pos0 + c.n + int(mis%2)
	scale = float32(1 / math.Sqrt(float64(c.dk)))
	qs, ks := 1.0, 1.0
	awk := 0.0
	switch c.kind {
	case 1:
		qs, ks = 4, 4
	case 2:
		awk = 0.002
	}
	q = mixedF32(r, c.n*c.heads*c.dk, qs, awk)
	k = mixedF32(r, kvRows*c.kvHeads*c.dk, ks, awk)
	v = mixedF32(r, kvRows*c.kvHeads*c.dv, 1, awk)
	return kvRows, scale, q, k, v
}

// attentionCall is one call of an attention kernel on a case's shapes.
type attentionCall struct {
	kernel           string
	name             fmt.Stringer // the case in failures
	q                []float32
	kCache, vCache   []byte // rows of kStride and vStride elements
	kStride, vStride int
	scale            float32
	scratchBytes     int
}

// check places the call's inputs, output and scratch misaligned as mis
// says, makes the call, and checks its outputs against want and that
// nothing outside the output and the scratch changed.
func (c attentionCase) check(t *testing.T, e *kernelEnv, mis uint32, a attentionCall, want []float32) {
	t.Helper()
	e.reset()
	pq := e.place(t, f32Bytes(a.q), mis%4)
	pk := e.place(t, a.kCache, (mis+1)%4)
	pv := e.place(t, a.vCache, (mis+2)%4)
	out := 4 * c.n * c.heads * c.dv
	pd := e.place(t, make([]byte, out), (mis+3)%5)
	ps := e.place(t, make([]byte, a.scratchBytes), mis%3)

	before := wholeMemory(e)
	e.call(t, a.kernel, pd, pq, pk, pv, uint32(c.n), uint32(c.pos0), uint32(c.heads), uint32(c.kvHeads),
		uint32(c.dk), uint32(c.dv), uint32(a.kStride), uint32(a.vStride), f32Bits(a.scale), ps)
	after := wholeMemory(e)
	compareF32(t, a.name, e.readF32s(pd, c.n*c.heads*c.dv), want)
	copy(after[pd:int(pd)+out], before[pd:int(pd)+out])
	copy(after[ps:int(ps)+a.scratchBytes], before[ps:int(ps)+a.scratchBytes])
	checkSameMemory(t, c, before, after)
}

func (c attentionCase) run(t *testing.T, e *kernelEnv, b compute.Backend, r *rand.Rand, mis uint32) {
	t.Helper()
	kvRows, scale, q, k, v := c.inputs(r, mis)

	tq := refF32(t, b, c.n, c.heads*c.dk, q)
	tk := refF32(t, b, kvRows, c.kvHeads*c.dk, k)
	tv := refF32(t, b, kvRows, c.kvHeads*c.dv, v)
	td := refF32(t, b, c.n, c.heads*c.dv, nil)
	b.Attention(td, tq, tk, tv, c.pos0, compute.Attention{Heads: c.heads, KVHeads: c.kvHeads, Scale: scale})
	want := refRead(b, td)

	// the cache rows with a stride
	kStride, vStride := c.kvHeads*c.dk+c.kPad, c.kvHeads*c.dv+c.vPad
	kw, vw := make([]float32, kvRows*kStride), make([]float32, kvRows*vStride)
	for j := range kvRows {
		copy(kw[j*kStride:], k[j*c.kvHeads*c.dk:(j+1)*c.kvHeads*c.dk])
		copy(vw[j*vStride:], v[j*c.kvHeads*c.dv:(j+1)*c.kvHeads*c.dv])
		for x := c.kvHeads * c.dk; x < kStride; x++ {
			kw[j*kStride+x] = float32(math.NaN()) // padding never read
		}
		for x := c.kvHeads * c.dv; x < vStride; x++ {
			vw[j*vStride+x] = float32(math.NaN())
		}
	}
	c.check(t, e, mis, attentionCall{
		kernel: KernelAttention, name: c, q: q,
		kCache: f32Bytes(kw), vCache: f32Bytes(vw), kStride: kStride, vStride: vStride,
		scale: scale, scratchBytes: 4 * ((c.pos0+c.n+15)/16*16 + 64*c.dv),
	}, want)
}

// Steps at the model's shape (SmolLM2-135M: 9 heads of 64, 3 kv heads)
// over a long cache: decode and a prefill chunk.
func TestAttentionModelShape(t *testing.T) {
	e := newKernels(t, 64)
	b := compute.NewReference(2)
	defer b.Close()
	r := rand.New(rand.NewPCG(35, 36))
	for _, np := range [][2]int{{1, 255}, {7, 120}} {
		c := attentionCase{n: np[0], pos0: np[1], heads: 9, kvHeads: 3, dk: 64, dv: 64}
		c.run(t, e, b, r, 1)
	}
}

// rope_apply with any (cos, sin) is the reference's rotate, written with
// compute.FMA32, also on pairs planted to make its fused multiply-adds
// near-ties (where rounding through float64 alone goes wrong).
func TestRopeRotatesAsFMA32(t *testing.T) {
	e := newKernels(t, 4)
	r := rand.New(rand.NewPCG(37, 38))
	for i, shape := range []struct{ rows, heads, headDim, dims int }{{2, 3, 64, 64}, {3, 2, 24, 18}, {1, 1, 6, 2}} {
		for _, neox := range []bool{false, true} {
			half := shape.dims / 2
			cols := shape.heads * shape.headDim
			x := mixedF32(r, shape.rows*cols, 3, 0.02)
			cs := mixedF32(r, shape.rows*shape.dims, 1, 0.02)
			pairs := func(fn func(b0, c0, i0, i1 int)) {
				for row := range shape.rows {
					for h := range shape.heads {
						for p := range half {
							i0, i1 := 2*p, 2*p+1
							if neox {
								i0, i1 = p, p+half
							}
							fn(row*cols+h*shape.headDim, row*shape.dims+2*p, i0, i1)
						}
					}
				}
			}
			pairs(func(b0, c0, i0, i1 int) {
				if r.IntN(2) == 0 { // x0·cos − x1·sin a near-tie: sin = 1, x1 = −c
					var c float32
					x[b0+i0], cs[c0], c = nearTie(r)
					cs[c0+1], x[b0+i1] = 1, -c
				}
			})
			want := append([]float32(nil), x...)
			pairs(func(b0, c0, i0, i1 int) {
				x0, x1, c, s := x[b0+i0], x[b0+i1], cs[c0], cs[c0+1]
				want[b0+i0] = compute.FMA32(x0, c, -(x1 * s))
				want[b0+i1] = compute.FMA32(x0, s, x1*c)
			})
			ne := uint32(0)
			if neox {
				ne = 1
			}
			name := caseName(fmt.Sprintf("rope %+v neox %v", shape, neox))
			e.reset()
			px, pc := e.place(t, f32Bytes(x), uint32(i)), e.place(t, f32Bytes(cs), 2)
			e.callChecked(t, name, px, 4*len(x), KernelRope, px, px, uint32(shape.rows), uint32(cols), uint32(shape.headDim), uint32(shape.dims), ne, pc)
			compareF32(t, name, e.readF32s(px, len(x)), want)
		}
	}
}
