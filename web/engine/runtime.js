// Hearth's engine runtime: the JS side of wasm/engine (Go, js/wasm) and
// kernels.wasm. It runs in a Web Worker (worker.js) or under Node (the
// tests), and provides the imports engine/compute/arena documents:
//
//   "kernels"       the kernel instance's exports, passed directly (a wasm
//                   export used as an import makes each call wasm-to-wasm);
//   "hearth_arena"  the arena (the kernel instance's memory, shared when
//                   threads > 1), the helpers that run a kernel's jobs, and
//                   the file sources weights stream from.
//
// Go pointers are addresses in the Go instance's memory, whose buffer is
// re-read on every call (it grows); i64 values arrive and leave as BigInt.
//
// Sources: a model loads from a synchronous source {size, read(pos, dst,
// off, n) → bytes} registered with addSource. The engine reads the GGUF
// header through Go's memory and has every tensor's bytes copied straight
// into the arena (source_fill, FILL_CHUNK at a time), so weights never
// enter the Go heap. worker.js uses modelstore.js's fileSource (an OPFS
// file: read() is accessHandle.read into the arena), blobSource (a File or
// Blob) and, where there is no OPFS, chunkSource over download().
//
// Threads: with threads > 1 the arena is a shared WebAssembly.Memory; each
// of threads-1 helpers (spawnHelper) instantiates the shared kernel module
// over it and waits on a shared control block (Atomics.wait). run_jobs
// publishes the jobs there, runs job 0 itself, wakes the helpers, and
// waits until they are done.

const PAGE = 65536;
// Largest arena: 4 GiB, wasm32's limit (the shared kernel module declares it).
const MAX_PAGES = 65536;
// Control block (Int32 slots): generation, pending helpers, jobs, args,
// f32 mask, kernel index, helpers ready, then 16 argument slots per job.
const C_GEN = 0, C_PENDING = 1, C_NJOBS = 2, C_NARGS = 3, C_MASK = 4, C_KERNEL = 5, C_READY = 6;
const C_ARGS = 16, ARGS_PER_JOB = 16, MAX_JOBS = 64;
// Bytes copied per step from a source into the arena.
const FILL_CHUNK = 4 << 20;

const decoder = new TextDecoder();

// How long a thread spins on the control block before it sleeps in
// Atomics.wait. In decode one batch follows another within microseconds,
// while a thread woken from Atomics.wait takes tens of them to run again,
// as long as a small matmul's whole job.
const SPIN_MS = 0.25;

// spinWhile spins while c[slot] is value, for at most SPIN_MS, and returns
// the value it last read.
function spinWhile(c, slot, value) {
  const until = performance.now() + SPIN_MS;
  let v;
  for (let i = 1; (v = Atomics.load(c, slot)) === value; i++) {
    if ((i & 1023) === 0 && performance.now() > until) break;
  }
  return v;
}

// startEngine instantiates the engine and returns its API.
//   goModule:      WebAssembly.Module of the Go program (engine.wasm)
//   kernels:       WebAssembly.Module of kernels.wasm (unshared)
//   kernelsShared: WebAssembly.Module of the shared-memory variant (threads > 1)
//   threads:       compute threads (1 without cross-origin isolation)
//   spawnHelper(init): starts a helper that calls runHelper(init)
//   Go:            wasm_exec.js's Go class
export async function startEngine({ goModule, kernels, kernelsShared, threads = 1, spawnHelper, Go }) {
  threads = Math.max(1, Math.min(threads | 0, MAX_JOBS));
  const shared = threads > 1;
  const arena = new WebAssembly.Memory({ initial: 0, maximum: MAX_PAGES, shared });
  const kmod = shared ? kernelsShared : kernels;
  const k = (await WebAssembly.instantiate(kmod, { env: { memory: arena } })).exports;

  // Kernel names by index, for the control block.
  const kernelNames = WebAssembly.Module.exports(kmod).filter((e) => e.kind === 'function').map((e) => e.name);
  const kernelIndex = new Map(kernelNames.map((n, i) => [n, i]));

  let ctrl = null;
  const helpers = [];
  if (shared) {
    ctrl = new Int32Array(new SharedArrayBuffer(4 * (C_ARGS + ARGS_PER_JOB * MAX_JOBS)));
    for (let h = 1; h < threads; h++) {
      helpers.push(spawnHelper({ kernels: kmod, memory: arena, ctrl: ctrl.buffer, index: h, threads, kernelNames }));
    }
    // Helpers take the first generation only once they all wait for it.
    while (Atomics.load(ctrl, C_READY) < threads - 1) {
      await new Promise((r) => setTimeout(r, 2));
    }
  }

  const stats = { batches: 0 }; // run_jobs calls: operations split across the helpers
  const sources = new Map();
  let nextSource = 1;

  const go = new Go();
  go.argv = ['hearth-engine'];
  go.env = {};
  let goInstance;
  const goBytes = () => new Uint8Array(goInstance.exports.mem.buffer);
  const arenaBytes = () => new Uint8Array(arena.buffer);
  const nameAt = (ptr, len) => decoder.decode(goBytes().slice(ptr, ptr + len));

  const kernelImports = {};
  for (const imp of WebAssembly.Module.imports(goModule)) {
    if (imp.module !== 'kernels') continue;
    kernelImports[imp.name] = k[imp.name] ?? (() => { throw new Error('kernel ' + imp.name + ' is missing'); });
  }

  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const jobArgs = [];
  const runJob = (kernel, j, nargs, mask) => {
    jobArgs.length = nargs;
    for (let i = 0; i < nargs; i++) {
      const bits = ctrl[C_ARGS + ARGS_PER_JOB * j + i];
      if (mask & (1 << i)) { u32[0] = bits; jobArgs[i] = f32[0]; } else { jobArgs[i] = bits; }
    }
    kernel(...jobArgs);
  };

  go.importObject.kernels = kernelImports;
  go.importObject.hearth_arena = {
    pages: () => arena.buffer.byteLength / PAGE,
    max_pages: () => MAX_PAGES,
    grow: (delta) => { try { return arena.grow(delta); } catch (e) { return -1; } },
    write: (dst, src, n) => { arenaBytes().set(goBytes().subarray(src, src + n), dst); },
    read: (dst, src, n) => { goBytes().set(arenaBytes().subarray(src, src + n), dst); },
    copy: (dst, src, n) => { arenaBytes().copyWithin(dst, src, src + n); },
    zero: (dst, n) => { arenaBytes().fill(0, dst, dst + n); },
    has_kernel: (ptr, len) => (typeof k[nameAt(ptr, len)] === 'function' ? 1 : 0),
    threads: () => threads,
    run_jobs: (namePtr, nameLen, jobsPtr, njobs, nargs, mask) => {
      stats.batches++;
      const name = nameAt(namePtr, nameLen);
      const kernel = k[name];
      if (njobs > MAX_JOBS || nargs > ARGS_PER_JOB) throw new Error(`run_jobs: ${njobs} jobs of ${nargs} arguments is too many`);
      const dv = new DataView(goInstance.exports.mem.buffer);
      for (let j = 0; j < njobs; j++) {
        for (let i = 0; i < nargs; i++) ctrl[C_ARGS + ARGS_PER_JOB * j + i] = dv.getUint32(jobsPtr + 8 * (16 * j + i), true);
      }
      ctrl[C_NJOBS] = njobs; ctrl[C_NARGS] = nargs; ctrl[C_MASK] = mask; ctrl[C_KERNEL] = kernelIndex.get(name);
      Atomics.store(ctrl, C_PENDING, threads - 1);
      Atomics.add(ctrl, C_GEN, 1);
      Atomics.notify(ctrl, C_GEN);
      for (let j = 0; j < njobs; j += threads) runJob(kernel, j, nargs, mask);
      for (let v; (v = Atomics.load(ctrl, C_PENDING)) !== 0;) {
        if (spinWhile(ctrl, C_PENDING, v) === v) Atomics.wait(ctrl, C_PENDING, v);
      }
    },
    source_size: (id) => { const s = sources.get(id); return s ? BigInt(s.size) : -1n; },
    source_read: (id, pos, dst, n) => {
      const s = sources.get(id);
      if (!s) return -1;
      try { return s.read(Number(pos), goBytes(), dst, n); } catch (e) { return -1; }
    },
    source_fill: (id, pos, dst, n) => {
      const s = sources.get(id);
      if (!s) return -1;
      try {
        let done = 0;
        while (done < n) {
          const got = s.read(Number(pos) + done, arenaBytes(), dst + done, Math.min(n - done, FILL_CHUNK));
          if (got <= 0) break;
          done += got;
          s.onFill?.(got);
        }
        return done;
      } catch (e) { return -1; }
    },
  };
  goInstance = await WebAssembly.instantiate(goModule, go.importObject);
  go.run(goInstance); // runs main until it waits for calls
  const api = globalThis.hearthEngine;
  if (!api) throw new Error('the Go engine did not start');
  // An engine error becomes an Error; badFile marks bytes that are not a
  // valid GGUF file. A failed load or probe also says why (reason:
  // 'not-gguf', 'truncated', 'invalid', 'unsupported', 'too-large') and,
  // for a load, whether a model is still loaded (modelLoaded); a mixture
  // of experts too large with its experts resident says the expert budget
  // (bytes) under which it would fit with them paged (expertBudget).
  const check = (r) => {
    if (r && r.error) {
      const details = { badFile: !!r.badFile };
      if (r.reason !== undefined) details.reason = r.reason;
      if (r.expertBudget !== undefined) details.expertBudget = r.expertBudget;
      if (r.modelLoaded !== undefined) details.modelLoaded = r.modelLoaded;
      if (r.mmproj) details.mmproj = true; // a pair's image encoder is at fault (wasm/engine/vision.go)
      throw Object.assign(new Error(r.error), details);
    }
    return r;
  };

  return {
    threads,
    arena,
    // addSource registers a synchronous source {size, read(pos, u8, off, n) → bytes}.
    addSource(src) { const id = nextSource++; sources.set(id, src); return id; },
    removeSource(id) { sources.delete(id); },
    // load streams the model from a source into the arena: a session of
    // nCtx tokens (0: the model's, at most 4096), prompts evaluated batch
    // tokens per pass (0: the engine's default, 32). The file is checked
    // first (wasm/engine/probe.go); opts {replace, limit, limitWhy}:
    // replace lets it take a loaded model's place once the check passes,
    // limit is a memory ceiling (bytes) besides the arena's 4 GiB.
    load: (source, nCtx = 0, batch = 0, opts = {}) => check(api.load(source, nCtx, batch, opts)),
    // probe runs load's check alone: {arch, context, weightBytes, kvBytes,
    // scratchBytes, needBytes, fileBytes, ...}, or the error load would give.
    probe: (source, nCtx = 0, batch = 0, opts = {}) => check(api.probe(source, nCtx, batch, opts)),
    tokenize: (text) => check(api.tokenize(text)).ids,
    // chat renders [{role, content}] with the model's chat template and
    // tokenizes it: {ids, prompt, template: 'gguf' | 'chatml'}.
    chat: (messages, opts = {}) => check(api.chat(messages, opts)),
    // Conversations with images (wasm/engine/chatimages.go): message
    // content may be parts [{type: 'text', text}, {type: 'image', data:
    // Uint8Array}]; chat's promptTokens then counts the images.
    // prepare(messages) → {promptTokens, images, inputs} keeps the prompt;
    // encodeNext() encodes one image input → {image, images, tile, tiles,
    // input, inputs, done}; startPrepared(sampling) is start for it.
    prepare: (messages, opts = {}) => check(api.prepare(messages, opts)),
    encodeNext: () => check(api.encodeNext()),
    startPrepared: (sampling = {}) => check(api.startPrepared(sampling)),
    start: (ids, sampling = {}) => check(api.start(ids, sampling)),
    next: (more) => check(api.next(more)),
    // The engine's account of its memory: {arenaBytes, arenaUsed,
    // kvTokens, goHeapLive, goHeapSys, goSys} (bytes; kvTokens positions).
    memory: () => check(api.memory()),
    unload: () => check(api.unload()),
    stats,
    goMemoryBytes: () => goInstance.exports.mem.buffer.byteLength,
    helpers,
  };
}

// chunkSource serves a file held as a list of Uint8Array chunks (a
// download read from a ReadableStream) as a synchronous source.
export function chunkSource(chunks) {
  const starts = [];
  let size = 0;
  for (const c of chunks) { starts.push(size); size += c.length; }
  let last = 0;
  const find = (pos) => { // the chunk holding pos (reads go forward: try the last one first)
    if (last < chunks.length && starts[last] <= pos && pos < starts[last] + chunks[last].length) return last;
    let lo = 0, hi = chunks.length - 1;
    while (lo < hi) { const mid = (lo + hi + 1) >> 1; if (starts[mid] <= pos) lo = mid; else hi = mid - 1; }
    return lo;
  };
  return {
    size,
    read(pos, dst, off, n) {
      if (pos >= size || n <= 0) return 0;
      let done = 0;
      let i = find(pos);
      while (done < n && i < chunks.length) {
        const c = chunks[i];
        const from = pos + done - starts[i];
        const take = Math.min(c.length - from, n - done);
        dst.set(c.subarray(from, from + take), off + done);
        done += take;
        last = i;
        i++;
      }
      return done;
    },
  };
}

// blobSource reads a File or Blob synchronously (FileReaderSync: workers only).
export function blobSource(blob) {
  const reader = new FileReaderSync();
  return {
    size: blob.size,
    read(pos, dst, off, n) {
      if (pos >= blob.size || n <= 0) return 0;
      const buf = new Uint8Array(reader.readAsArrayBuffer(blob.slice(pos, Math.min(blob.size, pos + n))));
      dst.set(buf, off);
      return buf.length;
    },
  };
}

// download reads url into chunks, reporting progress(loaded, total): the
// whole body is held in memory until the model is loaded, so the worker
// uses it only where it cannot stream into OPFS (modelstore.js). An
// AbortSignal, when given, cancels the download.
export async function download(url, progress, signal) {
  const resp = await fetch(url, signal ? { signal } : undefined);
  if (!resp.ok) throw new Error(`fetching ${url}: HTTP ${resp.status}`);
  // Content-Length counts the encoded bytes of a compressed body; the
  // stream gives decoded ones, so only an unencoded length can be checked.
  const enc = resp.headers.get('Content-Encoding');
  const total = enc && enc !== 'identity' ? 0 : Number(resp.headers.get('Content-Length')) || 0;
  const reader = resp.body.getReader();
  const chunks = [];
  let loaded = 0;
  for (;;) {
    const { done, value } = await reader.read().catch((e) => { // the connection broke
      throw new Error(`fetching ${url}: the download failed after ${loaded}${total ? ` of ${total}` : ''} bytes (${e.message})`);
    });
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    progress?.(loaded, total);
  }
  if (total && loaded !== total) throw new Error(`fetching ${url}: got ${loaded} of ${total} bytes (the download was cut short)`);
  return chunks;
}

// runHelper is a helper thread's loop: run this helper's jobs each time
// the generation changes, then count itself done. It never returns.
export async function runHelper({ kernels, memory, ctrl, index, threads, kernelNames }) {
  const k = (await WebAssembly.instantiate(kernels, { env: { memory } })).exports;
  const fns = kernelNames.map((n) => k[n]);
  const c = new Int32Array(ctrl);
  const f32 = new Float32Array(1);
  const u32 = new Uint32Array(f32.buffer);
  const args = [];
  let gen = Atomics.load(c, C_GEN);
  Atomics.add(c, C_READY, 1);
  for (;;) {
    if (spinWhile(c, C_GEN, gen) === gen) Atomics.wait(c, C_GEN, gen);
    gen = Atomics.load(c, C_GEN);
    const njobs = c[C_NJOBS], nargs = c[C_NARGS], mask = c[C_MASK];
    const fn = fns[c[C_KERNEL]];
    for (let j = index; j < njobs; j += threads) {
      args.length = nargs;
      for (let i = 0; i < nargs; i++) {
        const bits = c[C_ARGS + ARGS_PER_JOB * j + i];
        if (mask & (1 << i)) { u32[0] = bits; args[i] = f32[0]; } else { args[i] = bits; }
      }
      fn(...args);
    }
    if (Atomics.sub(c, C_PENDING, 1) === 1) Atomics.notify(c, C_PENDING);
  }
}
