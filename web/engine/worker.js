// Hearth's engine worker: runs the Go engine (engine.wasm) with
// kernels.wasm through runtime.js, and answers the page (hearth.js).
//
// Requests {id, type, ...} get one answer {id, ok} or {id, error}; while
// one runs, events {id, event: 'progress' | 'token', ...} may come first.
//   load      {url | blob, threads, nCtx, batch, cache = true, revalidate = false, simd = 'auto',
//              replace = false, memoryLimit, memoryLimitWhy, cancelFlag, kvType = 'f16', sha256, expertBudget}
//             → model info, timings, and where the bytes came from:
//               {cached, storage: 'opfs' | 'memory' | 'blob', kernels, downloadSeconds, loadSeconds,
//                needBytes, ...}
//             The file is checked before anything is loaded (see "Checks"
//             below); replace: true lets the load take the place of a
//             loaded model, which is unloaded only once the new file has
//             passed the checks. A failed load's error carries reason
//             (the check's), cancelled, and modelLoaded: whether a model
//             is loaded now (the previous one, if the new file was refused).
//             sha256 (hex): the file must have this digest (a catalog's),
//             checked as it downloads, or once for a copy cached without
//             one; a mismatch fails with reason 'checksum' and caches nothing.
//             kvType is the KV cache's element type: 'f16' (half the memory,
//             llama.cpp's default) or 'f32'; the answer's kvType says which.
//             kernels is 'relaxed' or 'simd128': which build of kernels.wasm
//             the engine runs (features.js; chosen at the first load, for
//             the worker's life). simd 'plain' asks for the SIMD128 build
//             even where relaxed SIMD works; 'relaxed' fails where it does not.
//             progress events {phase, loaded, total, cached}: phase
//             'download' (network → OPFS, or → memory without OPFS), then
//             'upload' (file → arena); a model already in OPFS skips the
//             download (one event {phase: 'cached'}).
//             expertBudget (bytes): a mixture of experts whose experts do
//             not fit may run with them left in the file (OPFS, or the
//             blob) and paged on demand into an LRU expert cache of at
//             most this size in the arena; the file stays open while the
//             model is loaded, and the answer's expertCache (and memory's)
//             says {slots, experts, layers, cacheBytes, expertBytes, hits,
//             misses, hitRate, bytesRead}. A mixture of experts refused
//             as too large (reason 'too-large') with its experts resident
//             says in the error's expertBudget (bytes) the largest expert
//             budget under which it would fit with them paged: the load
//             may be tried again with that budget.
//   tokenize  {text}                       → ids
//   chat      {messages: [{role, content}], addGenerationPrompt = true}
//             → {ids, prompt, template}: the conversation rendered with the
//               model's own chat template ('gguf'; 'chatml' if it has none)
//               and tokenized, ready for generate {ids}
//   generate  {prompt | ids, nPredict, sampling, ignoreEOS, stream, schema}
//             → {ids, text, promptTokens, prefillSeconds, decodeSeconds,
//                generatedTokens, decodeTokens, stop}
//             With paged experts (load's expertBudget) the answer adds
//             expertCache {prefill, decode}: what the expert cache did in
//             each phase, {hits, misses, bytesRead, hitRate}.
//             schema (a JSON schema's text, the subset engine/sample/constrain
//             compiles: oneOf/anyOf, objects with properties in document
//             order, const, enum, bounded strings, integers, booleans …)
//             constrains the output: every token is sampled among those that
//             keep the text a valid compact JSON document, so the answer's
//             text parses and validates at any temperature. Generation stops
//             when the document is complete ({stop: 'done'}), or at an
//             end-of-generation token, which is allowed only then; nPredict
//             then defaults to the context's room, and an explicit nPredict
//             that ends the text early answers complete: false. ignoreEOS is
//             ignored. The answer adds complete (whether the text is a whole
//             document). A schema the engine cannot compile is an error
//             naming the keyword. Compiled schemas and the vocabulary's
//             token trie are kept for the next generation.
//   probe     {url | blob, nCtx, batch, memoryLimit, memoryLimitWhy, kvType = 'f16', expertBudget}
//             → {arch, context, weightBytes, kvBytes, scratchBytes, needBytes, fileBytes, ...}:
//               load's checks alone (a URL is downloaded as load does)
//   cancel    {}   ends the load or probe under way: true if there was one
//   stop      {}   ends a streaming generation after its current token
//   memory    {}   → the engine's wasm memories now and at their highest:
//                    {arenaBytes, goBytes, peakBytes, loadPeakBytes, ...}
//   models    {}   → the models cached in OPFS: [{url, size, date, etag, lastModified}]
//             each also says sha256 (the digest verified, or null), kind
//             ('model', or 'mmproj': a vision model's image encoder) and
//             mmproj (the URL of the encoder the model loaded with as a pair,
//             or null); both are recorded when a pair loads from URLs.
//   deleteModel {url} → true if url's cached copy was deleted, false if there was none
//   unload    {}
//
// Vision (a vision-language model: a text model and its image encoder,
// an mmproj GGUF file, loaded as a pair):
//   load      {..., mmproj: {url | blob, sha256}, maxImagePixels, imageCacheBytes}
//             The mmproj file is fetched, cached in OPFS (keyed by URL) and
//             digest-checked like the model; the pair is checked together
//             before a loaded model is given up: an mmproj (GGUF,
//             general.architecture 'clip') of a projector the engine runs
//             (mlp, idefics3), every tensor present in its shape, projecting
//             into the model's embedding width, and the model and the
//             encoder (weights plus the working memory of an encode)
//             under the device's limit. Progress events then carry file:
//             'model' or 'mmproj' (download or cached, then upload, for
//             each). A failure of the mmproj file says mmproj: true (and
//             its stored copy goes if its bytes are bad). The answer adds
//             vision: {projector, imageSize, patchSize, tokensPerImage (per
//             tile for idefics3), tiles, layers, embd, weightBytes,
//             scratchBytes, maxImagePixels} and mmprojCached, mmprojStorage.
//             (vision.preprocImageSize: idefics3's longest edge, to which an
//             image's longer side is resized before it is cut into tiles of
//             imageSize: at most ceil(preprocImageSize / imageSize)² tiles
//             plus the overview; 0 where there is none.)
//             maxImagePixels: images with more pixels (by their header,
//             before decoding) are refused; default 24 000 000.
//   chat      {messages}: content is a string, or parts [{type: 'text', text},
//             {type: 'image', data: ArrayBuffer | Blob | Uint8Array}]. The
//             images are decoded and preprocessed (in Go, engine/image) but
//             not encoded; the answer's promptTokens counts every position
//             of the prompt, the images' embeddings included (ids holds
//             the text tokens only), and images says how many there are.
//   generate  {messages, nPredict, sampling, stream, ...}: the same
//             conversation (as chat took it; nothing is kept between the
//             two); its images are encoded first, one input at a time (an
//             image, or each SmolVLM tile and the overview), each followed
//             by {event: 'progress', phase: 'image', image, images, tile,
//             tiles, input, inputs}; then the prompt is evaluated and the
//             generation runs as for ids. The answer adds images and
//             imageSeconds (the encoding's time; prefillSeconds is the
//             prompt's evaluation after it).
//             imageSeconds splits into imagePrepareSeconds (decoding and
//             preprocessing the images, assembling the prompt) and
//             imageEncodeSeconds (the encoder and projector over the
//             inputs encoded now, imageInputs of them: each SmolVLM tile
//             and overview counts one), for benchmarks (scripts/benchbrowser).
//             Images are not encoded twice: the engine keeps the embeddings
//             of the images it encoded (keyed by the SHA-256 of their bytes,
//             with the loaded mmproj and maxImagePixels; least recently used
//             dropped first beyond load's imageCacheBytes, default 64 MiB,
//             0 keeps none; all dropped when the pair is unloaded or
//             replaced), so a follow-up question about the same picture
//             encodes nothing and answers as if it had. generate's answer
//             says imagesEncoded (encoded now) and imagesCached (taken from
//             the cache); progress events come only for the inputs encoded.
//             chat, too, counts an image it has seen without decoding it
//             again. memory's imageCache says {images, bytes, maxBytes,
//             layouts, hits, misses}.
//             stop during the encoding takes effect between inputs: generate
//             then answers at once {stop: 'stopped', stoppedWhileEncoding:
//             true, ids: [], text: '', generatedTokens: 0, imageInputs (the
//             inputs encoded before the stop), ...}; the prompt is not
//             evaluated, the image under way is not cached (images finished
//             before the stop are), and the model stays loaded.
//   Errors of an image carry reason: 'no-vision' (the model was loaded
//   without an mmproj), 'not-image' (not an image, or a format not read:
//   PNG, JPEG, GIF and WebP are), 'image-corrupt' (cut short or damaged),
//   'image-too-large' (more pixels than maxImagePixels, or bytes than
//   256 MiB); the message names the image ("image 2: …") and the problem.
//   The model stays loaded, and nothing of the conversation is kept.
//
// Downloads (load {url}): the response body streams into a file in OPFS
// (modelstore.js: FileSystemSyncAccessHandle, one network chunk in memory
// at a time), and the model then loads from that file, whose read() puts
// bytes straight into the arena. The file is kept, keyed by URL: the next
// load of the URL reads it without the network (revalidate: true asks the
// server first, with the stored ETag / Last-Modified). Without OPFS (Node,
// some private modes), with cache: false, or when storage is full, the
// body is held in memory as a list of chunks until the model is loaded.
// Checks: the engine reads the file's header and refuses, naming why
// (wasm/engine/modelcheck), a file that is not GGUF, one cut short, one
// it cannot run, or a model whose weights and KV cache (for the session's
// context) exceed what it may use: the arena's 4 GiB (wasm32), or half of
// the device's memory where navigator.deviceMemory says it, or the page's
// memoryLimit. For a URL not yet cached, the header alone is fetched
// first (a Range request; servers without ranges skip this), so a model
// that cannot load is refused before its download.
//
// Cancel: while a load awaits the network or OPFS, cancel aborts it
// (AbortController: the fetch and the OPFS write stop, the partial file is
// deleted). While the engine reads the file into the arena the worker is
// busy in one synchronous call and takes no messages, so the page also
// sets cancelFlag (a shared Int32Array that hearth.js passes when the page
// is cross-origin isolated), which the source's read() checks before each
// chunk (runtime.js fills the arena 4 MB at a time).
import { startEngine, chunkSource, blobSource, download } from './runtime.js';
import { openModelStore, checkDigest } from './modelstore.js';
import { SHA256 } from './sha256.js';
import { hasRelaxedSimd, kernelFile } from './features.js';
import './wasm_exec.js'; // defines globalThis.Go (copied from Go's lib/wasm by wasm/buildweb)

let engine = null;
let stopRequested = false;
let busy = null; // the exclusive request under way
// Requests that may come while an exclusive one runs.
const concurrent = { stop: true, memory: true, models: true, cancel: true };
// Whether the engine holds a model (a failed load may leave the one before).
let modelLoaded = false;
// The cancel state of the load or probe under way (cancelState), or null.
let loading = null;
// The source a model with paged experts (load's expertBudget) reads its
// experts from while it is loaded: {id, m}, or null. It is released
// when the model is unloaded, replaced, or lost to a failed load.
let pagedSource = null;

// expertBudget is the engine's load and probe option of msg.expertBudget
// (none unless it is a positive byte count).
function expertBudget(msg) {
  return msg.expertBudget > 0 ? { expertBudget: msg.expertBudget } : {};
}

// expertCounts is the paged model's expert cache counts now {hits,
// misses, bytesRead}, or null when no model with paged experts is loaded.
function expertCounts() {
  if (!pagedSource || !engine) return null;
  const c = engine.memory().expertCache;
  return c ? { hits: c.hits, misses: c.misses, bytesRead: c.bytesRead } : null;
}

// countsBetween is what the expert cache did between two expertCounts:
// {hits, misses, bytesRead, hitRate}.
function countsBetween(a, b) {
  const hits = b.hits - a.hits, misses = b.misses - a.misses;
  return { hits, misses, bytesRead: b.bytesRead - a.bytesRead, hitRate: hits + misses > 0 ? hits / (hits + misses) : 0 };
}

// releasePagedSource unregisters and closes the paged model's source.
function releasePagedSource() {
  if (!pagedSource) return;
  engine?.removeSource(pagedSource.id);
  pagedSource.m.close();
  pagedSource = null;
}
const base = new URL('.', import.meta.url);

// The store, opened on first use (null: no OPFS here).
let storePromise = null;
const modelStore = () => (storePromise ??= openModelStore());

// The high-water mark of the engine's two wasm memories (arena + Go
// instance). Neither ever shrinks, so their sum now is also their peak;
// sampling it after every request and progress event keeps the mark right
// even if a future engine replaces a memory.
const mem = { peak: 0, loadPeak: 0 };
function sampleMemory() {
  if (!engine) return 0;
  const now = engine.arena.buffer.byteLength + engine.goMemoryBytes();
  mem.peak = Math.max(mem.peak, now);
  return now;
}

async function compile(name) {
  const url = new URL(name, base);
  if (WebAssembly.compileStreaming) {
    try { return await WebAssembly.compileStreaming(fetch(url)); } catch (_) { /* wrong MIME type: fall back */ }
  }
  const resp = await fetch(url);
  if (!resp.ok) throw new Error(`fetching ${url}: HTTP ${resp.status}`);
  return WebAssembly.compile(await resp.arrayBuffer());
}

async function ensureEngine(threads, simd = 'auto') {
  if (engine) return engine;
  // Threads need a shared memory, which needs cross-origin isolation.
  const n = self.crossOriginIsolated ? Math.max(1, threads | 0) : 1;
  // The relaxed-SIMD kernels give the same bits, faster, where the engine
  // has relaxed SIMD and computes it right (features.js runs a probe).
  if (!['auto', 'plain', 'relaxed'].includes(simd)) throw new Error(`simd ${simd}: want 'auto', 'plain' or 'relaxed'`);
  const relaxed = simd !== 'plain' && hasRelaxedSimd();
  if (simd === 'relaxed' && !relaxed) throw new Error('this browser has no working relaxed SIMD');
  const [goModule, kernels, kernelsShared] = await Promise.all([
    compile('engine.wasm'), compile(kernelFile(false, relaxed)), n > 1 ? compile(kernelFile(true, relaxed)) : null,
  ]);
  engine = await startEngine({
    goModule, kernels, kernelsShared, threads: n, Go: self.Go,
    spawnHelper: (init) => {
      const w = startHelper(new URL('helper.js', base), { type: 'module', name: `hearth-helper-${init.index}` });
      w.postMessage(init);
      return w;
    },
  });
  engine.kernelBuild = relaxed ? 'relaxed' : 'simd128';
  return engine;
}

// startHelper starts a helper thread. A worker started from a blob URL
// (hearth.js does that when the page embeds Hearth from another origin)
// has the page's origin, and may only start workers of that origin: the
// helper is then a one-line blob module importing helper.js by URL.
function startHelper(url, options) {
  if (url.origin === self.location.origin) return new Worker(url, options);
  const blobURL = URL.createObjectURL(new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' }));
  const w = new Worker(blobURL, options);
  setTimeout(() => URL.revokeObjectURL(blobURL), 60_000);
  return w;
}

// A macrotask boundary, so that a 'stop' message can arrive mid-generation.
function yieldToEvents() {
  return new Promise((resolve) => {
    const ch = new MessageChannel();
    ch.port1.onmessage = () => resolve();
    ch.port2.postMessage(null);
  });
}

// progressReporter sends progress events of one phase, at most one per
// step bytes (and always the last one), each also sampling the memory.
function progressReporter(event, phase, cached, step) {
  let last = -Infinity;
  return (loaded, total, final = false) => {
    if (final || loaded - last >= step || (total && loaded === total)) {
      last = loaded;
      sampleMemory();
      event({ event: 'progress', phase, loaded, total, cached });
    }
  };
}

// fetchModel GETs url, refusing an unsuccessful response. The browser's
// HTTP cache is bypassed: the copy that counts is the one in OPFS.
async function fetchModel(url, headers, signal) {
  const resp = await fetch(url, { cache: 'no-store', headers, signal }).catch((e) => {
    throw new Error(`fetching ${url}: ${e.message}`);
  });
  if (!resp.ok && resp.status !== 304) throw new Error(`fetching ${url}: HTTP ${resp.status}`);
  return resp;
}

// revalidate asks the server whether the cached copy of url is current,
// with the validators stored at download. It returns a response with a
// new body to download, or null to use the copy (304 Not Modified, no
// validators to ask with, or no answer: offline is not an error).
async function revalidate(url, entry, signal) {
  const headers = {};
  if (entry.etag) headers['If-None-Match'] = entry.etag;
  if (entry.lastModified) headers['If-Modified-Since'] = entry.lastModified;
  if (Object.keys(headers).length === 0) return null;
  try {
    const resp = await fetchModel(url, headers, signal);
    return resp.status === 304 ? null : resp;
  } catch (err) {
    if (signal?.aborted) throw err;
    console.warn(`hearth: could not revalidate ${url} (${err.message}); using the cached copy`);
    return null;
  }
}

// openModel finds the bytes a load request names, downloading them when
// needed, and returns {source, close, cached, storage, entry}: a
// runtime.js source to load from and the function that releases it.
// signal (an AbortSignal) cancels the download; a URL's header is checked
// before its download when check(url) is given.
async function openModel(msg, event, signal, check) {
  if (msg.blob) return { source: blobSource(msg.blob), close() {}, cached: false, storage: 'blob' };
  if (!msg.url) throw new Error('load needs a url or a blob');
  // Keyed by the absolute URL, so "m.gguf" and "/m.gguf" are one model.
  const url = new URL(msg.url, self.location.href).href;
  const downloaded = progressReporter(event, 'download', false, 4 << 20);
  const store = msg.cache === false ? null : await modelStore();
  if (store) {
    const entry = await store.lookup(url);
    if (!entry && check) await check(url);
    const resp = entry ? (msg.revalidate ? await revalidate(url, entry, signal) : null) : await fetchModel(url, undefined, signal);
    if (entry && !resp) {
      if (msg.sha256) await store.verify(url, entry, msg.sha256);
      progressReporter(event, 'cached', true, 0)(entry.size, entry.size, true);
      return { ...(await store.open(entry, blobSource)), cached: true, storage: 'opfs', entry };
    }
    try {
      const got = await store.download(url, resp, downloaded, msg.sha256);
      downloaded(got.entry.size, got.entry.size, true);
      return { ...got, cached: false, storage: 'opfs' };
    } catch (err) {
      if (!err.storageFull) throw err;
      console.warn(`hearth: ${err.message}; loading the model without caching it`);
    }
  }
  // No store: the body in memory, as chunks, until the model is loaded.
  if (!store && check) await check(url);
  const chunks = await download(url, downloaded, signal);
  const size = chunks.reduce((n, c) => n + c.length, 0);
  if (msg.sha256) {
    const hash = new SHA256();
    for (const c of chunks) hash.update(c);
    checkDigest(url, hash.hex(), msg.sha256, 'the downloaded file');
  }
  downloaded(size, size, true);
  return { source: chunkSource(chunks), close() {}, cached: false, storage: 'memory' };
}

// cancelState is the cancel state of one load or probe: an
// AbortController for its awaits, and the page's shared flag (msg.cancelFlag)
// for its synchronous part.
function cancelState(msg) {
  const controller = new AbortController();
  // (SharedArrayBuffer is not even defined where the page is not cross-origin isolated.)
  const flag = typeof SharedArrayBuffer !== 'undefined' && msg.cancelFlag instanceof SharedArrayBuffer ? new Int32Array(msg.cancelFlag) : null;
  return {
    controller,
    signal: controller.signal,
    cancelled: () => controller.signal.aborted || (flag !== null && Atomics.load(flag, 0) !== 0),
  };
}

// cancellable makes source's reads fail once c is cancelled; the engine
// then stops its load with a read error, which the worker reports as the
// cancel it is.
function cancellable(source, c) {
  const read = source.read;
  source.read = function (pos, dst, off, n) {
    if (c.cancelled()) throw new Error('the load was cancelled');
    return read.call(this, pos, dst, off, n);
  };
  return source;
}

function cancelledError() {
  return Object.assign(new Error('the load was cancelled'), { cancelled: true });
}

// memoryLimit is the ceiling the worker puts on a model besides the
// arena's 4 GiB, as the engine's load and probe take it ({limit,
// limitWhy}): the page's own (msg.memoryLimit), or half of the memory the
// device reports (navigator.deviceMemory: GB, rounded down to a power of
// two and capped at 8), leaving the rest to the browser and the system.
function memoryLimit(msg) {
  if (msg.memoryLimit > 0) return { limit: msg.memoryLimit, limitWhy: msg.memoryLimitWhy || 'the limit the page set' };
  const gb = self.navigator?.deviceMemory;
  if (gb > 0) {
    return { limit: gb * 2 ** 30 / 2, limitWhy: `this device reports ${gb} GB of memory (navigator.deviceMemory), and a model may take at most half of it` };
  }
  return {};
}

// Header-first check: the bytes fetched to read a remote file's header,
// tried in turn until one holds it (a 150k-token vocabulary makes a
// header of ~8 MB).
const HEADER_STEPS = [1 << 20, 8 << 20, 32 << 20];

// checkRemoteHeader fetches the start of url with a Range request and
// runs the engine's check on it (a source of the whole file's size whose
// bytes past the start are missing), so that a model the engine would
// refuse is refused before its download. It throws the check's error;
// it returns quietly when the check cannot be made here (no range support,
// an encoded body, a header longer than the steps, no answer): the
// download then goes ahead and the load checks the whole file.
async function checkRemoteHeader(e, url, msg, signal) {
  for (const n of HEADER_STEPS) {
    let resp;
    try {
      resp = await fetch(url, { cache: 'no-store', headers: { Range: `bytes=0-${n - 1}` }, signal });
    } catch (err) {
      if (signal.aborted) throw err;
      return;
    }
    const enc = resp.headers.get('Content-Encoding');
    const total = Number(/\/(\d+)\s*$/.exec(resp.headers.get('Content-Range') ?? '')?.[1]);
    if (resp.status !== 206 || (enc && enc !== 'identity') || !Number.isSafeInteger(total)) {
      await resp.body?.cancel().catch(() => {});
      return;
    }
    const head = new Uint8Array(await resp.arrayBuffer());
    let short = false; // the check wanted bytes past head
    const source = {
      size: total,
      read(pos, dst, off, k) {
        if (pos + k > head.length && head.length < total) { short = true; throw new Error('past the fetched header'); }
        const got = Math.max(0, Math.min(k, head.length - pos));
        dst.set(head.subarray(pos, pos + got), off);
        return got;
      },
    };
    const id = e.addSource(source);
    try {
      e.probe(id, msg.nCtx ?? 0, msg.batch ?? 0, { kvType: msg.kvType, ...memoryLimit(msg), ...expertBudget(msg) });
      return;
    } catch (err) {
      if (!short) throw err;
    } finally {
      e.removeSource(id);
    }
  }
}

// Vision: the pair's image encoder, and conversations with images.

// pairEvent marks a pair load's events with the file they are about
// (file: 'model' or 'mmproj'); a single model's events stay unmarked.
function pairEvent(msg, event, file) {
  return msg.mmproj ? (ev) => event({ ...ev, file }) : event;
}

// openMMProj opens the image encoder of a pair load (msg.mmproj: {url |
// blob, sha256}) as openModel opens a model: a URL's file cached in OPFS,
// its digest checked; its errors say mmproj: true.
async function openMMProj(msg, event, c) {
  const mm = msg.mmproj;
  if (typeof mm !== 'object' || (!mm.url && !mm.blob)) throw Object.assign(new Error("load's mmproj needs a url or a blob"), { mmproj: true });
  try {
    return await openModel({ url: mm.url, blob: mm.blob, sha256: mm.sha256, cache: msg.cache, revalidate: msg.revalidate },
      pairEvent(msg, event, 'mmproj'), c.signal);
  } catch (err) {
    throw Object.assign(err, { mmproj: true });
  }
}

// markStoredPair records in the store (modelstore.js markPair) that the
// encoder file mm (openMMProj's) is an image encoder and, with the model
// file m, that the two load as a pair. Files not kept in OPFS are not
// recorded; a failure to record is not the load's.
async function markStoredPair(m, mm) {
  const mmURL = mm?.storage === 'opfs' ? mm.entry?.url : null;
  if (!mmURL) return;
  const modelURL = m?.storage === 'opfs' ? (m.entry?.url ?? null) : null;
  await (await modelStore())?.markPair(modelURL, mmURL).catch(() => {});
}

// uploadReporting makes the opened file m report its reads into the arena
// as 'upload' progress events (onFill(0, true) sends the last one).
function uploadReporting(m, event) {
  const uploaded = progressReporter(event, 'upload', m.cached, 8 << 20);
  let filled = 0;
  m.source.onFill = (n, final = false) => {
    filled += n;
    uploaded(final ? m.source.size : filled, m.source.size, final);
  };
  return m.source;
}

// visionOptions are the engine's load options of a pair: the encoder's
// source id (mmID; 0: none) and msg.maxImagePixels.
function visionOptions(mmID, msg) {
  return {
    ...(mmID ? { mmproj: mmID } : {}), ...(msg.maxImagePixels > 0 ? { maxImagePixels: msg.maxImagePixels } : {}),
    ...(typeof msg.imageCacheBytes === 'number' ? { imageCacheBytes: msg.imageCacheBytes } : {}),
  };
}

// bytesOf is an image part's data as the engine takes it (a Uint8Array):
// from an ArrayBuffer, a typed array or a Blob (File).
async function bytesOf(d) {
  if (d instanceof Uint8Array) return d;
  if (d instanceof ArrayBuffer) return new Uint8Array(d);
  if (ArrayBuffer.isView(d)) return new Uint8Array(d.buffer, d.byteOffset, d.byteLength);
  if (typeof Blob !== 'undefined' && d instanceof Blob) return new Uint8Array(await d.arrayBuffer());
  return d; // the engine says what is wrong with it
}

// withImageBytes is messages with every image part's data as bytes.
async function withImageBytes(messages) {
  if (!Array.isArray(messages)) return messages;
  return Promise.all(messages.map(async (m) => {
    if (!Array.isArray(m?.content)) return m;
    const content = await Promise.all(m.content.map(async (p) => (p?.type === 'image' ? { ...p, data: await bytesOf(p.data) } : p)));
    return { ...m, content };
  }));
}

// prepareMessages assembles generate's conversation (msg.messages) in the
// engine and encodes its images one input (an image, or a SmolVLM tile) at
// a time, sending {event: 'progress', phase: 'image', image, images,
// tile, tiles} after each and yielding between them. Images the engine
// encoded before (its cache of embeddings) are not encoded again: only
// the pending inputs are. It returns {images, imagesEncoded, imagesCached,
// seconds, prepareSeconds, encodeSeconds, inputs}.
async function prepareMessages(msg, event) {
  const t0 = performance.now();
  const p = engine.prepare(await withImageBytes(msg.messages), { addGenerationPrompt: msg.addGenerationPrompt ?? true });
  const tEncode = performance.now(); // prepared: the encoder's time starts
  const inputs = p.pending ?? p.inputs;
  let encoded = 0; // inputs encoded before a Stop (stoppedWhileEncoding)
  for (let i = 0; i < inputs; i++) {
    if (stopRequested) break;
    const r = engine.encodeNext();
    encoded++;
    sampleMemory();
    event({ event: 'progress', phase: 'image', image: r.image, images: r.images, tile: r.tile, tiles: r.tiles, input: r.input, inputs: r.inputs });
    await yieldToEvents();
  }
  const t1 = performance.now();
  return {
    images: p.images, imagesEncoded: p.imagesEncoded ?? p.images, imagesCached: p.imagesCached ?? 0, seconds: (t1 - t0) / 1000,
    prepareSeconds: (tEncode - t0) / 1000, encodeSeconds: (t1 - tEncode) / 1000, inputs,
    stopped: stopRequested, encoded, promptTokens: p.promptTokens,
  };
}

// stoppedWhileEncoding is generate's answer when Stop came while its
// images were being encoded (prepareMessages checks between inputs: an
// image, or a SmolVLM tile): nothing was generated, the prompt was not
// evaluated, and the image under way was dropped (the engine caches an
// image only once all its inputs are encoded; images finished before
// the Stop stay cached). The model stays loaded; the next generate
// starts afresh.
function stoppedWhileEncoding(images) {
  return {
    ids: [], text: '', stop: 'stopped', stoppedWhileEncoding: true,
    images: images.images, imageSeconds: images.seconds, imagesEncoded: images.imagesEncoded, imagesCached: images.imagesCached,
    imagePrepareSeconds: images.prepareSeconds, imageEncodeSeconds: images.encodeSeconds, imageInputs: images.encoded,
    promptTokens: images.promptTokens ?? 0, prefillSeconds: 0, generatedTokens: 0, decodeTokens: 0, decodeSeconds: 0,
  };
}

// loadModel is load's work; c is its cancel state.
async function loadModel(msg, event, c) {
  const t0 = performance.now();
  const e = await ensureEngine(msg.threads ?? 1, msg.simd ?? 'auto');
  if (msg.threads > 1 && e.threads !== msg.threads) {
    // Not an error: the page may not be cross-origin isolated.
    console.warn(`hearth: running ${e.threads} thread(s), ${msg.threads} asked for (crossOriginIsolated=${self.crossOriginIsolated})`);
  }
  // A pair (msg.mmproj): the model's events say file: 'model', the
  // encoder's file: 'mmproj' (see "Vision" above).
  const m = await openModel(msg, pairEvent(msg, event, 'model'), c.signal, (url) => checkRemoteHeader(e, url, msg, c.signal));
  let mm = null; // the image encoder's file
  let mmID = 0;
  let downloadSeconds = 0;
  let info;
  try {
    if (msg.mmproj) mm = await openMMProj(msg, event, c);
    if (mm) await markStoredPair(null, mm); // stored as an image encoder, even if the pair fails below
    downloadSeconds = (performance.now() - t0) / 1000;
    if (c.cancelled()) throw cancelledError();
    if (mm) mmID = e.addSource(cancellable(uploadReporting(mm, pairEvent(msg, event, 'mmproj')), c));
    const uploaded = progressReporter(pairEvent(msg, event, 'model'), 'upload', m.cached, 8 << 20);
    let filled = 0;
    m.source.onFill = (n) => { filled += n; uploaded(filled, m.source.size); };
    const read = m.source.read;
    const id = e.addSource(cancellable(m.source, c));
    try {
      info = e.load(id, msg.nCtx ?? 0, msg.batch ?? 0, { replace: !!msg.replace, kvType: msg.kvType, ...memoryLimit(msg), ...expertBudget(msg), ...visionOptions(mmID, msg) });
    } finally {
      if (!info?.expertCache) e.removeSource(id);
      if (mmID) e.removeSource(mmID);
    }
    if (mm) mm.source.onFill(0, true);
    uploaded(m.source.size, m.source.size, true); // the header's bytes were read too: all of it is in
    // The model that was loaded is gone: so is its source.
    releasePagedSource();
    if (info.expertCache) {
      // Paged experts: the source stays open for the model's life, read
      // on demand, no longer reporting upload progress or cancellable.
      m.source.read = read;
      m.source.onFill = null;
      pagedSource = { id, m };
    }
  } catch (err) {
    if (err.modelLoaded !== undefined) modelLoaded = err.modelLoaded;
    if (!modelLoaded) releasePagedSource();
    // A stored file that is not a valid GGUF file will never load: drop
    // it rather than serve it again (closed first: an open file cannot
    // be removed). A cancelled load's read errors say nothing of the file.
    m.close();
    mm?.close();
    // (Of a pair, the file at fault: err.mmproj says it is the encoder's.)
    const bad = err.mmproj ? mm : m;
    if (err.badFile && !c.cancelled() && bad?.storage === 'opfs') await (await modelStore())?.remove(bad.entry.url).catch(() => {});
    throw err;
  }
  mm?.close();
  if (!pagedSource || pagedSource.m !== m) m.close();
  modelLoaded = true;
  if (mm) await markStoredPair(m, mm); // the page lists the pair as one saved model
  mem.loadPeak = Math.max(mem.loadPeak, sampleMemory());
  return {
    ...info, cached: m.cached, storage: m.storage, kernels: e.kernelBuild,
    ...(mm ? { mmprojCached: mm.cached, mmprojStorage: mm.storage } : {}),
    downloadSeconds, loadSeconds: (performance.now() - t0) / 1000,
  };
}

const handlers = {
  async load(msg, event) {
    const c = cancelState(msg);
    loading = c;
    try {
      return await loadModel(msg, event, c);
    } catch (err) {
      // Every failed load says whether a model is loaded now.
      throw Object.assign(c.cancelled() ? cancelledError() : err, { modelLoaded });
    } finally {
      loading = null;
    }
  },

  async probe(msg, event) {
    const e = await ensureEngine(msg.threads ?? 1, msg.simd ?? 'auto');
    const c = cancelState(msg);
    loading = c;
    try {
      const m = await openModel(msg, event, c.signal);
      let failed = null;
      try {
        const id = e.addSource(cancellable(m.source, c));
        try {
          return e.probe(id, msg.nCtx ?? 0, msg.batch ?? 0, { kvType: msg.kvType, ...memoryLimit(msg), ...expertBudget(msg) });
        } finally {
          e.removeSource(id);
        }
      } catch (err) {
        failed = err;
      } finally {
        m.close();
      }
      // As load does: a stored copy that is not a valid GGUF file goes.
      if (failed.badFile && !c.cancelled() && m.storage === 'opfs') await (await modelStore())?.remove(m.entry.url).catch(() => {});
      throw failed;
    } catch (err) {
      throw c.cancelled() ? cancelledError() : err;
    } finally {
      loading = null;
    }
  },

  async cancel() {
    if (!loading) return false;
    loading.controller.abort();
    return true;
  },

  async chat(msg) {
    if (!engine) throw new Error('no model is loaded');
    if (!Array.isArray(msg.messages)) throw new Error('chat needs messages: [{role, content}]');
    return engine.chat(await withImageBytes(msg.messages), { addGenerationPrompt: msg.addGenerationPrompt ?? true });
  },

  async tokenize(msg) {
    if (!engine) throw new Error('no model is loaded');
    return engine.tokenize(msg.text);
  },

  async generate(msg, event) {
    if (!engine) throw new Error('no model is loaded');
    // generate {messages}: a conversation with images (see "Vision").
    if (msg.messages !== undefined && !Array.isArray(msg.messages)) throw new Error('generate\'s messages must be an array [{role, content}]');
    const ids = msg.messages ? null : (msg.ids ?? engine.tokenize(msg.prompt ?? ''));
    const schema = msg.schema ?? null;
    if (schema !== null && typeof schema !== 'string') throw new Error('schema must be the JSON schema\'s text (a string)');
    const nPredict = msg.nPredict ?? (schema ? Infinity : 128);
    if (!(nPredict >= 1)) throw new Error(`nPredict ${nPredict} must be at least 1`);
    stopRequested = false;
    const images = msg.messages ? await prepareMessages(msg, event) : null; // encoded before the prefill's clock starts
    if (images?.stopped) return stoppedWhileEncoding(images); // Stop during the encoding
    const c0 = expertCounts();
    const t0 = performance.now();
    const sampling = schema ? { ...(msg.sampling ?? {}), schema } : (msg.sampling ?? {});
    const s = images ? engine.startPrepared(sampling) : engine.start(ids, sampling);
    const tPrefill = performance.now();
    const c1 = expertCounts(); // read between the timings: prefill's counts end here, decode's start
    const t1 = performance.now();
    const out = [];
    let text = '';
    let stop = 'length';
    let complete = false;
    for (let i = 0; i < nPredict; i++) {
      const r = engine.next(i < nPredict - 1);
      out.push(r.id);
      text += r.text;
      complete = r.complete;
      if (msg.stream) {
        event({ event: 'token', tokenId: r.id, text: r.text });
        await yieldToEvents();
      }
      if (r.eog && (!msg.ignoreEOS || schema)) { stop = 'eog'; break; }
      if (r.done) { stop = 'done'; break; }
      if (r.full) { stop = 'context'; break; }
      if (stopRequested) { stop = 'stopped'; break; }
    }
    const t2 = performance.now();
    const c2 = expertCounts();
    return {
      ids: out, text, stop,
      ...(schema ? { complete } : {}),
      ...(images ? { images: images.images, imageSeconds: images.seconds, imagesEncoded: images.imagesEncoded, imagesCached: images.imagesCached,
        imagePrepareSeconds: images.prepareSeconds, imageEncodeSeconds: images.encodeSeconds, imageInputs: images.inputs } : {}),
      ...(c0 ? { expertCache: { prefill: countsBetween(c0, c1), decode: countsBetween(c1, c2) } } : {}),
      promptTokens: s.promptTokens,
      prefillSeconds: (tPrefill - t0) / 1000,
      generatedTokens: out.length,
      decodeTokens: out.length - 1,
      decodeSeconds: (t2 - t1) / 1000,
    };
  },

  async stop() { stopRequested = true; return true; },

  // The wasm memories: arenaBytes + goBytes now, peakBytes their highest
  // sum since the worker started, loadPeakBytes their largest sum at the
  // end of a load (before any generation), and the engine's own account
  // (arenaUsed, kvTokens, goHeapLive, goHeapSys, goSys).
  async memory() {
    if (!engine) return { arenaBytes: 0, goBytes: 0, peakBytes: 0, loadPeakBytes: 0 };
    const account = engine.memory(); // first: the call itself may grow the Go memory, which the peak must cover
    sampleMemory();
    return {
      ...account, // arenaBytes there is the loaded model's arena (0 once unloaded)
      arenaBytes: engine.arena.buffer.byteLength, goBytes: engine.goMemoryBytes(),
      peakBytes: mem.peak, loadPeakBytes: mem.loadPeak,
    };
  },

  async models() {
    const store = await modelStore();
    return store ? store.list() : [];
  },

  async deleteModel(msg) {
    if (!msg.url) throw new Error('deleteModel needs a url');
    const store = await modelStore();
    return store ? store.remove(new URL(msg.url, self.location.href).href) : false;
  },

  async unload() {
    if (engine) engine.unload();
    releasePagedSource();
    modelLoaded = false;
    return true;
  },
};

self.onmessage = async (ev) => {
  const msg = ev.data;
  if (msg.type === 'stop') { stopRequested = true; }
  const h = handlers[msg.type];
  if (!h) { self.postMessage({ id: msg.id, error: `unknown request ${msg.type}` }); return; }
  const exclusive = !(msg.type in concurrent);
  if (exclusive && busy) {
    self.postMessage({ id: msg.id, error: `the engine is busy with ${busy}` });
    return;
  }
  if (exclusive) busy = msg.type;
  try {
    const ok = await h(msg, (e) => self.postMessage({ id: msg.id, ...e }));
    sampleMemory();
    self.postMessage({ id: msg.id, ok });
  } catch (err) {
    // What the page may act on travels with the message (see load).
    const details = {};
    for (const k of ['reason', 'badFile', 'cancelled', 'modelLoaded', 'expertBudget', 'mmproj']) if (err && err[k] !== undefined) details[k] = err[k];
    self.postMessage({ id: msg.id, error: err && err.message ? err.message : String(err), ...details });
  } finally {
    if (exclusive) busy = null;
  }
};
