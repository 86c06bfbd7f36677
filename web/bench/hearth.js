// Hearth's side of the benchmark: the browser engine (web/engine, built
// by `go run ./wasm/buildweb`) behind the contract of harness.js.
//
// load streams the GGUF file into the engine worker's arena (by way of
// OPFS: the profile is fresh, so the file is downloaded there first, then
// read into the arena) and makes it ready on `threads` threads (helper workers over a shared arena when the
// page is cross-origin isolated). run is a fresh greedy generation with
// end-of-sequence ignored: prefillSeconds is the worker's time for the
// prompt's pass, decodeSeconds its time from there to the last token
// (nPredict samples, nPredict - 1 single-token passes).

import { Hearth } from '../engine/hearth.js';

let hearth = null;

function loaded() {
  if (!hearth) throw new Error('hearth: no model loaded (call load first)');
  return hearth;
}

benchInstall({
  name: 'hearth',

  async load(url, { threads = 1, nCtx = 512, simd = 'auto' } = {}) {
    if (hearth) throw new Error('hearth: a model is already loaded in this page');
    const t0 = performance.now();
    hearth = new Hearth();
    const info = await hearth.load(url, { threads, nCtx, simd });
    // One token through the network, so that compilation and first-touch
    // costs land in the load time, not in the first run.
    await hearth.generate([0], { nPredict: 1, ignoreEOS: true });
    const loadSeconds = (performance.now() - t0) / 1000;
    if (info.threads !== threads) {
      throw new Error(`hearth runs ${info.threads} thread(s), ${threads} asked for ` +
        `(crossOriginIsolated=${self.crossOriginIsolated}, hardwareConcurrency=${navigator.hardwareConcurrency})`);
    }
    return {
      loadSeconds,
      threads: info.threads,
      arch: info.arch,
      weightType: info.weightType,
      n_ctx: info.context,
      add_bos: info.addBOS,
      downloadSeconds: info.downloadSeconds,
      cached: info.cached,
      storage: info.storage,
      kernels: info.kernels,
      arenaBytes: info.arenaBytes,
    };
  },

  async countTokens(text) {
    return (await loaded().tokenize(text)).length;
  },

  async run(promptText, nPredict) {
    const t0 = performance.now();
    const r = await loaded().generate(promptText, { nPredict, ignoreEOS: true });
    const wallSeconds = (performance.now() - t0) / 1000;
    return {
      promptTokens: r.promptTokens,
      cachedTokens: 0,
      prefillSeconds: r.prefillSeconds,
      generatedTokens: r.generatedTokens,
      decodeTokens: r.decodeTokens,
      decodeSeconds: r.decodeSeconds,
      wallSeconds,
    };
  },

  // The larger of the browser's own measurement (cross-origin isolated
  // pages only; in Chromium it may leave out the workers' wasm memories)
  // and the engine's two wasm memories, the arena and the Go instance.
  // wasmPeakBytes is the worker's high-water mark of those two memories
  // (neither ever shrinks), wasmLoadPeakBytes their size when the load
  // ended, before any generation.
  async memory() {
    const w = await loaded().memory();
    const engine = { bytes: w.arenaBytes + (w.goBytes || 0), source: 'engine wasm memories (arena + Go instance)' };
    const m = await benchMeasureMemory();
    return {
      ...(m && m.bytes > engine.bytes ? m : engine),
      wasmPeakBytes: w.peakBytes,
      wasmLoadPeakBytes: w.loadPeakBytes,
      wasmDetail: {
        arenaBytes: w.arenaBytes, arenaUsed: w.arenaUsed, kvTokens: w.kvTokens,
        goBytes: w.goBytes, goHeapLive: w.goHeapLive, goHeapSys: w.goHeapSys,
      },
    };
  },
});
