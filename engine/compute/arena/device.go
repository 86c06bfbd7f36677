package arena

import "io"

// PageSize is the size of a WebAssembly memory page: the arena grows by
// whole pages.
const PageSize = 65536

// MaxArgs is the most parameters a kernel takes (attention has 14).
const MaxArgs = 16

// Args are a kernel call's parameters in order, each in the low bits of a
// uint64 as WebAssembly passes them: an i32 (offset, count, flag) as its
// 32 bits, an f32 as its IEEE bits (F32Arg). Unused slots are ignored.
type Args [MaxArgs]uint64

// F32Arg encodes a float32 kernel parameter.
func F32Arg(v float32) uint64 { return uint64(f32bits(v)) }

// Kernel is a device's handle for one exported kernel, resolved once by
// name (Device.Kernel) and then called without looking the name up.
type Kernel int32

// Device is what the backend needs from the kernel side: a growable linear
// memory (the arena) that Go reads and writes only through these methods,
// and the kernels of kernels.wasm running over it. Offsets are bytes from
// the start of the arena.
//
// Two implementations exist: package wazerodev runs kernels.wasm under
// wazero for native tests (and the native CLI), and on js/wasm NewJSDevice
// talks to the JS glue through //go:wasmimport functions (device_js.go).
//
// A Device is used by one goroutine at a time (the backend's), except
// that CallBatch may run its jobs on several threads.
type Device interface {
	// Pages is the arena's current size in pages.
	Pages() uint32
	// MaxPages is the most pages the arena may ever have.
	MaxPages() uint32
	// Grow adds delta pages (zeroed) and reports whether it could.
	Grow(delta uint32) bool

	// Write copies src into the arena at off.
	Write(off uint32, src []byte)
	// Read copies len(dst) bytes at off into dst.
	Read(off uint32, dst []byte)
	// Copy moves n bytes from src to dst within the arena (the ranges
	// may overlap).
	Copy(dst, src, n uint32)
	// Zero clears n bytes at off.
	Zero(off, n uint32)
	// Fill reads exactly n bytes from r into the arena at off and returns
	// how many arrived; fewer than n comes with an error.
	Fill(off, n uint32, r io.Reader) (int, error)
	// FillAt reads exactly n bytes of src, from position pos, into the
	// arena at off. A device copies straight from a source it knows (a
	// file the JS glue opened) without passing the bytes through Go.
	FillAt(off, n uint32, src io.ReaderAt, pos int64) (int, error)

	// Kernel resolves an exported kernel; ok is false when the module has
	// none by that name.
	Kernel(name string) (k Kernel, ok bool)
	// Call runs kernel k with a's parameters (as many as k takes) and
	// waits for it.
	Call(k Kernel, a *Args)
	// Threads is how many kernel calls can run at once.
	Threads() int
	// CallBatch runs k once per job (len(jobs) ≤ Threads()), possibly at
	// the same time on different threads, and returns when all are done.
	// The jobs must write disjoint bytes.
	CallBatch(k Kernel, jobs []Args)

	// Close releases the memory and the kernel instances.
	Close() error
}
