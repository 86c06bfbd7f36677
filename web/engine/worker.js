// Hearth's engine worker: runs the Go engine (engine.wasm) with
// kernels.wasm through runtime.js, and answers the page (hearth.js).
//
// Requests {id, type, ...} get one answer {id, ok} or {id, error}; while
// one runs, events {id, event: 'progress' | 'token', ...} may come first.
//   load      {url | blob, threads, nCtx}  → model info and timings
//   tokenize  {text}                       → ids
//   generate  {prompt | ids, nPredict, sampling, ignoreEOS, stream}
//             → {ids, text, promptTokens, prefillSeconds, decodeSeconds,
//                generatedTokens, decodeTokens, stop}
//   stop      {}   ends a streaming generation after its current token
//   memory    {}   → bytes of the arena and of the Go instance's memory
//   unload    {}
import { startEngine, chunkSource, blobSource, download } from './runtime.js';
import './wasm_exec.js'; // defines globalThis.Go (copied from Go's lib/wasm by wasm/buildweb)

let engine = null;
let stopRequested = false;
let busy = null; // the exclusive request under way
const concurrent = { stop: true, memory: true }; // requests that may come while one runs
const base = new URL('.', import.meta.url);

async function compile(name) {
  const url = new URL(name, base);
  if (WebAssembly.compileStreaming) {
    try { return await WebAssembly.compileStreaming(fetch(url)); } catch (_) { /* wrong MIME type: fall back */ }
  }
  const resp = await fetch(url);
  if (!resp.ok) throw new Error(`fetching ${url}: HTTP ${resp.status}`);
  return WebAssembly.compile(await resp.arrayBuffer());
}

async function ensureEngine(threads) {
  if (engine) return engine;
  // Threads need a shared memory, which needs cross-origin isolation.
  const n = self.crossOriginIsolated ? Math.max(1, threads | 0) : 1;
  const [goModule, kernels, kernelsShared] = await Promise.all([
    compile('engine.wasm'), compile('kernels.wasm'), n > 1 ? compile('kernels_shared.wasm') : null,
  ]);
  engine = await startEngine({
    goModule, kernels, kernelsShared, threads: n, Go: self.Go,
    spawnHelper: (init) => {
      const w = new Worker(new URL('helper.js', base), { type: 'module', name: `hearth-helper-${init.index}` });
      w.postMessage(init);
      return w;
    },
  });
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

const handlers = {
  async load(msg, event) {
    const t0 = performance.now();
    const e = await ensureEngine(msg.threads ?? 1);
    if (msg.threads > 1 && e.threads !== msg.threads) {
      // Not an error: the page may not be cross-origin isolated.
      console.warn(`hearth: running ${e.threads} thread(s), ${msg.threads} asked for (crossOriginIsolated=${self.crossOriginIsolated})`);
    }
    let src;
    if (msg.blob) {
      src = blobSource(msg.blob);
    } else if (msg.url) {
      let reported = -Infinity; // a progress event per 4 MiB, and the last one
      const chunks = await download(msg.url, (loaded, total) => {
        if (loaded - reported >= (4 << 20) || loaded === total) {
          reported = loaded;
          event({ event: 'progress', phase: 'download', loaded, total });
        }
      });
      src = chunkSource(chunks);
    } else {
      throw new Error('load needs a url or a blob');
    }
    const downloadSeconds = (performance.now() - t0) / 1000;
    let uploaded = 0, lastReport = 0;
    src.onFill = (n) => {
      uploaded += n;
      if (uploaded - lastReport >= (8 << 20) || uploaded === src.size) {
        lastReport = uploaded;
        event({ event: 'progress', phase: 'upload', loaded: uploaded, total: src.size });
      }
    };
    const id = e.addSource(src);
    try {
      const info = e.load(id, msg.nCtx ?? 0);
      return { ...info, downloadSeconds, loadSeconds: (performance.now() - t0) / 1000 };
    } finally {
      e.removeSource(id);
    }
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

  async memory() {
    if (!engine) return { arenaBytes: 0 };
    return { arenaBytes: engine.arena.buffer.byteLength, goBytes: engine.goMemoryBytes() };
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
    self.postMessage({ id: msg.id, ok });
  } catch (err) {
    self.postMessage({ id: msg.id, error: err && err.message ? err.message : String(err) });
  } finally {
    if (exclusive) busy = null;
  }
};
