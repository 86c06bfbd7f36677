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
//
// Vision (load's mmproj; setImage, runImage, prefillText; see harness.js):
// the pair loads through OPFS like a model; runImage streams a chat turn
// [image, text] and reports the worker's own clocks for the image.

import { Hearth } from '../engine/hearth.js';

let hearth = null;
let image = null; // the vision runs' image (setImage), an ArrayBuffer

async function fetchBytes(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.arrayBuffer();
}

function loaded() {
  if (!hearth) throw new Error('hearth: no model loaded (call load first)');
  return hearth;
}

benchInstall({
  name: 'hearth',

  // expertBudget (bytes): a mixture of experts runs with its experts
  // paged from OPFS into an expert cache of at most that size; the answer
  // then has expertCache (the cache the engine made), and each run's the
  // cache's lookups in each phase.
  //
  // mmproj (a URL): the model loads as a vision pair with this image
  // encoder, keeping no encoded images (imageCacheBytes 0), so that every
  // run encodes its image anew.
  async load(url, { threads = 1, nCtx = 512, simd = 'auto', expertBudget = 0, mmproj = '' } = {}) {
    if (hearth) throw new Error('hearth: a model is already loaded in this page');
    const t0 = performance.now();
    hearth = new Hearth();
    const pair = mmproj ? { mmproj, imageCacheBytes: 0 } : {};
    const info = await hearth.load(url, { threads, nCtx, simd, expertBudget, ...pair });
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
      ...(info.expertCache ? { expertCache: info.expertCache } : {}),
      ...(info.vision ? { vision: info.vision } : {}),
    };
  },

  // setImage fetches the image the vision runs ask about (harness.js).
  async setImage(url) {
    image = await fetchBytes(url);
    return { bytes: image.byteLength };
  },

  // runImage: a fresh greedy generation about the image: the worker's
  // own clocks give imageEncodeSeconds (the encoder and projector over
  // every tile), imagePrepareSeconds (decoding and preprocessing) and
  // prefillSeconds (the prompt's pass after the encoding); the page's
  // clock gives firstTokenSeconds, from the request to the first token's
  // event. The worker sends a token's event after its forward pass (it
  // samples a token and feeds it in one step), so firstTokenSeconds holds
  // one single-token pass more than the sampling needs.
  async runImage(text, nPredict) {
    const h = loaded();
    if (!image) throw new Error('hearth: no image (call setImage first)');
    const data = image.slice(0); // posted to the worker; the original stays for the next run
    const messages = [{ role: 'user', content: [{ type: 'image', data }, { type: 'text', text }] }];
    let first = 0;
    let tiles = 0;
    const t0 = performance.now();
    const r = await h.generate(messages, {
      nPredict, ignoreEOS: true,
      onToken: () => { if (!first) first = performance.now(); },
      onProgress: (ev) => { if (ev.phase === 'image') tiles = Math.max(tiles, ev.inputs ?? ev.tiles ?? 0); },
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    return {
      promptTokens: r.promptTokens,
      cachedTokens: 0,
      firstTokenSeconds: first ? (first - t0) / 1000 : null,
      imageSeconds: r.imageSeconds,
      imagePrepareSeconds: r.imagePrepareSeconds,
      imageEncodeSeconds: r.imageEncodeSeconds,
      imageInputs: r.imageInputs ?? tiles,
      imagesEncoded: r.imagesEncoded,
      imagesCached: r.imagesCached,
      prefillSeconds: r.prefillSeconds,
      promptSeconds: (r.imageEncodeSeconds ?? r.imageSeconds) + r.prefillSeconds,
      generatedTokens: r.generatedTokens,
      decodeTokens: r.decodeTokens,
      decodeSeconds: r.decodeSeconds,
      wallSeconds,
    };
  },

  // prefillText: a fresh text-only prefill of promptText (one token
  // sampled), the baseline the vision runs' prompt time is compared with.
  async prefillText(promptText) {
    const r = await loaded().generate(promptText, { nPredict: 1, ignoreEOS: true });
    return { promptTokens: r.promptTokens, cachedTokens: 0, prefillSeconds: r.prefillSeconds };
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
      ...(r.expertCache ? { expertCache: r.expertCache } : {}),
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
