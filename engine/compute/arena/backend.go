package arena

import (
	"fmt"
	"math"
	"unsafe"

	"github.com/hearth-ai/hearth/engine/compute"
	"github.com/hearth-ai/hearth/engine/dtype"
	"github.com/hearth-ai/hearth/engine/quant"
)

// Options adjust a Backend.
type Options struct {
	// ReferenceMatMul, when set, picks weight types whose MatMul runs in
	// Go with the reference backend's kernels (compute.KernelFor) instead
	// of the wasm kernels, which take llama.cpp's generic order. It is
	// slow (weight rows are copied out of the arena one at a time) and
	// exists so tests can hold the rest of the backend to the reference's
	// bits.
	ReferenceMatMul func(weight dtype.Type) bool
}

// Backend is the compute.Backend whose buffers live in an arena (the
// kernel module's linear memory) and whose operations run kernels.wasm.
// It is not safe for concurrent use (see compute.Backend); a Device with
// several threads splits single operations across them.
//
// After the first call of each shape, its operations allocate nothing on
// the Go heap.
type Backend struct {
	dev  Device
	opt  Options
	heap heap
	bufs []bufRec // Buffer b is bufs[b-1]
	k    kernelSet

	// Scratch blocks in the arena, grown on demand and kept.
	xq      block    // activation rows converted for MatMul
	scratch block    // kernel scratch: attention scores, rope angles, ids
	geluTab [2]block // GELU and quick GELU tables (ops_encoder.go), once used

	// conv says what xq holds: x converted to act as of generation gen.
	// Every operation but MatMul bumps gen (see MatMul).
	conv struct {
		x   compute.Tensor
		act dtype.Type
		gen uint64
	}
	gen uint64

	split rowSplit
	jobs  []Args // one per thread

	host *hostOps // Go-side work: RoPE angles, ReferenceMatMul
}

// bufRec is one allocated buffer.
type bufRec struct {
	off   uint32 // arena offset (0 for an empty buffer)
	bytes uint64 // bytes asked for
	typ   dtype.Type
	rows  int
	cols  int
	live  bool
}

// block is a scratch area of the arena.
type block struct {
	off  uint32
	size uint64
}

var _ compute.Backend = (*Backend)(nil)

// New returns a backend over dev's arena. The backend owns dev from now
// on: Close closes it (so does New when it fails, e.g. because the kernel
// module lacks a kernel). The arena may already hold pages (they are taken
// as free space).
func New(dev Device, opt Options) (*Backend, error) {
	if dev == nil {
		return nil, fmt.Errorf("arena: no device")
	}
	b := &Backend{dev: dev, opt: opt}
	if err := b.k.resolve(dev); err != nil {
		dev.Close()
		return nil, err
	}
	b.jobs = make([]Args, max(1, dev.Threads()))
	if end := uint64(dev.Pages()) * PageSize; end > Align {
		b.heap.end = end
		b.heap.insert(extent{Align, end - Align})
	} else if end > 0 {
		b.heap.end = end
	}
	// Bytes of pages the device already had may be anything.
	b.heap.dirty = b.heap.end
	b.host = newHostOps(b)
	return b, nil
}

// Name returns "wasm".
func (b *Backend) Name() string { return "wasm" }

// Threads is the number of threads an operation may use.
func (b *Backend) Threads() int { return len(b.jobs) }

// Device is the device the backend runs on.
func (b *Backend) Device() Device { return b.dev }

// Close releases the arena and the kernels.
func (b *Backend) Close() error {
	b.bufs = nil
	b.host.close()
	return b.dev.Close()
}

// grow is the heap's way to enlarge the arena: by the whole pages that n
// more bytes need, and no more. Every page the arena ever has stays with
// the page (a WebAssembly.Memory never shrinks), so growing ahead "to save
// memory.grow calls" would be memory held for nothing: a model loader
// calls Reserve once with the size of its weights instead, and the
// session's later blocks are small. (It used to grow by an eighth of the
// arena at least: 9 MiB of a 75 MiB model's arena, never used.)
func (b *Backend) grow(n uint64) (uint64, bool) {
	cur, limit := uint64(b.dev.Pages()), uint64(b.dev.MaxPages())
	need := (n + PageSize - 1) / PageSize
	if cur+need > limit || !b.dev.Grow(uint32(need)) {
		return 0, false
	}
	return uint64(b.dev.Pages()) * PageSize, true
}

// alloc hands out size bytes of the arena, zeroed when zero is set.
func (b *Backend) alloc(size uint64, zero bool) (uint32, error) {
	off, ok := b.heap.alloc(size, b.grow)
	if !ok {
		return 0, fmt.Errorf("arena: out of memory: %d bytes wanted; the arena holds %d of at most %d bytes, %d in use, largest free block %d",
			size, b.heap.end, uint64(b.dev.MaxPages())*PageSize, b.heap.used, b.heap.largestFree())
	}
	end := off + roundUp(size)
	if zero && off < b.heap.dirty {
		b.dev.Zero(uint32(off), uint32(min(end, b.heap.dirty)-off))
	}
	b.heap.dirty = max(b.heap.dirty, end)
	return uint32(off), nil
}

// Reserve grows the arena ahead of time so that n more bytes fit without
// growing it again (a model loader calls it with the size of the weights,
// each rounded up to Align, as ReserveSize counts them: one memory.grow
// instead of one per tensor).
func (b *Backend) Reserve(n int64) error {
	if n <= 0 {
		return nil
	}
	free := b.heap.tailFree()
	if uint64(n) <= free {
		return nil
	}
	need := uint64(n) - free
	if b.heap.end == 0 {
		need += Align
	}
	if !b.heap.growBy(need, b.grow) {
		return fmt.Errorf("arena: cannot reserve %d bytes: the arena holds %d of at most %d bytes", n, b.heap.end, uint64(b.dev.MaxPages())*PageSize)
	}
	return nil
}

// ReserveSize is the arena space blocks of the given sizes take (each is
// rounded up to Align): what to Reserve before allocating them.
func ReserveSize(sizes ...int64) int64 {
	var n uint64
	for _, s := range sizes {
		if s > 0 {
			n += roundUp(uint64(s))
		}
	}
	return int64(n)
}

// Usage is how much of the arena is in use.
type Usage struct {
	Bytes       int64 // the arena's size: every page it has (pages are never given back)
	Used        int64 // bytes handed out to live buffers and scratch blocks
	LargestFree int64 // the largest block an Alloc could take without growing
}

// Usage reports the arena's size and how much of it is in use.
func (b *Backend) Usage() Usage {
	return Usage{Bytes: int64(b.heap.end), Used: int64(b.heap.used), LargestFree: int64(b.heap.largestFree())}
}

// Alloc returns a zeroed tensor in the arena.
func (b *Backend) Alloc(typ dtype.Type, rows, cols int) (compute.Tensor, error) {
	if !quant.Supported(typ) {
		return compute.Tensor{}, fmt.Errorf("arena: cannot allocate a %v tensor: type not supported", typ)
	}
	if rows < 0 || cols < 0 {
		return compute.Tensor{}, fmt.Errorf("arena: cannot allocate a tensor of %d×%d", rows, cols)
	}
	rowBytes, ok := typ.RowSize(int64(cols))
	if !ok {
		return compute.Tensor{}, fmt.Errorf("arena: a %v row of %d elements is not a whole number of %d-element blocks", typ, cols, typ.BlockSize())
	}
	if rows > 0 && rowBytes > math.MaxUint32/int64(rows) {
		return compute.Tensor{}, fmt.Errorf("arena: a %v tensor of %d×%d is larger than a 32-bit arena", typ, rows, cols)
	}
	if len(b.bufs) == math.MaxUint32 {
		return compute.Tensor{}, fmt.Errorf("arena: out of buffer ids")
	}
	size := uint64(rowBytes) * uint64(rows)
	off, err := b.alloc(size, true)
	if err != nil {
		return compute.Tensor{}, fmt.Errorf("arena: allocating a %v tensor of %d×%d: %w", typ, rows, cols, err)
	}
	b.bufs = append(b.bufs, bufRec{off: off, bytes: size, typ: typ, rows: rows, cols: cols, live: true})
	return compute.NewTensor(compute.Buffer(len(b.bufs)), typ, rows, cols), nil
}

// Free returns the buffer t lies in to the arena. Buffer ids are never
// reused, so a stale view is caught rather than aliasing a new buffer.
func (b *Backend) Free(t compute.Tensor) {
	b.gen++
	i := int(t.Buffer()) - 1
	if i < 0 || i >= len(b.bufs) || !b.bufs[i].live {
		return
	}
	r := &b.bufs[i]
	b.heap.release(uint64(r.off), r.bytes)
	r.live = false
}

// buffer is t's buffer record, checked.
func (b *Backend) buffer(t compute.Tensor) *bufRec {
	i := int(t.Buffer()) - 1
	if i < 0 || i >= len(b.bufs) || !b.bufs[i].live {
		panic(fmt.Sprintf("arena: tensor %v is not a live buffer of this backend", t))
	}
	r := &b.bufs[i]
	if r.typ != t.Type() || r.cols != t.Cols() {
		panic(fmt.Sprintf("arena: tensor %v does not match its %v buffer of %d×%d", t, r.typ, r.rows, r.cols))
	}
	if t.First() < 0 || t.Rows() < 0 || t.First()+t.Rows() > r.rows {
		panic(fmt.Sprintf("arena: tensor %v lies outside its buffer of %d rows", t, r.rows))
	}
	return r
}

// off is the arena offset of the view t.
func (b *Backend) off(t compute.Tensor) uint32 {
	r := b.buffer(t)
	return r.off + uint32(t.First()*t.RowBytes())
}

// f32 is the offset of the F32 view t.
func (b *Backend) f32(t compute.Tensor) uint32 {
	if t.Type() != dtype.F32 {
		panic(fmt.Sprintf("arena: tensor %v must be F32", t))
	}
	return b.off(t)
}

// Offset is the arena offset of the view t (for a JS glue or a test that
// reads the arena itself).
func (b *Backend) Offset(t compute.Tensor) uint32 { return b.off(t) }

// wholeRows is the number of rows of the buffer t lies in.
func (b *Backend) wholeRows(t compute.Tensor) int { return b.buffer(t).rows }

// Write copies src into the F32 tensor t.
func (b *Backend) Write(t compute.Tensor, src []float32) {
	b.gen++
	off := b.f32(t)
	if len(src) != t.Rows()*t.Cols() {
		panic(fmt.Sprintf("arena: Write of %d values into %v", len(src), t))
	}
	b.dev.Write(off, f32Bytes(src))
}

// Read copies the F32 tensor t into dst.
func (b *Backend) Read(t compute.Tensor, dst []float32) {
	off := b.f32(t)
	if len(dst) != t.Rows()*t.Cols() {
		panic(fmt.Sprintf("arena: Read of %v into %d values", t, len(dst)))
	}
	b.dev.Read(off, f32Bytes(dst))
}

// Copy copies src into dst (same shape): F32 into F32 and F16 into F16
// as bytes, F32 rows into F16 through convert_f16 (rounded as the
// reference rounds them), split by rows across threads.
func (b *Backend) Copy(dst, src compute.Tensor) {
	b.gen++
	sameShape("Copy", dst, src)
	switch {
	case dst.Type() == src.Type() && (dst.Type() == dtype.F32 || dst.Type() == dtype.F16):
		b.dev.Copy(b.off(dst), b.off(src), uint32(src.Bytes()))
	case dst.Type() == dtype.F16 && src.Type() == dtype.F32:
		d, s := b.off(dst), b.f32(src)
		if src.Rows() == 0 || src.Cols() == 0 {
			return
		}
		// convert_f16(dst, src, n): one share of rows is one run of halves
		sp := b.newSplit()
		sp.base[0], sp.base[1] = uint64(d), uint64(s)
		sp.perItem[0], sp.perItem[1], sp.perCount[2] = uint64(2*src.Cols()), uint64(4*src.Cols()), uint64(src.Cols())
		b.run(b.k.convert[dtype.F16], src.Rows(), rowGrain(src.Cols()))
	default:
		panic(fmt.Sprintf("arena: Copy of %v into %v: want F32 into F32 or F16, or F16 into F16", src, dst))
	}
}

// ensure makes the scratch block s hold at least size bytes, growing it
// geometrically (so a context that lengthens by a token per step moves it
// O(log n) times). Its old contents are lost.
func (b *Backend) ensure(s *block, size uint64) uint32 {
	if s.size >= size && s.off != 0 {
		return s.off
	}
	n := max(size, 2*s.size, 4096)
	if s.off != 0 {
		b.heap.release(uint64(s.off), s.size)
	}
	s.off, s.size = 0, 0
	off, err := b.alloc(n, false)
	if err != nil {
		panic(fmt.Sprintf("arena: scratch space: %v", err))
	}
	s.off, s.size = off, n
	return off
}

// f32Bytes views float32s as their little-endian bytes (wasm and the
// machines Hearth runs natively on are little-endian).
func f32Bytes(x []float32) []byte {
	if len(x) == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(unsafe.Pointer(&x[0])), 4*len(x))
}

func f32bits(v float32) uint32 { return math.Float32bits(v) }

func sameShape(op string, a, b compute.Tensor) {
	if a.Rows() != b.Rows() || a.Cols() != b.Cols() {
		panic(fmt.Sprintf("arena: %s: %v and %v differ in shape", op, a, b))
	}
}

func f32frombits(b uint32) float32 { return math.Float32frombits(b) }
