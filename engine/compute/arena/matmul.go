package arena

import (
	"fmt"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// MatMul sets dst[r][o] = w[o]·x[r]: the activation rows are converted to
// the weight's partner type (quant.VecDotType) by a quantize_/convert_
// kernel into scratch, then matmul_T multiplies, split by weight rows
// across threads.
//
// The kernels take llama.cpp's generic order (quant.VecDot), whatever the
// weight's shape; the reference backend takes the AMX order for the
// shapes llama.cpp's AMX buffer takes (compute.KernelFor). For quantized
// weights the two agree exactly on every other shape and differ in the
// last bits of a product on AMX shapes; F16 and F32 weights differ more
// (see doc.go).
func (b *Backend) MatMul(dst, w, x compute.Tensor) {
	b.buffer(w)
	if w.RowBytes() == 0 && w.Cols() > 0 {
		panic(fmt.Sprintf("arena: MatMul: weight %v has empty rows", w))
	}
	if !quant.CanVecDot(w.Type()) {
		panic(fmt.Sprintf("arena: MatMul: weight %v: type cannot be multiplied", w))
	}
	if x.Cols() != w.Cols() || dst.Rows() != x.Rows() || dst.Cols() != w.Rows() {
		panic(fmt.Sprintf("arena: MatMul: weight %v, input %v, output %v do not fit", w, x, dst))
	}
	b.f32(dst)
	n := x.Rows()
	if n == 0 || w.Rows() == 0 {
		b.f32(x)
		return
	}
	if b.opt.ReferenceMatMul != nil && b.opt.ReferenceMatMul(w.Type()) {
		b.gen++
		b.host.matmul(dst, w, x)
		return
	}
	k := b.k.matmul[w.Type()]
	xa := b.convert(x, quant.VecDotType(w.Type()))
	s := b.newSplit()
	s.base = Args{0: uint64(b.off(dst)), 1: uint64(b.off(w)), 2: uint64(xa), 3: uint64(w.Cols()),
		6: uint64(n), 7: uint64(dst.Cols())}
	s.perItem[4], s.perItem[5], s.perCount[5] = 1, 1, 1 // row0 = lo, row1 = hi
	// Shares of whole 4-row steps, at least 16 rows each.
	b.run(k, w.Rows(), 16)
}

// MatMulExperts is MatMul for one expert's rows. The kernels' order does
// not depend on the weight's shape or the number of rows, so it is
// MatMul's product; with Options.ReferenceMatMul the Go side takes
// mul_mat_id's kernel in the default order (compute.Order.ExpertKernelFor).
func (b *Backend) MatMulExperts(dst, w, x compute.Tensor) {
	if b.opt.ReferenceMatMul != nil && b.opt.ReferenceMatMul(w.Type()) && x.Rows() > 0 && w.Rows() > 0 {
		b.buffer(w)
		if x.Cols() != w.Cols() || dst.Rows() != x.Rows() || dst.Cols() != w.Rows() {
			panic(fmt.Sprintf("arena: MatMulExperts: weight %v, input %v, output %v do not fit", w, x, dst))
		}
		b.gen++
		b.host.matmulWith(dst, w, x, true)
		return
	}
	b.MatMul(dst, w, x)
}

// convert leaves x's rows converted to act in the xq scratch block (or
// returns x itself for F32) and returns their offset. The previous
// MatMul's conversion is reused when x is the same view, unchanged since:
// q, k and v (or gate and up) are projections of one input.
func (b *Backend) convert(x compute.Tensor, act dtype.Type) uint32 {
	xoff := b.f32(x)
	if act == dtype.F32 {
		b.gen++
		b.conv.x = compute.Tensor{}
		return xoff
	}
	n, cols := x.Rows(), x.Cols()
	xrb, _ := act.RowSize(int64(cols))
	reuse := b.conv.x == x && b.conv.act == act && b.conv.gen == b.gen
	if need := uint64(n) * uint64(xrb); b.xq.size < need || b.xq.off == 0 {
		b.ensure(&b.xq, need)
		reuse = false
	}
	if !reuse {
		// Blocks never straddle rows, so the rows of a share convert in
		// one call as one long row.
		s := b.newSplit()
		s.base = Args{0: uint64(b.xq.off), 1: uint64(xoff)}
		s.perItem[0], s.perItem[1], s.perCount[2] = uint64(xrb), uint64(4*cols), uint64(cols)
		b.run(b.k.convert[act], n, 1)
	}
	b.gen++
	b.conv.x, b.conv.act, b.conv.gen = x, act, b.gen
	return b.xq.off
}
