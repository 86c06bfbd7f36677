package kernels

import (
	"bytes"
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
)

// BenchmarkFloatOps times each float-operation kernel under wazero's
// compiler against the same operation of the native reference backend
// (compute.NewReference(1)), at SmolLM2-135M's shapes: 576 wide, 9 heads
// of 64 over 3 kv heads, an MLP of 1536, a 256-token context. Each call is
// one token's worth (decode) except attention/prefill, 16 query rows at
// positions 240–255, whose ns/token divides by 16. A decode step runs
// per layer: 2 rmsnorm, rope on q and k, attention, 2 add, swiglu (30
// layers), and one get_rows.
//
//	go test ./kernels_wasm -run '^$' -bench FloatOps
func BenchmarkFloatOps(b *testing.B) {
	const (
		dim, heads, kvHeads, hd, ffn, ctx = 576, 9, 3, 64, 1536, 256
	)
	r := rand.New(rand.NewPCG(41, 42))
	e := newKernels(b, 64)
	ref := compute.NewReference(1)
	defer ref.Close()
	f32 := func(rows, cols int, scale float64) ([]float32, uint32, compute.Tensor) {
		x := mixedF32(r, rows*cols, scale, 0)
		return x, e.place(b, f32Bytes(x), 0), refF32(b, ref, rows, cols, x)
	}
	_, px, tx := f32(1, dim, 1)
	_, pw, tw := f32(1, dim, 1)
	_, pg, tg := f32(1, ffn, 2)
	_, pu, tu := f32(1, ffn, 2)
	_, pdst, _ := f32(16, ffn, 1)
	_, pq, tq := f32(16, heads*hd, 1)
	_, pk, tk := f32(ctx, kvHeads*hd, 1)
	_, pv, tv := f32(ctx, kvHeads*hd, 1)
	_, _, tatt := f32(16, heads*hd, 1)
	t576, t1536 := refF32(b, ref, 1, dim, nil), refF32(b, ref, 1, ffn, nil)
	rope := compute.Rope{HeadDim: hd, Dims: hd, Base: 10000}
	cs := ropeCosSin(b, ref, 1, ctx-1, rope)
	pcs := e.place(b, f32Bytes(cs), 0)
	scratch := e.place(b, make([]byte, 4*(ctx+64*hd)), 0)
	scale := f32Bits(0.125)

	// an embedding table of 64 rows
	table := quantizedRow(b, e, dtype.Q8_0, 64*dim, 1)
	ptab := e.place(b, table, 0)
	ttab, err := ref.Alloc(dtype.Q8_0, 64, dim)
	if err != nil {
		b.Fatal(err)
	}
	if err := ref.Load(ttab, bytes.NewReader(table)); err != nil {
		b.Fatal(err)
	}
	pid := e.place(b, []byte{17, 0, 0, 0}, 0)
	temb := refF32(b, ref, 1, dim, nil)

	type op struct {
		name   string
		tokens int
		kernel string
		args   []uint32
		native func()
	}
	ops := []op{
		{"rmsnorm/576", 1, KernelRMSNorm, []uint32{pdst, px, pw, 1, dim, dim, f32Bits(1e-5)},
			func() { ref.RMSNorm(t576, tx, tw, 1e-5) }},
		{"rope/q+k", 1, KernelRope, []uint32{pdst, pq, 1, (heads + kvHeads) * hd, hd, hd, 0, pcs},
			func() {
				ref.Rope(tatt.Row(0), tq.Row(0), ctx-1, rope)
				ref.Rope(tk.Row(0), tk.Row(0), ctx-1, rope)
			}},
		{"attention/decode", 1, KernelAttention, []uint32{pdst, pq, pk, pv, 1, ctx - 1, heads, kvHeads, hd, hd, kvHeads * hd, kvHeads * hd, scale, scratch},
			func() {
				ref.Attention(tatt.Row(0), tq.Row(0), tk, tv, ctx-1, compute.Attention{Heads: heads, KVHeads: kvHeads, Scale: 0.125})
			}},
		{"attention/prefill16", 16, KernelAttention, []uint32{pdst, pq, pk, pv, 16, ctx - 16, heads, kvHeads, hd, hd, kvHeads * hd, kvHeads * hd, scale, scratch},
			func() {
				ref.Attention(tatt, tq, tk, tv, ctx-16, compute.Attention{Heads: heads, KVHeads: kvHeads, Scale: 0.125})
			}},
		{"add/576", 1, KernelAdd, []uint32{pdst, px, pw, 1, dim, 1}, func() { ref.Add(t576, tx, tw) }},
		{"swiglu/1536", 1, KernelSwiGLU, []uint32{pdst, pg, pu, 1, ffn}, func() { ref.SwiGLU(t1536, tg, tu) }},
		{"silu/1536", 1, KernelSiLU, []uint32{pdst, pg, 1, ffn}, func() { ref.SiLU(t1536, tg) }},
		{"mul/1536", 1, KernelMul, []uint32{pdst, pg, pu, 1, ffn, 1}, func() { ref.Mul(t1536, tg, tu) }},
		{"scale/1536", 1, KernelScale, []uint32{pdst, pg, ffn, scale}, func() { ref.Scale(t1536, tg, 0.125) }},
		{"softmax/1536", 1, KernelSoftmax, []uint32{pdst, pg, 1, ffn}, func() { ref.Softmax(t1536, tg) }},
		{"get_rows_q8_0/576", 1, GetRowsKernel("q8_0"), []uint32{pdst, ptab, pid, 1, dim},
			func() { ref.GetRows(temb, ttab, []int32{17}) }},
	}
	for _, o := range ops {
		b.Run(o.name+"/wazero", func(b *testing.B) {
			fn := e.mod.ExportedFunction(o.kernel)
			stack := make([]uint64, len(o.args))
			for b.Loop() {
				for i, a := range o.args {
					stack[i] = uint64(a)
				}
				if err := fn.CallWithStack(e.ctx, stack); err != nil {
					b.Fatal(err)
				}
			}
			reportNsPerToken(b, o.tokens)
		})
		b.Run(o.name+"/native", func(b *testing.B) {
			for b.Loop() {
				o.native()
			}
			reportNsPerToken(b, o.tokens)
		})
	}
}

// reportNsPerToken reports the time per token of a call covering tokens
// tokens.
func reportNsPerToken(b *testing.B, tokens int) {
	if s := b.Elapsed().Seconds(); s > 0 {
		b.ReportMetric(s*1e9/float64(b.N)/float64(tokens), "ns/token")
	}
}
