// Hearth's engine worker: runs the Go engine (engine.wasm) with
// kernels.wasm through runtime.js, and answers the page (hearth.js).
//
// Requests {id, type, ...} get one answer {id, ok} or {id, error}; while
// one runs, events {id, event: 'progress' | 'token', ...} may come first.
//   load      {url | blob, threads, nCtx, batch, cache = true, revalidate = false, simd = 'auto'}
//             → model info, timings, and where the bytes came from:
//               {cached, storage: 'opfs' | 'memory' | 'blob', kernels, downloadSeconds, loadSeconds, ...}
//             kernels is 'relaxed' or 'simd128': which build of kernels.wasm
//             the engine runs (features.js; chosen at the first load, for
//             the worker's life). simd 'plain' asks for the SIMD128 build
//             even where relaxed SIMD works; 'relaxed' fails where it does not.
//             progress events {phase, loaded, total, cached}: phase
//             'download' (network → OPFS, or → memory without OPFS), then
//             'upload' (file → arena); a model already in OPFS skips the
//             download (one event {phase: 'cached'}).
//   tokenize  {text}                       → ids
//   chat      {messages: [{role, content}], addGenerationPrompt = true}
//             → {ids, prompt, template}: the conversation rendered with the
//               model's own chat template ('gguf'; 'chatml' if it has none)
//               and tokenized, ready for generate {ids}
//   generate  {prompt | ids, nPredict, sampling, ignoreEOS, stream}
//             → {ids, text, promptTokens, prefillSeconds, decodeSeconds,
//                generatedTokens, decodeTokens, stop}
//   stop      {}   ends a streaming generation after its current token
//   memory    {}   → the engine's wasm memories now and at their highest:
//                    {arenaBytes, goBytes, peakBytes, loadPeakBytes, ...}
//   models    {}   → the models cached in OPFS: [{url, size, date, etag, lastModified}]
//   deleteModel {url} → true if url's cached copy was deleted, false if there was none
//   unload    {}
//
// Downloads (load {url}): the response body streams into a file in OPFS
// (modelstore.js: FileSystemSyncAccessHandle, one network chunk in memory
// at a time), and the model then loads from that file, whose read() puts
// bytes straight into the arena. The file is kept, keyed by URL: the next
// load of the URL reads it without the network (revalidate: true asks the
// server first, with the stored ETag / Last-Modified). Without OPFS (Node,
// some private modes), with cache: false, or when storage is full, the
// body is held in memory as a list of chunks until the model is loaded.
import { startEngine, chunkSource, blobSource, download } from './runtime.js';
import { openModelStore } from './modelstore.js';
import { hasRelaxedSimd, kernelFile } from './features.js';
import './wasm_exec.js'; // defines globalThis.Go (copied from Go's lib/wasm by wasm/buildweb)

let engine = null;
let stopRequested = false;
let busy = null; // the exclusive request under way
// Requests that may come while an exclusive one runs.
const concurrent = { stop: true, memory: true, models: true };
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
      const w = new Worker(new URL('helper.js', base), { type: 'module', name: `hearth-helper-${init.index}` });
      w.postMessage(init);
      return w;
    },
  });
  engine.kernelBuild = relaxed ? 'relaxed' : 'simd128';
  return engine;
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
async function fetchModel(url, headers) {
  const resp = await fetch(url, { cache: 'no-store', headers }).catch((e) => {
    throw new Error(`fetching ${url}: ${e.message}`);
  });
  if (!resp.ok && resp.status !== 304) throw new Error(`fetching ${url}: HTTP ${resp.status}`);
  return resp;
}

// revalidate asks the server whether the cached copy of url is current,
// with the validators stored at download. It returns a response with a
// new body to download, or null to use the copy (304 Not Modified, no
// validators to ask with, or no answer: offline is not an error).
async function revalidate(url, entry) {
  const headers = {};
  if (entry.etag) headers['If-None-Match'] = entry.etag;
  if (entry.lastModified) headers['If-Modified-Since'] = entry.lastModified;
  if (Object.keys(headers).length === 0) return null;
  try {
    const resp = await fetchModel(url, headers);
    return resp.status === 304 ? null : resp;
  } catch (err) {
    console.warn(`hearth: could not revalidate ${url} (${err.message}); using the cached copy`);
    return null;
  }
}

// openModel finds the bytes a load request names, downloading them when
// needed, and returns {source, close, cached, storage, entry}: a
// runtime.js source to load from and the function that releases it.
async function openModel(msg, event) {
  if (msg.blob) return { source: blobSource(msg.blob), close() {}, cached: false, storage: 'blob' };
  if (!msg.url) throw new Error('load needs a url or a blob');
  // Keyed by the absolute URL, so "m.gguf" and "/m.gguf" are one model.
  const url = new URL(msg.url, self.location.href).href;
  const downloaded = progressReporter(event, 'download', false, 4 << 20);
  const store = msg.cache === false ? null : await modelStore();
  if (store) {
    const entry = await store.lookup(url);
    const resp = entry ? (msg.revalidate ? await revalidate(url, entry) : null) : await fetchModel(url);
    if (entry && !resp) {
      progressReporter(event, 'cached', true, 0)(entry.size, entry.size, true);
      return { ...(await store.open(entry, blobSource)), cached: true, storage: 'opfs', entry };
    }
    try {
      const got = await store.download(url, resp, downloaded);
      downloaded(got.entry.size, got.entry.size, true);
      return { ...got, cached: false, storage: 'opfs' };
    } catch (err) {
      if (!err.storageFull) throw err;
      console.warn(`hearth: ${err.message}; loading the model without caching it`);
    }
  }
  // No store: the body in memory, as chunks, until the model is loaded.
  const chunks = await download(url, downloaded);
  const size = chunks.reduce((n, c) => n + c.length, 0);
  downloaded(size, size, true);
  return { source: chunkSource(chunks), close() {}, cached: false, storage: 'memory' };
}

const handlers = {
  async load(msg, event) {
    const t0 = performance.now();
    const e = await ensureEngine(msg.threads ?? 1, msg.simd ?? 'auto');
    if (msg.threads > 1 && e.threads !== msg.threads) {
      // Not an error: the page may not be cross-origin isolated.
      console.warn(`hearth: running ${e.threads} thread(s), ${msg.threads} asked for (crossOriginIsolated=${self.crossOriginIsolated})`);
    }
    const m = await openModel(msg, event);
    const downloadSeconds = (performance.now() - t0) / 1000;
    let info;
    try {
      const uploaded = progressReporter(event, 'upload', m.cached, 8 << 20);
      let filled = 0;
      m.source.onFill = (n) => { filled += n; uploaded(filled, m.source.size); };
      const id = e.addSource(m.source);
      try {
        info = e.load(id, msg.nCtx ?? 0, msg.batch ?? 0);
      } finally {
        e.removeSource(id);
      }
      uploaded(m.source.size, m.source.size, true); // the header's bytes were read too: all of it is in
    } catch (err) {
      // A stored file that is not a valid GGUF file will never load: drop
      // it rather than serve it again (closed first: an open file cannot
      // be removed).
      m.close();
      if (err.badFile && m.storage === 'opfs') await (await modelStore())?.remove(m.entry.url).catch(() => {});
      throw err;
    }
    m.close();
    mem.loadPeak = Math.max(mem.loadPeak, sampleMemory());
    return {
      ...info, cached: m.cached, storage: m.storage, kernels: e.kernelBuild,
      downloadSeconds, loadSeconds: (performance.now() - t0) / 1000,
    };
  },

  async chat(msg) {
    if (!engine) throw new Error('no model is loaded');
    if (!Array.isArray(msg.messages)) throw new Error('chat needs messages: [{role, content}]');
    return engine.chat(msg.messages, { addGenerationPrompt: msg.addGenerationPrompt ?? true });
  },

  async tokenize(msg) {
    if (!engine) throw new Error('no model is loaded');
    return engine.tokenize(msg.text);
  },

  async generate(msg, event) {
    if (!engine) throw new Error('no model is loaded');
    const ids = msg.ids ?? engine.tokenize(msg.prompt ?? '');
    const nPredict = msg.nPredict ?? 128;
    if (!(nPredict >= 1)) throw new Error(`nPredict ${nPredict} must be at least 1`);
    stopRequested = false;
    const t0 = performance.now();
    const s = engine.start(ids, msg.sampling ?? {});
    const t1 = performance.now();
    const out = [];
    let text = '';
    let stop = 'length';
    for (let i = 0; i < nPredict; i++) {
      const r = engine.next(i < nPredict - 1);
      out.push(r.id);
      text += r.text;
      if (msg.stream) {
        event({ event: 'token', tokenId: r.id, text: r.text });
        await yieldToEvents();
      }
      if (r.eog && !msg.ignoreEOS) { stop = 'eog'; break; }
      if (r.full) { stop = 'context'; break; }
      if (stopRequested) { stop = 'stopped'; break; }
    }
    const t2 = performance.now();
    return {
      ids: out, text, stop,
      promptTokens: s.promptTokens,
      prefillSeconds: (t1 - t0) / 1000,
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
    sampleMemory();
    return {
      ...engine.memory(), // arenaBytes there is the loaded model's arena (0 once unloaded)
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
    self.postMessage({ id: msg.id, error: err && err.message ? err.message : String(err) });
  } finally {
    if (exclusive) busy = null;
  }
};
