//go:build js && wasm

package arena

import (
	"fmt"
	"io"
	"unsafe"
)

// The arena's side of the JS glue: the imports of module "hearth_arena".
// Offsets are arena byte offsets; pointers (unsafe.Pointer) are addresses
// in the Go program's own memory, which the glue reads through the Go
// instance's exported memory (re-fetching its buffer on every call: it
// may have grown). See doc.go for what each must do.

//go:wasmimport hearth_arena pages
func jsPages() uint32

//go:wasmimport hearth_arena max_pages
func jsMaxPages() uint32

//go:wasmimport hearth_arena grow
func jsGrow(delta uint32) int32

//go:wasmimport hearth_arena write
func jsWrite(dst uint32, src unsafe.Pointer, n uint32)

//go:wasmimport hearth_arena read
func jsRead(dst unsafe.Pointer, src uint32, n uint32)

//go:wasmimport hearth_arena copy
func jsCopy(dst, src, n uint32)

//go:wasmimport hearth_arena zero
func jsZero(dst, n uint32)

//go:wasmimport hearth_arena has_kernel
func jsHasKernel(name unsafe.Pointer, n uint32) uint32

//go:wasmimport hearth_arena threads
func jsThreads() uint32

//go:wasmimport hearth_arena run_jobs
func jsRunJobs(name unsafe.Pointer, nameLen uint32, jobs unsafe.Pointer, njobs, nargs, f32mask uint32)

//go:wasmimport hearth_arena source_size
func jsSourceSize(src uint32) int64

//go:wasmimport hearth_arena source_read
func jsSourceRead(src uint32, pos int64, dst unsafe.Pointer, n uint32) int32

//go:wasmimport hearth_arena source_fill
func jsSourceFill(src uint32, pos int64, dst uint32, n uint32) int32

// JSDevice is the Device of the browser: the arena is the WebAssembly.Memory
// the kernel instance imports, which the JS glue owns; the kernels are
// //go:wasmimport functions of module "kernels" that the glue wires
// straight to that instance's exports (so a call is a wasm-to-wasm call).
type JSDevice struct {
	threads int
	kernels []int // indexes into jsKernels, by Kernel
	chunk   []byte
}

// NewJSDevice returns the device over the glue's arena and kernels.
func NewJSDevice() (*JSDevice, error) {
	if jsMaxPages() == 0 {
		return nil, fmt.Errorf("arena: the JS glue provides no arena memory")
	}
	return &JSDevice{threads: int(max(jsThreads(), 1))}, nil
}

// Pages is the arena's size in pages.
func (d *JSDevice) Pages() uint32 { return jsPages() }

// MaxPages is the arena's maximum size in pages.
func (d *JSDevice) MaxPages() uint32 { return jsMaxPages() }

// Grow grows the arena's memory by delta pages.
func (d *JSDevice) Grow(delta uint32) bool { return jsGrow(delta) >= 0 }

func ptr(b []byte) unsafe.Pointer {
	if len(b) == 0 {
		return nil
	}
	return unsafe.Pointer(&b[0])
}

// Write copies src into the arena at off.
func (d *JSDevice) Write(off uint32, src []byte) {
	if len(src) > 0 {
		jsWrite(off, ptr(src), uint32(len(src)))
	}
}

// Read copies arena bytes at off into dst.
func (d *JSDevice) Read(off uint32, dst []byte) {
	if len(dst) > 0 {
		jsRead(ptr(dst), off, uint32(len(dst)))
	}
}

// Copy moves n bytes within the arena.
func (d *JSDevice) Copy(dst, src, n uint32) { jsCopy(dst, src, n) }

// Zero clears n bytes at off.
func (d *JSDevice) Zero(off, n uint32) { jsZero(off, n) }

// chunkSize bounds the Go buffer that bytes from a Go reader pass through.
const chunkSize = 1 << 20

func (d *JSDevice) buf() []byte {
	if d.chunk == nil {
		d.chunk = make([]byte, chunkSize)
	}
	return d.chunk
}

// Fill copies n bytes from r into the arena, a chunk at a time.
func (d *JSDevice) Fill(off, n uint32, r io.Reader) (int, error) {
	done := 0
	for done < int(n) {
		c := d.buf()[:min(chunkSize, int(n)-done)]
		got, err := io.ReadFull(r, c)
		d.Write(off+uint32(done), c[:got])
		done += got
		if err != nil {
			return done, err
		}
	}
	return done, nil
}

// FillAt copies n bytes of src at pos into the arena: straight from the
// file when src is a FileSource, else a chunk at a time through Go.
func (d *JSDevice) FillAt(off, n uint32, src io.ReaderAt, pos int64) (int, error) {
	if fs, ok := src.(*FileSource); ok {
		got := jsSourceFill(fs.id, pos, off, n)
		if got < 0 {
			return 0, fmt.Errorf("arena: reading file source %d at %d failed", fs.id, pos)
		}
		if uint32(got) < n {
			return int(got), io.ErrUnexpectedEOF
		}
		return int(got), nil
	}
	done := 0
	for done < int(n) {
		c := d.buf()[:min(chunkSize, int(n)-done)]
		got, err := src.ReadAt(c, pos+int64(done))
		d.Write(off+uint32(done), c[:got])
		done += got
		if got < len(c) {
			if err == nil || err == io.EOF {
				err = io.ErrUnexpectedEOF
			}
			return done, err
		}
	}
	return done, nil
}

// Kernel resolves a kernel the glue provides.
func (d *JSDevice) Kernel(name string) (Kernel, bool) {
	for i := range jsKernels {
		if jsKernels[i].name != name {
			continue
		}
		nb := []byte(name)
		if jsHasKernel(ptr(nb), uint32(len(nb))) == 0 {
			return NoKernel, false
		}
		d.kernels = append(d.kernels, i)
		return Kernel(len(d.kernels) - 1), true
	}
	return NoKernel, false
}

// Call runs kernel k on this thread.
func (d *JSDevice) Call(k Kernel, a *Args) { jsKernels[d.kernels[k]].call(a) }

// Threads is the number of threads the glue runs kernels on (1 without
// cross-origin isolation).
func (d *JSDevice) Threads() int { return d.threads }

// CallBatch hands the jobs to the glue, which runs the first on this
// thread and the others on its workers, and returns when all are done.
func (d *JSDevice) CallBatch(k Kernel, jobs []Args) {
	if len(jobs) == 1 {
		d.Call(k, &jobs[0])
		return
	}
	if len(jobs) == 0 {
		return
	}
	kd := &jsKernels[d.kernels[k]]
	jsRunJobs(unsafe.Pointer(unsafe.StringData(kd.name)), uint32(len(kd.name)),
		unsafe.Pointer(&jobs[0]), uint32(len(jobs)), uint32(kd.nargs), kd.f32mask)
}

// Close does nothing: the glue owns the memory and the kernel instance.
func (d *JSDevice) Close() error { return nil }

// FileSource is a file the JS glue opened for reading (a model file in
// OPFS through a FileSystemSyncAccessHandle, or a File/Blob read with
// FileReaderSync: both synchronous, in a worker), named by the glue's
// handle number. It is an io.ReaderAt for parsing the GGUF header; the
// backend's Load and LoadFrom notice it under a tensor's section reader
// and have the glue copy the tensor's bytes straight into the arena.
//
//	src, err := arena.OpenFileSource(handle)
//	f, err := gguf.Read(src, src.Size())
//	m, err := model.Load(f, backend) // every tensor: file → arena directly
type FileSource struct {
	id   uint32
	size int64
}

// OpenFileSource wraps the glue's file handle id.
func OpenFileSource(id uint32) (*FileSource, error) {
	size := jsSourceSize(id)
	if size < 0 {
		return nil, fmt.Errorf("arena: the JS glue has no file source %d", id)
	}
	return &FileSource{id: id, size: size}, nil
}

// Size is the file's size in bytes.
func (s *FileSource) Size() int64 { return s.size }

// ReadAt reads len(p) bytes at off into Go memory (for headers).
func (s *FileSource) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("arena: file source %d: negative offset %d", s.id, off)
	}
	done := 0
	for done < len(p) {
		c := p[done:min(len(p), done+chunkSize)]
		got := jsSourceRead(s.id, off+int64(done), ptr(c), uint32(len(c)))
		if got < 0 {
			return done, fmt.Errorf("arena: reading file source %d at %d failed", s.id, off+int64(done))
		}
		done += int(got)
		if int(got) < len(c) {
			return done, io.EOF
		}
	}
	return done, nil
}
