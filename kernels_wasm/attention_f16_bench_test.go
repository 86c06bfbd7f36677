package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
)

// BenchmarkAttentionF16 times attention over an F32 cache (attention) and
// over an F16 one (attention_f16) under wazero's compiler, and the native
// reference's Attention on each, at SmolLM2-135M's shape (9 heads of 64
// over 3 kv heads) for one decode step at position 191 (a 192-token
// context) and for a 16-row prefill at positions 240–255 (ns/token divides
// by 16).
//
//	go test ./kernels_wasm -run '^$' -bench AttentionF16
func BenchmarkAttentionF16(b *testing.B) {
	const heads, kvHeads, hd, ctx = 9, 3, 64, 256
	r := rand.New(rand.NewPCG(43, 44))
	e := newKernels(b, 64)
	ref := compute.NewReference(1)
	defer ref.Close()
	q := mixedF32(r, 16*heads*hd, 1, 0)
	k := mixedF32(r, ctx*kvHeads*hd, 1, 0)
	v := mixedF32(r, ctx*kvHeads*hd, 1, 0)
	tq, tk, tv := refF32(b, ref, 16, heads*hd, q), refF32(b, ref, ctx, kvHeads*hd, k), refF32(b, ref, ctx, kvHeads*hd, v)
	tk16, kh := refF16(b, ref, ctx, kvHeads*hd, k)
	tv16, vh := refF16(b, ref, ctx, kvHeads*hd, v)
	tatt := refF32(b, ref, 16, heads*hd, nil)
	pq, pk, pv := e.place(b, f32Bytes(q), 0), e.place(b, f32Bytes(k), 0), e.place(b, f32Bytes(v), 0)
	pk16, pv16 := e.place(b, stridedHalves(kh, ctx, kvHeads*hd, kvHeads*hd), 0), e.place(b, stridedHalves(vh, ctx, kvHeads*hd, kvHeads*hd), 0)
	pdst := e.place(b, make([]byte, 4*16*heads*hd), 0)
	scratch := e.place(b, make([]byte, 4*AttentionF16ScratchFloats(16, ctx-16, hd, hd)), 0)
	p := compute.Attention{Heads: heads, KVHeads: kvHeads, Scale: 0.125}
	for _, c := range []struct {
		name        string
		n, pos0     int
		kernel      string
		k, v        uint32
		tk, tv      compute.Tensor
		tokens      int
		rows, rows1 int
	}{
		{"decode192/f32", 1, 191, KernelAttention, pk, pv, tk, tv, 1, 0, 1},
		{"decode192/f16", 1, 191, KernelAttentionF16, pk16, pv16, tk16, tv16, 1, 0, 1},
		{"prefill16/f32", 16, 240, KernelAttention, pk, pv, tk, tv, 16, 0, 16},
		{"prefill16/f16", 16, 240, KernelAttentionF16, pk16, pv16, tk16, tv16, 16, 0, 16},
	} {
		args := []uint32{pdst, pq, c.k, c.v, uint32(c.n), uint32(c.pos0), heads, kvHeads, hd, hd, kvHeads * hd, kvHeads * hd, f32Bits(0.125), scratch}
		b.Run(c.name+"/wazero", func(b *testing.B) {
			fn := e.mod.ExportedFunction(c.kernel)
			stack := make([]uint64, len(args))
			for b.Loop() {
				for i, a := range args {
					stack[i] = uint64(a)
				}
				if err := fn.CallWithStack(e.ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
			reportNsPerToken(b, c.tokens)
		})
		b.Run(c.name+"/native", func(b *testing.B) {
			kv, vv := c.tk.Slice(0, c.pos0+c.n), c.tv.Slice(0, c.pos0+c.n)
			for b.Loop() {
				ref.Attention(tatt.Slice(c.rows, c.rows1), tq.Slice(c.rows, c.rows1), kv, vv, c.pos0, p)
			}
			reportNsPerToken(b, c.tokens)
		})
	}
}
