package arena

import (
	"fmt"
	"unsafe"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
)

// The float operations: each checks its operands as the reference does,
// then calls its kernel, split across threads.

// rowArgs sets up a row-wise split: arguments ptrs advance by rowBytes per
// row (0 for a broadcast operand); count is the index of the row-count
// argument.
func (b *Backend) rowArgs(rowBytes uint64, count int, ptrs ...int) *rowSplit {
	s := b.newSplit()
	for _, i := range ptrs {
		s.perItem[i] = rowBytes
	}
	s.perCount[count] = 1
	return s
}

// rowGrain keeps a one-token step on one thread: shares of at least ~16k
// elements.
func rowGrain(cols int) int { return max(1, 16384/max(1, cols)) }

// binary is Add, Mul or SwiGLU:
//
//	add(dst, a, b, rows, cols, b_rows), mul(…), swiglu(dst, gate, up, rows, cols)
func (b *Backend) binary(name string, k Kernel, dst, a, bb compute.Tensor) {
	b.gen++
	sameShape(name, dst, a)
	if bb.Cols() != a.Cols() || (bb.Rows() != a.Rows() && bb.Rows() != 1) {
		panic(fmt.Sprintf("arena: %s: %v and %v do not fit", name, a, bb))
	}
	d, x, y := b.f32(dst), b.f32(a), b.f32(bb)
	if a.Rows() == 0 || a.Cols() == 0 {
		return
	}
	rb := uint64(4 * a.Cols())
	bcast := bb.Rows() == 1 && a.Rows() != 1
	var s *rowSplit
	if name == "SwiGLU" {
		s = b.rowArgs(rb, 3, 0, 1, 2)
	} else if bcast {
		s = b.rowArgs(rb, 3, 0, 1)
		s.base[5] = 1
	} else {
		s = b.rowArgs(rb, 3, 0, 1, 2)
		s.perCount[5] = 1
	}
	s.base[0], s.base[1], s.base[2], s.base[4] = uint64(d), uint64(x), uint64(y), uint64(a.Cols())
	b.run(k, a.Rows(), rowGrain(a.Cols()))
}

// Add is dst = a + b, b broadcast over rows when it has one.
func (b *Backend) Add(dst, a, bb compute.Tensor) { b.binary("Add", b.k.add, dst, a, bb) }

// Mul is dst = a · b, b broadcast over rows when it has one.
func (b *Backend) Mul(dst, a, bb compute.Tensor) { b.binary("Mul", b.k.mul, dst, a, bb) }

// SwiGLU is dst = silu(gate) · up.
func (b *Backend) SwiGLU(dst, gate, up compute.Tensor) {
	sameShape("SwiGLU", gate, up)
	b.binary("SwiGLU", b.k.swiglu, dst, gate, up)
}

// unary is SiLU or Softmax: silu(dst, x, rows, cols), softmax(dst, x,
// rows, cols).
func (b *Backend) unary(name string, k Kernel, dst, a compute.Tensor) {
	b.gen++
	sameShape(name, dst, a)
	d, x := b.f32(dst), b.f32(a)
	if a.Rows() == 0 || a.Cols() == 0 {
		return
	}
	s := b.rowArgs(uint64(4*a.Cols()), 2, 0, 1)
	s.base[0], s.base[1], s.base[3] = uint64(d), uint64(x), uint64(a.Cols())
	b.run(k, a.Rows(), rowGrain(a.Cols()))
}

// SiLU is dst = x / (1 + exp(−x)), grouped as compute.Backend says.
func (b *Backend) SiLU(dst, x compute.Tensor) { b.unary("SiLU", b.k.silu, dst, x) }

// Softmax normalises each row.
func (b *Backend) Softmax(dst, x compute.Tensor) {
	b.unary("Softmax", b.k.softmax, dst, x)
}

// Scale is dst = a · s: scale(dst, a, n, s).
func (b *Backend) Scale(dst, a compute.Tensor, sc float32) {
	b.gen++
	sameShape("Scale", dst, a)
	d, x := b.f32(dst), b.f32(a)
	if a.Rows() == 0 || a.Cols() == 0 {
		return
	}
	s := b.rowArgs(uint64(4*a.Cols()), 2, 0, 1)
	s.perCount[2] = uint64(a.Cols()) // n counts elements
	s.base[0], s.base[1], s.base[3] = uint64(d), uint64(x), F32Arg(sc)
	b.run(b.k.scale, a.Rows(), rowGrain(a.Cols()))
}

// RMSNorm normalises each group of w.Cols elements and multiplies by w:
// rmsnorm(dst, x, w, rows, cols, group, eps).
func (b *Backend) RMSNorm(dst, x, w compute.Tensor, eps float32) {
	b.gen++
	sameShape("RMSNorm", dst, x)
	if w.Rows() != 1 || w.Cols() == 0 || x.Cols()%w.Cols() != 0 {
		panic(fmt.Sprintf("arena: RMSNorm: weight %v does not divide the rows of %v", w, x))
	}
	d, xo, wo := b.f32(dst), b.f32(x), b.f32(w)
	if x.Rows() == 0 || x.Cols() == 0 {
		return
	}
	s := b.rowArgs(uint64(4*x.Cols()), 3, 0, 1)
	s.base[0], s.base[1], s.base[2] = uint64(d), uint64(xo), uint64(wo)
	s.base[4], s.base[5], s.base[6] = uint64(x.Cols()), uint64(w.Cols()), F32Arg(eps)
	b.run(b.k.rmsnorm, x.Rows(), rowGrain(x.Cols()))
}

// Rope rotates each head of each row of x by its position's angles:
// rope_apply(dst, x, rows, cols, head_dim, n_dims, neox, cs), with the
// (cos, sin) pairs of every row computed in Go first (host.ropeAngles).
func (b *Backend) Rope(dst, x compute.Tensor, pos0 int, p compute.Rope) {
	b.gen++
	sameShape("Rope", dst, x)
	if p.HeadDim <= 0 || x.Cols()%p.HeadDim != 0 || p.Dims <= 0 || p.Dims%2 != 0 || p.Dims > p.HeadDim {
		panic(fmt.Sprintf("arena: Rope: head size %d, rotated dims %d do not fit rows of %v", p.HeadDim, p.Dims, x))
	}
	if pos0 < 0 {
		panic(fmt.Sprintf("arena: Rope: negative position %d", pos0))
	}
	if p.Factors.Valid() && (p.Factors.Rows() != 1 || p.Factors.Cols() < p.Dims/2) {
		panic(fmt.Sprintf("arena: Rope: frequency factors %v, want 1×%d", p.Factors, p.Dims/2))
	}
	d, xo := b.f32(dst), b.f32(x)
	if x.Rows() == 0 {
		return
	}
	n := x.Rows()
	cs := b.ensure(&b.scratch, uint64(n)*uint64(4*p.Dims))
	b.host.ropeAngles(cs, n, pos0, p)
	neox := uint64(0)
	if p.NeoX {
		neox = 1
	}
	s := b.rowArgs(uint64(4*x.Cols()), 2, 0, 1)
	s.perItem[7] = uint64(4 * p.Dims)
	s.base = Args{0: uint64(d), 1: uint64(xo), 3: uint64(x.Cols()), 4: uint64(p.HeadDim), 5: uint64(p.Dims), 6: neox, 7: uint64(cs)}
	b.run(b.k.rope, n, rowGrain(x.Cols()))
}

// Attention is causal grouped-query attention over the cache:
// attention(dst, q, k, v, n, pos0, heads, kv_heads, dk, dv, k_stride,
// v_stride, scale, scratch) for an F32 cache, attention_f16(…) with the
// same arguments for an F16 one, split across threads by query rows (by
// key/value head groups for one row), each job with its own scratch.
func (b *Backend) Attention(dst, q, k, v compute.Tensor, pos0 int, p compute.Attention) {
	b.gen++
	n := q.Rows()
	if p.Heads <= 0 || p.KVHeads <= 0 || p.Heads%p.KVHeads != 0 ||
		q.Cols()%p.Heads != 0 || k.Cols()%p.KVHeads != 0 || v.Cols()%p.KVHeads != 0 {
		panic(fmt.Sprintf("arena: Attention: %d heads, %d kv heads do not fit q %v, k %v, v %v", p.Heads, p.KVHeads, q, k, v))
	}
	dk, dv := q.Cols()/p.Heads, v.Cols()/p.KVHeads
	if k.Cols() != p.KVHeads*dk || dst.Rows() != n || dst.Cols() != p.Heads*dv ||
		pos0 < 0 || k.Rows() < pos0+n || v.Rows() < pos0+n {
		panic(fmt.Sprintf("arena: Attention at position %d: q %v, k %v, v %v, out %v do not fit", pos0, q, k, v, dst))
	}
	if !compute.AttentionCacheType(k.Type()) || k.Type() != v.Type() {
		panic(fmt.Sprintf("arena: Attention: cache types %v and %v (want both F32 or both F16)", k.Type(), v.Type()))
	}
	do, qo, ko, vo := b.f32(dst), b.f32(q), b.off(k), b.off(v)
	if n == 0 {
		return
	}
	group := p.Heads / p.KVHeads
	// One job's scratch: its scores, padded to 16-lane groups, and 64 rows
	// of dv accumulators; for an F16 cache also the rounded query head and
	// one key/value head's keys and values widened to F32 (the kernel
	// widens each once per call, not once per query head).
	kern, elem, extra := b.k.attention, 4, 0
	if k.Type() == dtype.F16 {
		kern, elem, extra = b.k.attentionF16, 2, dk+(pos0+n)*(dk+dv)
	}
	per := roundUp(uint64(4 * ((pos0+n+15)/16*16 + 64*dv + extra)))
	scratch := b.ensure(&b.scratch, per*uint64(len(b.jobs)))
	s := b.newSplit()
	s.base = Args{0: uint64(do), 1: uint64(qo), 2: uint64(ko), 3: uint64(vo), 4: uint64(n), 5: uint64(pos0),
		6: uint64(p.Heads), 7: uint64(p.KVHeads), 8: uint64(dk), 9: uint64(dv),
		10: uint64(k.Cols()), 11: uint64(v.Cols()), 12: F32Arg(p.Scale), 13: uint64(scratch)}
	s.perJob[13] = per
	if n == 1 {
		// One query row: the jobs take groups of query heads that share a
		// key/value head (their columns of q, dst and the cache).
		s.base[6], s.base[7] = 0, 0
		s.perItem[0], s.perItem[1] = uint64(4*group*dv), uint64(4*group*dk)
		s.perItem[2], s.perItem[3] = uint64(elem*dk), uint64(elem*dv)
		s.perCount[6], s.perCount[7] = uint64(group), 1
		b.run(kern, p.KVHeads, 1)
		return
	}
	// Several rows: the jobs take query rows, at least two each (the
	// kernel picks the multi-row order by its own row count).
	s.base[4] = 0
	s.perItem[0], s.perItem[1] = uint64(4*dst.Cols()), uint64(4*q.Cols())
	s.perCount[4], s.perItem[5] = 1, 1
	b.run(kern, n, 2)
}

// GetRows looks up rows of an embedding table: the ids go into scratch,
// then get_rows_T(dst, table, ids, n_ids, n), split by ids across threads.
func (b *Backend) GetRows(dst, table compute.Tensor, ids []int32) {
	b.gen++
	if dst.Rows() != len(ids) || dst.Cols() != table.Cols() {
		panic(fmt.Sprintf("arena: GetRows: %d ids of %v into %v", len(ids), table, dst))
	}
	for _, id := range ids {
		if id < 0 || int(id) >= table.Rows() {
			panic(fmt.Sprintf("arena: GetRows: id %d outside %v", id, table))
		}
	}
	base, out := b.off(table), b.f32(dst)
	cols := table.Cols()
	if len(ids) == 0 || cols == 0 {
		return
	}
	k := b.k.getRows[table.Type()]
	idp := b.ensure(&b.scratch, uint64(4*len(ids)))
	b.dev.Write(idp, unsafe.Slice((*byte)(unsafe.Pointer(&ids[0])), 4*len(ids)))
	s := b.newSplit()
	s.base = Args{0: uint64(out), 1: uint64(base), 2: uint64(idp), 4: uint64(cols)}
	s.perItem[0], s.perItem[2], s.perCount[3] = uint64(4*cols), 4, 1
	b.run(k, len(ids), max(1, rowGrain(cols)/4))
}
