package compute

import (
	"fmt"
	"unsafe"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// MatMul sets dst[r][o] = w[o]·x[r], each x row first converted to the
// weight's activation type (see Backend.MatMul and KernelFor).
func (b *Reference) MatMul(dst, w, x Tensor) {
	rows := b.wholeRows("MatMul", w)
	k, ok := kernelFor(b.order, w.typ, rows, w.cols, x.rows)
	if !ok {
		panic(fmt.Sprintf("compute: MatMul: weight %v: type cannot be multiplied", w))
	}
	b.matmul(k, dst, w, x)
}

// MatMulExperts is MatMul with mul_mat_id's kernel (see
// Backend.MatMulExperts and expertKernelFor).
func (b *Reference) MatMulExperts(dst, w, x Tensor) {
	rows := b.wholeRows("MatMulExperts", w)
	k, ok := expertKernelFor(b.order, w.typ, w.rows, rows, w.cols)
	if !ok {
		panic(fmt.Sprintf("compute: MatMulExperts: weight %v: type cannot be multiplied", w))
	}
	b.matmul(k, dst, w, x)
}

// wholeRows is the number of rows of the buffer w lies in.
func (b *Reference) wholeRows(op string, w Tensor) int {
	buf := b.buffer(w)
	rb := w.RowBytes()
	if rb == 0 {
		panic(fmt.Sprintf("compute: %s: weight %v has empty rows", op, w))
	}
	return len(buf.data) / rb
}

func (b *Reference) matmul(k kernel, dst, w, x Tensor) {
	rb := w.RowBytes()
	if x.cols != w.cols || dst.rows != x.rows || dst.cols != w.rows {
		panic(fmt.Sprintf("compute: MatMul: weight %v, input %v, output %v do not fit", w, x, dst))
	}
	n := x.rows
	if n == 0 || w.rows == 0 {
		return
	}
	xf := b.f32(x)
	xrb64, _ := k.act.RowSize(int64(x.cols))
	xrb := int(xrb64)
	// The previous MatMul's converted rows are reused when x is the same
	// view, unchanged since (every other operation bumps gen): q, k and v,
	// or gate and up, are projections of one input.
	reuse := b.conv.x == x && b.conv.act == k.act && b.conv.gen == b.gen
	var xq []byte
	if k.act == dtype.F32 {
		xq = unsafe.Slice((*byte)(unsafe.Pointer(&xf[0])), len(xf)*4)
	} else {
		if cap(b.xq) < n*xrb {
			b.xq = make([]byte, n*xrb)
			reuse = false
		}
		xq = b.xq[:n*xrb]
		if !reuse {
			q := &b.qx
			q.t, q.quantize, q.src, q.dst, q.cols, q.rowBytes = k.act, k.quantize, xf, xq, x.cols, xrb
			b.pool.parallel(q, n, 1)
		}
	}
	m := &b.mm
	m.fast, m.xp, m.xpw = nil, nil, 0
	if k.fast != nil {
		m.xpw = x.cols / 32 * k.words
		if cap(b.xp) < n*m.xpw {
			b.xp = make([]uint64, n*m.xpw)
			reuse = false
		}
		m.xp, m.fast = b.xp[:n*m.xpw], k.fast
		if !reuse || b.conv.packing != k.packing {
			p := &b.px
			p.pack, p.xq, p.xrb, p.xp, p.words, p.nb = k.pack, xq, xrb, m.xp, m.xpw, x.cols/32
			b.pool.parallel(p, n, 1)
		}
	}
	b.gen++
	b.conv.x, b.conv.act, b.conv.packing, b.conv.gen = x, k.act, k.packing, b.gen
	m.dot, m.w, m.wrb, m.xq, m.xrb = k.dot, b.bytes(w), rb, xq, xrb
	m.dst, m.in, m.out, m.n = b.f32(dst), w.cols, w.rows, n
	// Shares of at least 16 weight rows keep the hand-over cost small.
	b.pool.parallel(m, w.rows, 16)
}

// quantizeTask converts activation rows to a weight's activation type.
type quantizeTask struct {
	b        *Reference
	t        dtype.Type
	quantize func(src []float32, dst []byte) // nil: quant.Quantize
	src      []float32
	dst      []byte
	cols     int
	rowBytes int
}

func (q *quantizeTask) run(_, lo, hi int) {
	for r := lo; r < hi; r++ {
		if q.quantize != nil {
			q.quantize(q.src[r*q.cols:(r+1)*q.cols], q.dst[r*q.rowBytes:(r+1)*q.rowBytes])
			continue
		}
		err := quant.Quantize(q.t, q.src[r*q.cols:(r+1)*q.cols], q.dst[r*q.rowBytes:(r+1)*q.rowBytes])
		if err != nil {
			panic("compute: " + err.Error()) // shapes were checked by MatMul
		}
	}
}

// packTask packs converted activation rows for a fast kernel.
type packTask struct {
	pack      func(xq []byte, nb int, dst []uint64)
	xq        []byte
	xrb       int
	xp        []uint64
	words, nb int
}

func (p *packTask) run(_, lo, hi int) {
	for r := lo; r < hi; r++ {
		p.pack(p.xq[r*p.xrb:(r+1)*p.xrb], p.nb, p.xp[r*p.words:(r+1)*p.words])
	}
}

// matmulTask computes output columns [lo, hi) of every row: each share
// walks its weight rows once and reuses each across all activation rows.
type matmulTask struct {
	b      *Reference
	dot    dotFunc
	fast   func(w, xq []byte, xp []uint64, n int) float32
	xp     []uint64 // packed activation rows for fast, xpw words each
	xpw    int
	w      []byte
	wrb    int
	xq     []byte
	xrb    int
	dst    []float32
	in     int
	out, n int
}

func (m *matmulTask) run(_, lo, hi int) {
	if m.fast != nil {
		for o := lo; o < hi; o++ {
			wrow := m.w[o*m.wrb : (o+1)*m.wrb]
			for r := 0; r < m.n; r++ {
				m.dst[r*m.out+o] = m.fast(wrow, m.xq[r*m.xrb:(r+1)*m.xrb], m.xp[r*m.xpw:(r+1)*m.xpw], m.in)
			}
		}
		return
	}
	for o := lo; o < hi; o++ {
		wrow := m.w[o*m.wrb : (o+1)*m.wrb]
		for r := 0; r < m.n; r++ {
			m.dst[r*m.out+o] = m.dot(wrow, m.xq[r*m.xrb:(r+1)*m.xrb], m.in)
		}
	}
}
