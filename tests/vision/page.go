//go:build !js

package vision

// oracleHTML is the page the harness opens: it loads oracleJS as a module.
const oracleHTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>vision oracle</title></head>
<body><script type="module" src="/oracle.js"></script></body></html>
`

// oracleJS defines window.visionOracle(req): it fetches the text model, the
// mmproj file and the image from the harness's server, loads the pair into
// a fresh wllama (one thread, jinja with the request's template), asks for
// a greedy chat completion of [image, text] and returns what llama.cpp
// chose, as JSON. Every call loads and unloads its own instance, so no
// state (KV cache, image cache) passes from one request to the next.
const oracleJS = `import { Wllama, LogLevel } from '/wllama/index.js';

const WASM = '/wllama/wasm/wllama.wasm';

const logger = {
  debug() {},
  log() {},
  warn: (...a) => console.warn('[wllama]', ...a),
  error: (...a) => console.error('[wllama]', ...a),
};

async function get(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(url + ': HTTP ' + r.status);
  return r;
}

window.visionOracle = async (req) => {
  const [textBlob, mmprojBlob, image] = await Promise.all([
    get(req.model).then((r) => r.blob()),
    get(req.mmproj).then((r) => r.blob()),
    get(req.image).then((r) => r.arrayBuffer()),
  ]);
  const w = new Wllama({ default: WASM }, { logger });
  const out = { stage: 'load' };
  try {
    await w.loadModel([textBlob, mmprojBlob], {
      n_threads: 1,
      n_ctx: req.nCtx,
      cache_type_k: req.cacheType || undefined,
      cache_type_v: req.cacheType || undefined,
      flash_attn: req.flashAttn === 'on' ? true : req.flashAttn === 'off' ? false : undefined,
      n_gpu_layers: 0,
      n_parallel: 1,
      jinja: true,
      chat_template: req.template,
      log_level: LogLevel.WARN,
    });
    out.hasImageInput = w.supportInputModality('image');
    out.libllama = Wllama.getLibllamaVersion ? Wllama.getLibllamaVersion() : '';
    out.stage = 'completion';
    const r = await w.createChatCompletion({
      messages: [{ role: 'user', content: [{ type: 'image', data: image }, { type: 'text', text: req.text }] }],
      max_tokens: req.n,
      temperature: 0,
      top_k: 1,
      ignore_eos: true,
      logprobs: true,
      top_logprobs: 1,
      cache_prompt: false,
    });
    const c = r.choices && r.choices[0];
    if (!c || !c.logprobs || !c.logprobs.content) throw new Error('the completion came back without logprobs');
    out.tokens = c.logprobs.content.map((x) => ({ id: x.id, logprob: x.logprob, text: x.token }));
    out.promptTokens = r.usage ? r.usage.prompt_tokens : -1;
    out.finishReason = c.finish_reason;
    out.stage = 'done';
  } catch (e) {
    out.error = String(e && e.stack ? e.stack : e);
  } finally {
    try { await w.exit(); } catch (e) { console.warn('[oracle] exit:', String(e)); }
  }
  return JSON.stringify(out);
};
window.visionOracleReady = true;
`
