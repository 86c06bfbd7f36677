// wllama's side of the benchmark: @wllama/wllama (llama.cpp compiled to
// wasm, pinned in web/package.json) behind the contract of harness.js.
//
// What it asks of wllama, and why:
//   - loadModelFromUrl with useCache: false: a download into the origin's
//     storage and a load, the path a wllama user takes; the harness gives
//     every run a fresh profile, so nothing is cached from before.
//   - n_gpu_layers: 0: the CPU (wasm SIMD) path, the one Hearth competes on.
//   - n_parallel: 1: one server slot; cache_prompt: false on every request,
//     so no run reuses the KV cache of another (checked: timings.cache_n).
//   - temperature 0 (greedy) and ignore_eos, so every run generates exactly
//     nPredict tokens.
// Prefill and decode times are the ones llama.cpp's server loop inside
// wllama measures (timings.prompt_ms, timings.predicted_ms): prompt_ms runs
// until the first token is sampled; predicted_ms from there to the last
// token, i.e. predicted_n - 1 single-token forward passes.

import { Wllama, LogLevel } from '/node_modules/@wllama/wllama/esm/index.js';

const WASM = '/node_modules/@wllama/wllama/esm/wasm/wllama.wasm';

let wllama = null;

// Native llama.cpp logs at WARN and above reach the console; wllama's own
// debug chatter does not.
const logger = {
  debug() {},
  log() {},
  warn: (...a) => console.warn('[wllama]', ...a),
  error: (...a) => console.error('[wllama]', ...a),
};

function loaded() {
  if (!wllama) throw new Error('wllama: no model loaded (call load first)');
  return wllama;
}

// complete runs one raw completion without prompt caching.
async function complete(prompt, nPredict) {
  const r = await loaded().createCompletion({
    prompt,
    max_tokens: nPredict,
    n_predict: nPredict,
    temperature: 0,
    ignore_eos: true,
    cache_prompt: false,
    stream: false,
  });
  if (!r || !r.timings) throw new Error('wllama: the completion came back without timings');
  return r;
}

benchInstall({
  name: 'wllama',

  async load(url, { threads = 1, nCtx = 512 } = {}) {
    if (wllama) throw new Error('wllama: a model is already loaded in this page');
    const t0 = performance.now();
    wllama = new Wllama({ default: WASM }, { logger });
    await wllama.loadModelFromUrl(url, {
      useCache: false,
      n_threads: threads,
      n_ctx: nCtx,
      n_gpu_layers: 0,
      n_parallel: 1,
      log_level: LogLevel.WARN,
    });
    const loadSeconds = (performance.now() - t0) / 1000;
    const actual = wllama.getNumThreads();
    if (actual !== threads) {
      throw new Error(`wllama runs ${actual} thread(s), ${threads} asked for ` +
        `(crossOriginIsolated=${self.crossOriginIsolated}, hardwareConcurrency=${navigator.hardwareConcurrency})`);
    }
    const info = wllama.getLoadedContextInfo();
    return {
      loadSeconds,
      threads: actual,
      multithread: wllama.isMultithread(),
      libllama: Wllama.getLibllamaVersion(),
      n_ctx: info.n_ctx,
      n_batch: info.n_batch,
      n_ubatch: info.n_ubatch,
      add_bos: info.add_bos_token,
    };
  },

  // wllama 3 has no tokenize call; a one-token completion reports how many
  // prompt tokens it evaluated.
  async countTokens(text) {
    const r = await complete(text, 1);
    return r.usage.prompt_tokens;
  },

  async run(promptText, nPredict) {
    const t0 = performance.now();
    const r = await complete(promptText, nPredict);
    const wallSeconds = (performance.now() - t0) / 1000;
    const t = r.timings;
    return {
      promptTokens: t.prompt_n,
      cachedTokens: t.cache_n,
      prefillSeconds: t.prompt_ms / 1000,
      generatedTokens: t.predicted_n,
      decodeTokens: t.predicted_n - 1,
      decodeSeconds: t.predicted_ms / 1000,
      wallSeconds,
      reportedDecodePerSecond: t.predicted_per_second,
      finishReason: r.choices && r.choices[0] ? r.choices[0].finish_reason : null,
    };
  },

  // wllama runs in workers whose wasm memory the page cannot see, so only
  // the browser's own measurement is available.
  async memory() {
    const m = await benchMeasureMemory();
    if (!m) throw new Error('performance.measureUserAgentSpecificMemory is not available (page not cross-origin isolated?)');
    return m;
  },
});
