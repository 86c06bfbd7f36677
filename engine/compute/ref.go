package compute

import (
	"fmt"
	"io"
	"math"
	"runtime"
	"unsafe"

	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Reference is the pure-Go backend: buffers are Go byte slices, operations
// are plain loops split across a persistent pool of goroutines. It is the
// numerical truth the other backends are tested against. After the first
// call of each shape, its operations allocate nothing.
//
// It assumes a little-endian machine (as GGUF files are): F32 buffers are
// read in place as []float32.
type Reference struct {
	pool  *pool
	order Order    // MatMul's arithmetic order
	bufs  []refBuf // Buffer b is bufs[b-1]

	// Scratch space, grown on demand and kept.
	xq []byte   // activation rows converted for MatMul
	xp []uint64 // … and packed for a fast kernel
	// conv says what xq and xp hold: the conversion of view x (to act,
	// packed by packing) as of generation gen. Every operation but MatMul
	// (whose output never aliases its input) bumps gen.
	conv struct {
		x       Tensor
		act     dtype.Type
		packing int
		gen     uint64
	}
	gen     uint64
	scratch [][]float32 // per worker: attention scores, rope angles

	// One task value per operation kind: operations run one at a time,
	// so they are reused and handing them to the pool allocates nothing.
	mm   matmulTask
	qx   quantizeTask
	px   packTask
	rows rowTask
	att  attentionTask
	rope ropeTask
	get  getRowsTask

	enc     encRowTask        // LayerNorm, GELU, GELUQuick
	selfAtt selfAttentionTask // SelfAttention
}

type refBuf struct {
	typ  dtype.Type
	data []byte
	f32  []float32 // the same memory as data, for F32 buffers
}

var _ Backend = (*Reference)(nil)

// NewReference returns a reference backend in the default order,
// OrderLlamaCppX86 (the oracle's arithmetic), using threads goroutines per
// operation (runtime.GOMAXPROCS(0) when threads ≤ 0). Close it to stop them.
func NewReference(threads int) *Reference {
	return NewReferenceOrder(threads, OrderLlamaCppX86)
}

// NewReferenceOrder is NewReference with MatMul in arithmetic order o:
// OrderLlamaCppX86 to agree with llama.cpp, OrderWasm to give the bits the
// browser's kernels give. It panics if o is not a defined order (ParseOrder
// turns user input into one, with an error for anything else).
func NewReferenceOrder(threads int, o Order) *Reference {
	if !o.Valid() {
		panic(fmt.Sprintf("compute: NewReferenceOrder: %v is not an arithmetic order", o))
	}
	if threads <= 0 {
		threads = runtime.GOMAXPROCS(0)
	}
	b := &Reference{pool: newPool(threads), order: o, scratch: make([][]float32, threads)}
	b.mm.b, b.qx.b, b.att.b, b.rope.b = b, b, b, b
	return b
}

// Name returns "reference".
func (b *Reference) Name() string { return "reference" }

// Order is the arithmetic order of MatMul.
func (b *Reference) Order() Order { return b.order }

// Threads is the number of goroutines an operation may use.
func (b *Reference) Threads() int { return b.pool.threads }

// Close stops the worker goroutines and drops every buffer.
func (b *Reference) Close() error {
	b.pool.close()
	b.bufs = nil
	return nil
}

// Alloc returns a zeroed tensor. Any type engine/quant supports can be
// allocated (for weights); activations are F32.
func (b *Reference) Alloc(typ dtype.Type, rows, cols int) (Tensor, error) {
	if !quant.Supported(typ) {
		return Tensor{}, fmt.Errorf("compute: cannot allocate a %v tensor: type not supported", typ)
	}
	if rows < 0 || cols < 0 {
		return Tensor{}, fmt.Errorf("compute: cannot allocate a tensor of %d×%d", rows, cols)
	}
	rowBytes, ok := typ.RowSize(int64(cols))
	if !ok {
		return Tensor{}, fmt.Errorf("compute: a %v row of %d elements is not a whole number of %d-element blocks", typ, cols, typ.BlockSize())
	}
	if rows > 0 && rowBytes > math.MaxInt/4/int64(rows) {
		return Tensor{}, fmt.Errorf("compute: a %v tensor of %d×%d is too large", typ, rows, cols)
	}
	size := int(rowBytes) * rows
	// Allocate as float32 so F32 views are aligned.
	words := make([]float32, (size+3)/4)
	var data []byte
	if len(words) > 0 {
		data = unsafe.Slice((*byte)(unsafe.Pointer(&words[0])), size)
	}
	buf := refBuf{typ: typ, data: data}
	if typ == dtype.F32 {
		buf.f32 = words[:rows*cols]
	}
	b.bufs = append(b.bufs, buf)
	return NewTensor(Buffer(len(b.bufs)), typ, rows, cols), nil
}

// Free drops the buffer t lies in.
func (b *Reference) Free(t Tensor) {
	b.gen++
	if i := int(t.buf) - 1; i >= 0 && i < len(b.bufs) {
		b.bufs[i] = refBuf{}
	}
}

func (b *Reference) buffer(t Tensor) *refBuf {
	i := int(t.buf) - 1
	if i < 0 || i >= len(b.bufs) || (b.bufs[i].data == nil && t.rows > 0 && t.cols > 0) {
		panic(fmt.Sprintf("compute: tensor %v is not a live buffer of this backend", t))
	}
	buf := &b.bufs[i]
	if buf.typ != t.typ {
		panic(fmt.Sprintf("compute: tensor %v does not match its %v buffer", t, buf.typ))
	}
	return buf
}

// bytes is the memory of the view t.
func (b *Reference) bytes(t Tensor) []byte {
	buf := b.buffer(t)
	rb := t.RowBytes()
	lo, hi := t.first*rb, (t.first+t.rows)*rb
	if t.first < 0 || hi > len(buf.data) {
		panic(fmt.Sprintf("compute: tensor %v lies outside its buffer", t))
	}
	return buf.data[lo:hi:hi]
}

// f32 is the memory of the F32 view t.
func (b *Reference) f32(t Tensor) []float32 {
	if t.typ != dtype.F32 {
		panic(fmt.Sprintf("compute: tensor %v must be F32", t))
	}
	buf := b.buffer(t)
	lo, hi := t.first*t.cols, (t.first+t.rows)*t.cols
	if t.first < 0 || hi > len(buf.f32) {
		panic(fmt.Sprintf("compute: tensor %v lies outside its buffer", t))
	}
	return buf.f32[lo:hi:hi]
}

// Load reads exactly t.Bytes() bytes from r into t.
func (b *Reference) Load(t Tensor, r io.Reader) error {
	b.gen++
	dst := b.bytes(t)
	if n, err := io.ReadFull(r, dst); err != nil {
		return fmt.Errorf("compute: loading %v: read %d of %d bytes: %w", t, n, len(dst), err)
	}
	return nil
}

// Write copies src into the F32 tensor t.
func (b *Reference) Write(t Tensor, src []float32) {
	b.gen++
	dst := b.f32(t)
	if len(src) != len(dst) {
		panic(fmt.Sprintf("compute: Write of %d values into %v", len(src), t))
	}
	copy(dst, src)
}

// Read copies the F32 tensor t into dst.
func (b *Reference) Read(t Tensor, dst []float32) {
	src := b.f32(t)
	if len(src) != len(dst) {
		panic(fmt.Sprintf("compute: Read of %v into %d values", t, len(dst)))
	}
	copy(dst, src)
}

// growScratch makes every worker's scratch hold at least n floats. Call
// it before dispatching a task: workers must not grow it themselves.
// It grows geometrically, so a context that lengthens by one token per
// step reallocates only O(log n) times.
func (b *Reference) growScratch(n int) {
	for w := range b.scratch {
		if cap(b.scratch[w]) < n {
			b.scratch[w] = make([]float32, max(n, 2*cap(b.scratch[w]), 256))
		}
		b.scratch[w] = b.scratch[w][:n]
	}
}

func sameShape(op string, a, b Tensor) {
	if a.rows != b.rows || a.cols != b.cols {
		panic(fmt.Sprintf("compute: %s: %v and %v differ in shape", op, a, b))
	}
}
