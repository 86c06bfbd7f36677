package computetest

import (
	"fmt"
	"math"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The F16 key/value cache: Copy of F32 rows into F16 tensors, and
// Attention over F16 keys and values.

// copyF16: F32 rows copied into an F16 tensor are rounded as
// quant.F32ToF16 rounds them (values past the half range become infinity,
// tiny ones subnormal halves), into a row view without touching the rows
// around it; F16 rows copy into another F16 tensor as they are.
func (s *suite) copyF16() {
	const rows, cols = 5, 24
	x := s.randn(rows*cols, 3)
	x[0], x[1], x[2], x[3] = 70000, -65519, 1e-6, 3e-8 // infinity, the largest half, subnormals
	x[4], x[5] = 1+1.0/2048, 1+3.0/2048                // ties: to even, down and up
	guardRows := s.randn((rows+2)*cols, 1)
	cache, guardBytes := s.weight(dtype.F16, rows+2, cols, guardRows)
	s.b.Copy(cache.Slice(1, rows+1), s.f32(rows, cols, x))

	want := make([]byte, len(guardBytes))
	copy(want, guardBytes)
	for i, v := range x {
		h := quant.F32ToF16(v)
		want[2*(cols+i)], want[2*(cols+i)+1] = byte(h), byte(h>>8)
	}
	all := make([]int32, rows+2)
	for i := range all {
		all[i] = int32(i)
	}
	got := s.f32(rows+2, cols, nil)
	s.b.GetRows(got, cache, all)
	s.same("Copy of F32 rows into rows 1–5 of an F16 tensor", s.read(got), getRowsLoop(dtype.F16, want, cols, all))

	bigger, err := s.b.Alloc(dtype.F16, rows+4, cols)
	if err != nil {
		s.t.Fatal(err)
	}
	s.b.Copy(bigger.Slice(2, rows+4), cache)
	out := s.f32(rows+2, cols, nil)
	s.b.GetRows(out, bigger, []int32{2, 3, 4, 5, 6, 7, 8})
	s.same("Copy of an F16 tensor into rows 2… of another", s.read(out), getRowsLoop(dtype.F16, want, cols, all))
	zero := s.f32(2, cols, nil)
	s.b.GetRows(zero, bigger, []int32{0, 1})
	s.same("rows 0–1 of an F16 tensor after a Copy into rows 2…", s.read(zero), make([]float32, 2*cols))
}

// attentionF16: Attention over F16 keys and values gives the loop's bits
// (attentionLoopF16): one query row and several, score lengths with and
// without a remainder after 64 or 16 elements, value rows of a length
// that is not a multiple of 4, rows longer than 64.
func (s *suite) attentionF16() {
	for _, c := range []struct {
		heads, kvHeads, dk, dv, n, pos0 int
	}{
		{4, 4, 16, 16, 1, 0},
		{4, 2, 16, 16, 5, 0},
		{6, 2, 8, 8, 3, 9},     // dk not a multiple of 16: single-row scores for several rows
		{3, 1, 32, 6, 4, 2},    // dv not a multiple of 4: single-row value sums
		{4, 2, 96, 96, 3, 70},  // rows longer than 64
		{2, 1, 96, 64, 1, 100}, // one row: scores with a float64 remainder after 64
		{9, 3, 64, 64, 1, 191}, // SmolLM2-135M's heads at a decode step
		{2, 2, 16, 16, 20, 0},
	} {
		nkv := c.pos0 + c.n + 3
		q := s.randn(c.n*c.heads*c.dk, 1)
		k := s.randn(nkv*c.kvHeads*c.dk, 1)
		v := s.randn(nkv*c.kvHeads*c.dv, 1)
		scale := float32(1 / math.Sqrt(float64(c.dk)))
		qt := s.f32(c.n, c.heads*c.dk, q)
		kt, kb := s.weight(dtype.F16, nkv, c.kvHeads*c.dk, k)
		vt, vb := s.weight(dtype.F16, nkv, c.kvHeads*c.dv, v)
		whole, mid := s.guarded(c.n, c.heads*c.dv)
		s.b.Attention(mid, qt, kt, vt, c.pos0, compute.Attention{Heads: c.heads, KVHeads: c.kvHeads, Scale: scale})
		what := fmt.Sprintf("F16 Attention %d heads / %d kv, dk %d dv %d, %d rows at %d", c.heads, c.kvHeads, c.dk, c.dv, c.n, c.pos0)
		s.same(what, s.checkGuards(what, whole), attentionLoopF16(s.opt.Order, q, halves(kb), halves(vb), c.n, c.pos0, c.heads, c.kvHeads, c.dk, c.dv, scale))
	}
}

// halves reads little-endian F16 bytes.
func halves(b []byte) []uint16 {
	h := make([]uint16, len(b)/2)
	for i := range h {
		h[i] = uint16(b[2*i]) | uint16(b[2*i+1])<<8
	}
	return h
}

// attentionLoopF16 is Attention over F16 caches k and v, as
// compute.Backend.Attention states it (in compute.OrderWllama, with
// DotF16Wasm: of the query and each key, then of the probabilities and
// each value column padded with zeros to a multiple of 16).
func attentionLoopF16(o compute.Order, q []float32, k, v []uint16, n, pos0, heads, kvHeads, dk, dv int, scale float32) []float32 {
	out := make([]float32, n*heads*dv)
	for r := 0; r < n; r++ {
		for h := 0; h < heads; h++ {
			kh := h / (heads / kvHeads)
			nkv := pos0 + r + 1
			qh := make([]uint16, dk)
			for i := range qh {
				qh[i] = quant.F32ToF16(q[r*heads*dk+h*dk+i])
			}
			s := make([]float32, nkv)
			for j := range s {
				kj := k[j*kvHeads*dk+kh*dk : j*kvHeads*dk+(kh+1)*dk]
				switch {
				case o == compute.OrderWllama:
					s[j] = compute.DotF16Wasm(kj, qh) * scale
				case n >= 2 && dk%16 == 0:
					s[j] = compute.DotF16Tiled(qh, kj) * scale
				default:
					s[j] = compute.DotF16(qh, kj, false) * scale
				}
			}
			p16 := make([]uint16, nkv)
			for j, x := range softmaxLoop(o, s, true) {
				p16[j] = quant.F32ToF16(x)
			}
			for d := 0; d < dv; d++ {
				col := make([]uint16, nkv)
				for j := range col {
					col[j] = v[j*kvHeads*dv+kh*dv+d]
				}
				switch {
				case o == compute.OrderWllama:
					out[r*heads*dv+h*dv+d] = compute.DotF16Wasm(padTo16(p16), padTo16(col))
				case n >= 2 && dv%4 == 0:
					out[r*heads*dv+h*dv+d] = compute.DotF16Tiled(p16, col)
				default:
					out[r*heads*dv+h*dv+d] = compute.DotF16(p16, col, true)
				}
			}
		}
	}
	return out
}
