package compute

import (
	"bytes"
	"math"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// attention64 is causal grouped-query attention in float64 (exp from the
// math package): the value the float32 computations approximate.
func attention64(q, k, v []float64, n, pos0, heads, kvHeads, dk, dv int, scale float64) (out, absSum []float64) {
	out, absSum = make([]float64, n*heads*dv), make([]float64, n*heads*dv)
	for r := range n {
		for h := range heads {
			kh := h / (heads / kvHeads)
			nkv := pos0 + r + 1
			s := make([]float64, nkv)
			m := math.Inf(-1)
			for j := range s {
				for i := range dk {
					s[j] += q[(r*heads+h)*dk+i] * k[(j*kvHeads+kh)*dk+i]
				}
				s[j] *= scale
				m = max(m, s[j])
			}
			var sum float64
			for j := range s {
				s[j] = math.Exp(s[j] - m)
				sum += s[j]
			}
			for d := range dv {
				o := (r*heads+h)*dv + d
				for j := range s {
					x := v[(j*kvHeads+kh)*dv+d]
					out[o] += s[j] / sum * x
					absSum[o] += s[j] / sum * math.Abs(x)
				}
			}
		}
	}
	return out, absSum
}

// scoreError bounds how far rounding q and k to halves moves any score of
// query row r, head h: |q'·k' − q·k| ≤ Σ|q_i·k_i|·(2u + u²), u = 2⁻¹¹.
func scoreError(q, k []float64, r, h, heads, kvHeads, dk, nkv int, scale float64) float64 {
	const u = 0x1p-11
	kh := h / (heads / kvHeads)
	var worst float64
	for j := range nkv {
		var a float64
		for i := range dk {
			a += math.Abs(q[(r*heads+h)*dk+i] * k[(j*kvHeads+kh)*dk+i])
		}
		worst = max(worst, a*scale*(2*u+u*u))
	}
	return worst
}

func to64(x []float32) []float64 {
	y := make([]float64, len(x))
	for i, v := range x {
		y[i] = float64(v)
	}
	return y
}

// Attention over an F16 cache against float64 attention, within bounds
// that follow from rounding to halves (u = 2⁻¹¹, a half's relative
// rounding error) and nothing else (float32 rounding is ~2⁻²⁴, a slack of
// 2⁻¹⁸ relative covers it):
//
//   - on the halves' own values (q, k, v already rounded), only the
//     probabilities' rounding remains: |Δo| ≤ u·Σ_j p_j·|v_j|;
//   - on the unrounded F32 inputs, the scores move by at most E (q and k
//     rounded, scoreError), which scales each probability by at most
//     e^{±2E}; with p and v rounded too,
//     |Δo| ≤ (e^{2E}·(1+u)² − 1)·Σ_j p_j·|v_j|.
//
// The cases are a decode step and a prefill chunk at the shape of
// SmolLM2-135M (9 heads, 3 kv heads, 64 per head) and a head size with a
// remainder after 64.
func TestAttentionF16AgainstFloat64(t *testing.T) {
	const u = 0x1p-11
	b := NewReference(2)
	defer b.Close()
	r := rand.New(rand.NewPCG(63, 64))
	for _, c := range []struct{ heads, kvHeads, dk, dv, n, pos0 int }{
		{9, 3, 64, 64, 1, 191}, {9, 3, 64, 64, 16, 100}, {4, 2, 96, 80, 3, 40},
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

		tq, tk, tv := b.mustF32(t, c.n, c.heads*c.dk, q), b.mustF16(t, nkv, c.kvHeads*c.dk, k), b.mustF16(t, nkv, c.kvHeads*c.dv, v)
		td := b.mustF32(t, c.n, c.heads*c.dv, nil)
		b.Attention(td, tq, tk, tv, c.pos0, Attention{Heads: c.heads, KVHeads: c.kvHeads, Scale: float32(scale)})
		got := b.f32(td)

		rounded := func(x []float32) []float64 {
			y := make([]float64, len(x))
			for i, v := range x {
				y[i] = float64(RoundF16(v))
			}
			return y
		}
		q64, k64 := to64(q), to64(k)
		exactOnHalves, absHalves := attention64(rounded(q), rounded(k), rounded(v), c.n, c.pos0, c.heads, c.kvHeads, c.dk, c.dv, scale)
		exact, abs := attention64(q64, k64, to64(v), c.n, c.pos0, c.heads, c.kvHeads, c.dk, c.dv, scale)
		errs := make([]float64, c.n*c.heads) // scoreError per (row, head)
		for i := range errs {
			errs[i] = scoreError(q64, k64, i/c.heads, i%c.heads, c.heads, c.kvHeads, c.dk, c.pos0+i/c.heads+1, scale)
		}
		var worstHalves, worst float64
		for i, g := range got {
			row, h := i/(c.heads*c.dv), i%(c.heads*c.dv)/c.dv
			if d, bound := math.Abs(float64(g)-exactOnHalves[i]), absHalves[i]*(u+0x1p-18); d > bound {
				t.Fatalf("%+v output %d: %v, float64 on the halves %v: off by %.3g > %.3g", c, i, g, exactOnHalves[i], d, bound)
			} else {
				worstHalves = max(worstHalves, d/absHalves[i])
			}
			e := errs[row*c.heads+h]
			bound := (math.Exp(2*e)*(1+u)*(1+u) - 1 + 0x1p-18) * abs[i]
			if d := math.Abs(float64(g) - exact[i]); d > bound {
				t.Fatalf("%+v output %d: %v, float64 %v: off by %.3g > %.3g", c, i, g, exact[i], d, bound)
			} else {
				worst = max(worst, d/abs[i])
			}
		}
		t.Logf("%+v: largest |Δ|/Σp|v|: %.2g on the halves' values (bound %.2g), %.2g on the F32 inputs", c, worstHalves, u, worst)
	}
}

func (b *Reference) mustF32(t *testing.T, rows, cols int, x []float32) Tensor {
	t.Helper()
	tt, err := b.Alloc(dtype.F32, rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	if x != nil {
		b.Write(tt, x)
	}
	return tt
}

// mustF16 makes an F16 tensor of x rounded to halves.
func (b *Reference) mustF16(t *testing.T, rows, cols int, x []float32) Tensor {
	t.Helper()
	data := make([]byte, 2*len(x))
	if err := quant.Quantize(dtype.F16, x, data); err != nil {
		t.Fatal(err)
	}
	tt, err := b.Alloc(dtype.F16, rows, cols)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Load(tt, bytes.NewReader(data)); err != nil {
		t.Fatal(err)
	}
	return tt
}
