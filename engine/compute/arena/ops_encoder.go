package arena

import (
	"fmt"
	"math"
	"sync"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/quant"
)

// The vision encoder's operations, as kernels: LayerNorm (layernorm),
// GELU and GELUQuick (gelu over a table of the reference's values, kept
// in the arena once used), and SelfAttention with ggml's tiled flash
// arithmetic (the encoder's: at least compute.FlashTileRows rows, heads
// of a multiple of 4; self_attention_prep, then self_attention), each
// split across threads by rows. The other forms of SelfAttention (not
// flash, or few rows: small encoders and tests) have no kernel: they run
// in Go on the backend's private reference backend, their operands
// copied out of the arena and the result copied back.

// writeBack copies the reference tensor ht into the F32 arena tensor t.
func (h *hostOps) writeBack(t, ht compute.Tensor) {
	h.stage = grow(h.stage, t.Rows()*t.Cols())
	h.ref.Read(ht, h.stage)
	h.b.dev.Write(h.b.f32(t), f32Bytes(h.stage))
}

// LayerNorm normalises each row, multiplies by w and adds b (see
// compute.Backend.LayerNorm): layernorm(dst, x, w, b, rows, cols, eps),
// w and b 0 when absent.
func (b *Backend) LayerNorm(dst, x, w, bias compute.Tensor, eps float32) {
	b.gen++
	sameShape("LayerNorm", dst, x)
	for _, p := range []compute.Tensor{w, bias} {
		if p.Valid() && (p.Rows() != 1 || p.Cols() != x.Cols()) {
			panic(fmt.Sprintf("arena: LayerNorm: %v does not fit rows of %v", p, x))
		}
	}
	d, xo := b.f32(dst), b.f32(x)
	var wo, bo uint32
	if w.Valid() {
		wo = b.f32(w)
	}
	if bias.Valid() {
		bo = b.f32(bias)
	}
	if x.Rows() == 0 || x.Cols() == 0 {
		return
	}
	s := b.rowArgs(uint64(4*x.Cols()), 4, 0, 1)
	s.base = Args{0: uint64(d), 1: uint64(xo), 2: uint64(wo), 3: uint64(bo), 5: uint64(x.Cols()), 6: F32Arg(eps)}
	b.run(b.k.layerNorm, x.Rows(), rowGrain(x.Cols()))
}

// GELU is dst = compute.GELU32(x): gelu(dst, x, n, table, 1).
func (b *Backend) GELU(dst, x compute.Tensor) { b.gelu("GELU", dst, x, false) }

// GELUQuick is dst = compute.GELUQuick32(x): gelu(dst, x, n, table, 0).
func (b *Backend) GELUQuick(dst, x compute.Tensor) { b.gelu("GELUQuick", dst, x, true) }

func (b *Backend) gelu(name string, dst, x compute.Tensor, quick bool) {
	b.gen++
	sameShape(name, dst, x)
	d, xo := b.f32(dst), b.f32(x)
	if x.Rows() == 0 || x.Cols() == 0 {
		return
	}
	which, clamp := 0, uint64(1)
	if quick {
		which, clamp = 1, 0
	}
	tab := &b.geluTab[which]
	if tab.off == 0 {
		off, err := b.alloc(4<<16, false)
		if err != nil {
			panic(fmt.Sprintf("arena: %s table: %v", name, err))
		}
		b.dev.Write(off, f32Bytes(geluTables()[which][:]))
		*tab = block{off: off, size: 4 << 16}
	}
	s := b.rowArgs(uint64(4*x.Cols()), 2, 0, 1)
	s.perCount[2] = uint64(x.Cols()) // n counts elements
	s.base = Args{0: uint64(d), 1: uint64(xo), 3: uint64(tab.off), 4: clamp}
	b.run(b.k.gelu, x.Rows(), rowGrain(x.Cols()))
}

// geluTables are gelu's tables for GELU and quick GELU: for each half h,
// the reference's compute.GELU32 (GELUQuick32) at a float32 that rounds
// to h — inside (−10, 10) where there is one, so that ±10, which only
// inputs just inside GELU's clamp reach through the table, get the
// table's value rather than the clamp's.
var geluTables = sync.OnceValue(func() *[2][1 << 16]float32 {
	var t [2][1 << 16]float32
	for h := range t[0] {
		x := quant.F16ToF32(uint16(h))
		if x == 10 || x == -10 {
			x = math.Nextafter32(x, 0)
		}
		t[0][h], t[1][h] = compute.GELU32(x), compute.GELUQuick32(x)
	}
	return &t
})

// SelfAttention is full multi-head attention of the rows over themselves
// (see compute.Backend.SelfAttention): as kernels for ggml's tiled flash
// arithmetic, else in Go.
func (b *Backend) SelfAttention(dst, q, k, v compute.Tensor, p compute.SelfAttention) {
	b.gen++
	if p.Heads <= 0 || q.Cols()%p.Heads != 0 {
		panic(fmt.Sprintf("arena: SelfAttention: %d heads do not divide rows of %v", p.Heads, q))
	}
	sameShape("SelfAttention", k, q)
	sameShape("SelfAttention", v, q)
	sameShape("SelfAttention", dst, q)
	if dst.Buffer() == q.Buffer() || dst.Buffer() == k.Buffer() || dst.Buffer() == v.Buffer() {
		panic(fmt.Sprintf("arena: SelfAttention: output %v shares a buffer with its inputs", dst))
	}
	do, qo, ko, vo := b.f32(dst), b.f32(q), b.f32(k), b.f32(v)
	n, cols := q.Rows(), q.Cols()
	if n == 0 || cols == 0 {
		return
	}
	if d := cols / p.Heads; p.Flash && compute.FlashTiled(n, d) {
		b.selfAttentionTiled(do, qo, ko, vo, n, p.Heads, d, p.Scale)
		return
	}
	h := b.host
	hq, hk, hv := h.in(0, q), h.in(1, k), h.in(2, v)
	ho := h.tensor(3, q.Rows(), q.Cols())
	h.ref.SelfAttention(ho, hq, hk, hv, p)
	h.writeBack(dst, ho)
}

// EncoderScratchBytes is the arena memory, beyond their tensors, that the
// encoder's operations take on a backend with threads threads, for rows
// of n values of heads heads of d: the two GELU tables, and the tiled
// flash attention's rounded keys and values and each thread's working
// rows. The attention's part lives in the backend's scratch block, which
// the other operations share and which grows to at least twice its old
// size when it grows (so a block grown from one just under this size
// holds up to twice it).
func EncoderScratchBytes(n, heads, d, threads int) int64 {
	size := 2 * roundUp(4<<16)
	if n > 0 && heads > 0 && d > 0 && compute.FlashTiled(n, d) {
		cols := heads * d
		size += roundUp(selfAttentionKeyBytes(n, cols)) + roundUp(4*uint64(n)*uint64(cols)) +
			selfAttentionJobBytes(d)*uint64(max(threads, 1))
	}
	return int64(size)
}

// selfAttentionKeyBytes is the size of self_attention_prep's transposed
// keys (kernels.SelfAttentionKeyFloats): n rows rounded up to blocks of
// eight keys, for every element of a row.
func selfAttentionKeyBytes(n, cols int) uint64 { return 4 * uint64((n+7)/8*8) * uint64(cols) }

// selfAttentionJobBytes is one job's scratch for self_attention
// (kernels.SelfAttentionScratchBytes): four query rows, their outputs
// and one 64-key tile of their scores.
func selfAttentionJobBytes(d int) uint64 { return roundUp(uint64(4 * 4 * (2*d + 64))) }

// selfAttentionTiled runs ggml's tiled flash attention as kernels:
// self_attention_prep(kt, vr, k, v, n, heads, d, row0, row1) rounds the
// keys (transposed) and values to halves into scratch, split by rows;
// then self_attention(dst, q, kt, vr, n, heads, d, row0, row1, scale,
// scratch), split by query rows in whole blocks of four, each job with its
// own scratch.
func (b *Backend) selfAttentionTiled(do, qo, ko, vo uint32, n, heads, d int, scale float32) {
	cols := heads * d
	ktBytes, vrBytes := roundUp(selfAttentionKeyBytes(n, cols)), roundUp(4*uint64(n)*uint64(cols))
	per := selfAttentionJobBytes(d)
	kt := b.ensure(&b.scratch, ktBytes+vrBytes+per*uint64(len(b.jobs)))
	vr := kt + uint32(ktBytes)
	s := b.newSplit()
	s.base = Args{0: uint64(kt), 1: uint64(vr), 2: uint64(ko), 3: uint64(vo), 4: uint64(n), 5: uint64(heads), 6: uint64(d)}
	s.perItem[7], s.perItem[8], s.perCount[8] = 1, 1, 1
	b.run(b.k.selfAttentionPrep, n, 8)
	s = b.newSplit()
	s.base = Args{0: uint64(do), 1: uint64(qo), 2: uint64(kt), 3: uint64(vr), 4: uint64(n), 5: uint64(heads), 6: uint64(d),
		9: F32Arg(scale), 10: uint64(vr) + vrBytes}
	s.perItem[7], s.perItem[8], s.perCount[8] = 1, 1, 1
	s.perJob[10] = per
	b.run(b.k.selfAttention, n, 4)
}
