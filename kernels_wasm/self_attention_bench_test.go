package kernels

import (
	"math/rand/v2"
	"testing"

	"github.com/hearth-ai/hearth/engine/compute"
)

// BenchmarkSelfAttention times the encoder's attention for one head of
// SmolVLM-256M's tile (1024 rows, 64 elements) under wazero's compiler
// (self_attention_prep, self_attention), against the native reference's
// SelfAttention:
//
//	go test ./kernels_wasm -run '^$' -bench SelfAttention
func BenchmarkSelfAttention(b *testing.B) {
	const n, heads, d = 1024, 1, 64
	r := rand.New(rand.NewPCG(75, 76))
	e := newKernels(b, 256)
	q, k, v := mixedF32(r, n*heads*d, 1, 0), mixedF32(r, n*heads*d, 1, 0), mixedF32(r, n*heads*d, 1, 0)
	pq, pk, pv := e.place(b, f32Bytes(q), 0), e.place(b, f32Bytes(k), 0), e.place(b, f32Bytes(v), 0)
	pd := e.place(b, make([]byte, 4*len(q)), 0)
	pkt := e.place(b, make([]byte, 4*SelfAttentionKeyFloats(n, heads, d)), 0)
	pvr := e.place(b, make([]byte, 4*len(v)), 0)
	scratch := e.place(b, make([]byte, SelfAttentionScratchBytes(d)), 0)
	b.Run("wazero", func(b *testing.B) {
		prep, att := e.mod.ExportedFunction(KernelSelfAttentionPrep), e.mod.ExportedFunction(KernelSelfAttention)
		for b.Loop() {
			if _, err := prep.Call(e.ctx, uint64(pkt), uint64(pvr), uint64(pk), uint64(pv), n, heads, d, 0, n); err != nil {
				b.Fatal(err)
			}
			if _, err := att.Call(e.ctx, uint64(pd), uint64(pq), uint64(pkt), uint64(pvr), n, heads, d, 0, n,
				uint64(f32Bits(0.125)), uint64(scratch)); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("reference", func(b *testing.B) {
		ref := compute.NewReference(1)
		defer ref.Close()
		tq, tk, tv := refF32(b, ref, n, heads*d, q), refF32(b, ref, n, heads*d, k), refF32(b, ref, n, heads*d, v)
		td := refF32(b, ref, n, heads*d, nil)
		for b.Loop() {
			ref.SelfAttention(td, tq, tk, tv, compute.SelfAttention{Heads: heads, Scale: 0.125, Flash: true})
		}
	})
}
