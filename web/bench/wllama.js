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
//
// Vision (load's mmproj; setImage, runImage, prefillText; see harness.js):
// the pair loads as tests/vision's oracle loads it (loadModel with both
// blobs), jinja on; runImage is a streamed createChatCompletion with an
// image part.

import { Wllama, LogLevel } from '/node_modules/@wllama/wllama/esm/index.js';

const WASM = '/node_modules/@wllama/wllama/esm/wasm/wllama.wasm';

let wllama = null;
let image = null; // the vision runs' image (setImage), an ArrayBuffer

async function fetchBlob(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
  return r.blob();
}

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

  // mmproj (a URL): the model loads as a vision pair, the way wllama
  // takes one (loadModel with both files as blobs, fetched here: the load
  // time includes the two downloads), with jinja on so that the text
  // model's own chat template (SmolVLM's) renders the conversation.
  async load(url, { threads = 1, nCtx = 512, mmproj = '' } = {}) {
    if (wllama) throw new Error('wllama: a model is already loaded in this page');
    const t0 = performance.now();
    wllama = new Wllama({ default: WASM }, { logger });
    const params = {
      n_threads: threads,
      n_ctx: nCtx,
      n_gpu_layers: 0,
      n_parallel: 1,
      log_level: LogLevel.WARN,
    };
    if (mmproj) {
      const [text, enc] = await Promise.all([fetchBlob(url), fetchBlob(mmproj)]);
      await wllama.loadModel([text, enc], { ...params, jinja: true });
      if (!wllama.supportInputModality('image')) throw new Error('wllama: the pair loaded without image input');
    } else {
      await wllama.loadModelFromUrl(url, { useCache: false, ...params });
    }
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

  // setImage fetches the image the vision runs ask about (harness.js).
  async setImage(url) {
    const r = await fetch(url);
    if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
    image = await r.arrayBuffer();
    return { bytes: image.byteLength };
  },

  // runImage: a fresh greedy chat completion about the image, streamed.
  // firstTokenSeconds is the page's clock from the request to the first
  // streamed chunk (the server loop hands out a token as soon as it is
  // sampled); promptSeconds is llama.cpp's own timings.prompt_ms, which
  // runs from the start of the prompt's processing (the image's encoding
  // included: mtmd encodes each tile as the server reaches it in the
  // prompt) to the first sampled token. The image's decoding and
  // preprocessing happen before that clock starts, when the request is
  // tokenized. wllama reports no encode time of its own: the harness
  // derives one from promptSeconds and a text-only prefill as long.
  async runImage(text, nPredict) {
    const w = loaded();
    if (!image) throw new Error('wllama: no image (call setImage first)');
    const data = image.slice(0);
    let first = 0;
    let timings = null;
    let chunks = 0;
    let last = null;
    const t0 = performance.now();
    await w.createChatCompletion({
      messages: [{ role: 'user', content: [{ type: 'image', data }, { type: 'text', text }] }],
      max_tokens: nPredict,
      n_predict: nPredict,
      temperature: 0,
      top_k: 1,
      ignore_eos: true,
      cache_prompt: false,
      stream: true,
      onData: (chunk) => {
        if (!first) first = performance.now();
        chunks++;
        last = chunk;
        if (chunk && chunk.timings) timings = chunk.timings;
      },
    });
    const wallSeconds = (performance.now() - t0) / 1000;
    if (!timings) throw new Error(`wllama: the streamed completion came back without timings (last chunk: ${JSON.stringify(last).slice(0, 300)})`);
    return {
      promptTokens: timings.prompt_n,
      cachedTokens: timings.cache_n,
      firstTokenSeconds: first ? (first - t0) / 1000 : null,
      promptSeconds: timings.prompt_ms / 1000,
      prefillSeconds: timings.prompt_ms / 1000,
      generatedTokens: timings.predicted_n,
      decodeTokens: timings.predicted_n - 1,
      decodeSeconds: timings.predicted_ms / 1000,
      wallSeconds,
      chunks,
    };
  },

  // prefillText: a fresh text-only prefill of promptText (one token
  // sampled), the baseline the vision runs' prompt time is compared with.
  async prefillText(promptText) {
    const t = (await complete(promptText, 1)).timings;
    return { promptTokens: t.prompt_n, cachedTokens: t.cache_n, prefillSeconds: t.prompt_ms / 1000 };
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
