// Package arena is the WebAssembly backend of engine/compute: a
// compute.Backend whose buffers are byte offsets in an arena — the linear
// memory kernels.wasm imports, a WebAssembly.Memory owned by the kernel
// side and separate from the Go heap (shared when the page is
// cross-origin isolated, so several workers run kernels over it) — and
// whose operations call the kernels of kernels.wasm.
//
// # Devices
//
// The backend reaches the arena and the kernels only through a Device:
// read and write arena bytes, grow the memory by pages, resolve a kernel
// by name once and call it with an Args array (i32 offsets and counts, f32
// bits). Two implementations:
//
//   - package wazerodev (native, !js): kernels.wasm under wazero, with its
//     memory in a module named "env" (mapped outside the Go heap on Linux)
//     as the browser does it; the tests use it (a native CLI could too);
//   - JSDevice (js/wasm, device_js.go): //go:wasmimport functions of the
//     modules "kernels" and "hearth_arena" that the JS glue provides.
//
// # Memory
//
// A first-fit allocator (heap.go) hands out 64-byte-aligned blocks and
// grows the memory by the whole pages a block needs, never more: a
// WebAssembly.Memory never shrinks, so every page grown stays counted
// (Backend.Reserve grows once ahead of a model's weights, sized by
// ReserveSize; Backend.Usage says how much is in use). Offset 0 is never
// handed out. Fresh pages are
// zero; reused blocks are zeroed on Alloc. Free returns a block; buffer ids
// are never reused, so a stale view panics instead of aliasing. Scratch
// blocks (converted activations, attention scores, RoPE angles) grow
// geometrically and are kept, so a decode step allocates nothing, in the
// arena or on the Go heap.
//
// One backend owns one arena: New takes the device's pages as free space.
//
// # Loading weights
//
// Load(t, r) copies straight into the arena. When r is an
// *io.SectionReader — what gguf.File.TensorReader returns — the device
// reads the source under it (FillAt): natively ReadAt into the arena's own
// bytes; on js, when the source is a FileSource (a file the glue opened:
// an OPFS FileSystemSyncAccessHandle or a File read with FileReaderSync,
// both synchronous in a worker), the glue copies file → arena chunk by
// chunk, and no weight byte enters the Go heap. So the model loader needs
// no change:
//
//	src, _ := arena.OpenFileSource(handle) // js: the glue's file handle
//	f, _ := gguf.Read(src, src.Size())     // the header through Go memory
//	m, _ := model.Load(f, backend)         // every tensor file → arena
//
// LoadFrom(t, src, pos) does the same for a loader that knows where a
// tensor lies.
//
// # Operations
//
// MatMul converts the activation rows to quant.VecDotType(w) with
// quantize_q8_0, quantize_q8_1, quantize_q8_k, convert_f16 or convert_bf16
// (all rows of a share in one call: blocks never straddle rows) into
// scratch, reusing the previous conversion when the same unchanged input
// feeds several projections, then calls matmul_T on the weight view
// (row0, row1 relative to the view's first row). GetRows copies the ids
// into scratch and calls get_rows_T; the float operations call add, mul,
// scale, silu, swiglu, softmax, rmsnorm, rope_apply (with the (cos, sin)
// pairs computed in Go by the reference's own angle code, host.go) and
// attention (attention_f16 over an F16 cache); Copy of F32 rows into an
// F16 tensor (new keys and values into an F16 cache) calls convert_f16.
// New refuses a kernel module that lacks any kernel of Signatures. The
// vision encoder's operations call layernorm, gelu (over tables of the
// reference's GELU32 and GELUQuick32 values, written into the arena when
// first used) and, for ggml's tiled flash attention (at least 64 rows),
// self_attention_prep and self_attention; the other forms of
// SelfAttention run in Go on the backend's private reference backend,
// their operands copied out of the arena and back (ops_encoder.go).
//
// # Numerics
//
// Every kernel gives exactly the bits of the reference backend in
// compute.OrderWasm, so whole models do too, at any thread count (the
// model tests assert it, under wazero and under Node): quantized matmuls
// take llama.cpp's generic order (quant.VecDot) on every shape, float
// weights the kernels' four-lane f32x4 order. The reference's default
// order (compute.OrderLlamaCppX86) is what the llama.cpp oracle computes
// on x86 with AMX: there the products differ in their last bits, which
// now and then moves an activation across a quantization step a layer
// later, so logits differ by a few hundredths and long greedy
// continuations may part. With Options.ReferenceMatMul (MatMul in Go, in
// the default order) whole models give the default order's bits instead.
//
// # Threads
//
// An operation is split into jobs over disjoint ranges of its items —
// weight rows of a matmul (whole 4-row steps), activation rows of a
// row-wise kernel, key/value head groups of an attention (each job with its
// own scores scratch) — one job per device thread, every kernel argument an
// affine function of the job's range (split.go). The device runs the jobs
// at once (Device.CallBatch): wazerodev on one kernel instance per
// goroutine over a shared memory; JSDevice hands them to the glue's
// run_jobs. Each output element is computed by the same code whatever the
// split, so results do not depend on the thread count.
//
// # The JS glue
//
// Module "kernels": every name of Signatures, with the signature given
// there (all i32 but the listed f32s, no results); the glue passes the
// kernel instance's exports (a wasm export passed as an import makes each
// call wasm-to-wasm), with a throwing stub for any name the module lacks.
//
// Module "hearth_arena" (ptr: an address in the Go instance's memory —
// re-read goInstance.exports.mem.buffer on every call, it may have grown;
// an i64 arrives as a BigInt):
//
//	pages() i32                          arena size in 64 KiB pages
//	max_pages() i32                      its maximum (0: no arena)
//	grow(delta i32) i32                  memory.grow(delta), −1 on failure
//	write(dst, src_ptr, n i32)           Go memory → arena
//	read(dst_ptr, src, n i32)            arena → Go memory
//	copy(dst, src, n i32)                within the arena (overlap allowed)
//	zero(dst, n i32)                     clear arena bytes
//	has_kernel(name_ptr, len i32) i32    1 if the kernel instance exports it
//	threads() i32                        threads run_jobs spreads over (1 without isolation)
//	run_jobs(name_ptr, len, jobs_ptr, njobs, nargs, f32mask i32)
//	    run kernel name once per job, at once on the workers (one kernel
//	    instance each, over the shared arena), return when all are done
//	    (Atomics.wait is allowed in a worker); job j's argument i is the
//	    low 32 bits of the little-endian u64 at jobs_ptr + 8·(16·j + i),
//	    an f32's bits when bit i of f32mask is set
//	source_size(id i32) i64              a file source's size, −1 if none
//	source_read(id i32, pos i64, dst_ptr, n i32) i32
//	    file → Go memory (headers); bytes read, −1 on error
//	source_fill(id i32, pos i64, dst, n i32) i32
//	    file → arena directly (weights), in chunks; bytes copied, −1 on error
//
// testdata/node_arena.js is a minimal implementation for Node, which the
// tests use (js_test.go).
package arena
