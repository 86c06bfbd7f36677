// The page side of the benchmark contract, shared by every engine page.
//
// An engine page loads this classic script first, then its own module, which
// calls benchInstall(engine) with an object of this shape:
//
//   name: string
//   load(url, {threads, nCtx}) → {loadSeconds, threads, ...info}
//       fetch the GGUF file at url and make it ready to run on `threads`
//       compute threads with a context of nCtx tokens. loadSeconds runs from
//       the call until the model can run (download, parse, upload, warm-up).
//   countTokens(text) → number                                  (optional)
//       how many tokens the engine turns text into, so the harness can check
//       the prompt length before timing anything.
//   run(promptText, nPredict) → {promptTokens, prefillSeconds,
//                                decodeTokens, decodeSeconds,
//                                generatedTokens, cachedTokens?, wallSeconds?}
//       a fresh generation: no state of earlier runs is reused. Prefill is
//       one pass over the prompt, up to the logits the first new token is
//       sampled from; decode then runs one forward pass per token for the
//       rest. generatedTokens counts every token sampled (nPredict, greedy,
//       end-of-sequence ignored); decodeTokens counts the single-token
//       forward passes that decodeSeconds times (generatedTokens - 1, since
//       the first token comes from the prefill's logits).
//   memory() → {bytes, source, wasmPeakBytes?, wasmLoadPeakBytes?, wasmDetail?}
//       memory the page uses now, and how it was measured; an engine that
//       can tell also gives the high-water mark of its wasm memories
//       (wasmPeakBytes), their size when the load ended (wasmLoadPeakBytes)
//       and a breakdown (wasmDetail, reported as it is).
//
// Vision (scripts/benchbrowser -mmproj): load's options then carry mmproj,
// the URL of the image encoder's file, and the model loads as a pair; the
// page also has
//   setImage(url) → {bytes}
//       fetch the image the runs ask about and keep its bytes.
//   runImage(text, nPredict) → {promptTokens, cachedTokens?, firstTokenSeconds,
//                               promptSeconds, imageEncodeSeconds?, imageInputs?,
//                               generatedTokens, decodeTokens, decodeSeconds, wallSeconds}
//       a fresh greedy chat turn [image, text], streamed, with nothing of
//       earlier runs reused (no KV cache, no image embeddings).
//       firstTokenSeconds: the page's clock from the request to the first
//       token it receives. promptSeconds: the engine's clock from the start
//       of the prompt's processing (the image's encoding included) to the
//       first sampled token. imageEncodeSeconds: the encoder's own time,
//       where the engine reports one; imageInputs the encoder inputs
//       (SmolVLM: tiles and overview).
//   prefillText(promptText) → {promptTokens, prefillSeconds, cachedTokens?}
//       a fresh text-only prefill (one token sampled): the baseline for the
//       image's share of promptSeconds.
//
// The harness drives the page through benchCall(method, args), which never
// rejects: it answers {ok: value}, {error: message} or {missing: true}.
'use strict';

(() => {
  let resolveReady, rejectReady;
  window.benchReady = new Promise((res, rej) => { resolveReady = res; rejectReady = rej; });

  // benchFail marks the page as broken (a module that did not load, an
  // uncaught error before the engine was installed).
  window.benchFail = (message) => rejectReady(new Error(message));
  window.addEventListener('error', (ev) => window.benchFail(`page error: ${ev.message}`));
  window.addEventListener('unhandledrejection', (ev) => window.benchFail(`unhandled rejection: ${errorText(ev.reason)}`));

  window.benchInstall = (engine) => {
    for (const m of ['load', 'run', 'memory']) {
      if (typeof engine[m] !== 'function') {
        window.benchFail(`engine ${engine.name}: no ${m}() method`);
        return;
      }
    }
    window.benchEngine = engine;
    resolveReady(engine.name);
  };

  // benchCall runs one method of the installed engine for the harness.
  window.benchCall = async (method, args) => {
    try {
      await window.benchReady;
      const engine = window.benchEngine;
      if (typeof engine[method] !== 'function') return { missing: true };
      return { ok: await engine[method](...(args || [])) };
    } catch (err) {
      return { error: errorText(err) };
    }
  };

  // benchMeasureMemory reports the memory of the page and its workers with
  // performance.measureUserAgentSpecificMemory, which Chromium offers only
  // to cross-origin isolated pages; null when it is not there.
  window.benchMeasureMemory = async () => {
    if (!self.crossOriginIsolated || typeof performance.measureUserAgentSpecificMemory !== 'function') {
      return null;
    }
    const m = await performance.measureUserAgentSpecificMemory();
    return { bytes: m.bytes, source: 'performance.measureUserAgentSpecificMemory' };
  };

  function errorText(err) {
    if (err instanceof Error) return err.message || String(err);
    if (typeof err === 'object' && err !== null) {
      try { return JSON.stringify(err); } catch (_) { /* fall through */ }
    }
    return String(err);
  }
})();
