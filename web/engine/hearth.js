// Hearth's engine for a page: a thin client of the engine worker
// (worker.js), which runs the model off the main thread.
//
//   const h = new Hearth();
//   await h.load('model.gguf', { threads: 2, nCtx: 2048, onProgress });
//   const r = await h.generate('Once upon a time', { nPredict: 64, onToken: (t) => out.append(t.text) });
//   h.stop(); // ends a generation started with onToken after its current token
//
// A model loaded from a URL is downloaded once into the origin's private
// file system (OPFS) and read from there by later loads of the same URL,
// also offline: models() lists the cached copies, deleteModel(url) removes
// one.
export class Hearth {
  constructor({ workerURL = new URL('./worker.js', import.meta.url) } = {}) {
    this.workerURL = new URL(workerURL, globalThis.location?.href);
    this.worker = startWorker(this.workerURL);
    this.pending = new Map();
    this.nextID = 1;
    this.worker.onmessage = (ev) => this.#receive(ev.data);
    this.worker.onerror = (ev) => {
      const err = new Error(`hearth worker: ${ev.message || 'failed to start (are the engine files built? go run ./wasm/buildweb)'}`);
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
  }

  #receive(msg) {
    const p = this.pending.get(msg.id);
    if (!p) return;
    if (msg.event) { p.onEvent?.(msg); return; }
    this.pending.delete(msg.id);
    if ('error' in msg) {
      // A failed load also says why (reason), whether it was cancelled,
      // and whether a model is still loaded (modelLoaded): see worker.js.
      const { id, error, ...details } = msg;
      p.reject(Object.assign(new Error(error), details));
    } else {
      p.resolve(msg.ok);
    }
  }

  #request(type, args = {}, onEvent) {
    const id = this.nextID++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, onEvent });
      this.worker.postMessage({ id, type, ...args });
    });
  }

  // load fetches a GGUF file from a URL (or reads a File/Blob) into the
  // engine. threads > 1 takes effect only in a cross-origin isolated page.
  // A URL's file is kept in OPFS (cache: false skips the store) and not
  // fetched again unless revalidate is set, which asks the server whether
  // it changed. onProgress gets {phase: 'download' | 'cached' | 'upload',
  // loaded, total, cached}; the answer says {cached, storage, ...}.
  // batch is how many prompt tokens one pass evaluates (0: the engine's
  // default, 32; larger passes hold more activations in memory). simd
  // picks the kernel build at the worker's first load: 'auto' (relaxed SIMD
  // where it works, else SIMD128), 'plain' or 'relaxed'; the answer's
  // kernels field says which runs.
  //
  // The file is checked before anything is loaded: a file that is not
  // GGUF, is cut short, or holds a model the engine cannot run or that is
  // too large for the device (the engine's 4 GiB, half the device's
  // memory, or memoryLimit bytes, which memoryLimitWhy explains) is
  // refused with an error saying why (error.reason). With replace, the
  // load may take the place of a loaded model, which is unloaded only once
  // the new file has passed those checks; error.modelLoaded says whether a
  // model is loaded after a failure. sha256 (hex) is the digest the file
  // must have (error.reason 'checksum' if not; nothing is cached then).
  // cancel() ends the load. kvType is the
  // KV cache's element type: 'f16' (half the memory; llama.cpp's default)
  // or 'f32'. expertBudget (bytes) lets a mixture of experts whose experts
  // do not fit run with them left in the file and paged on demand into an
  // expert cache of at most that size; the answer's (and memory()'s)
  // expertCache then says {slots, experts, cacheBytes, hits, misses, hitRate …}.
  // A mixture of experts refused as too large (error.reason 'too-large')
  // whose experts could be paged says error.expertBudget: the largest
  // budget (bytes) under which it would fit; loading again with it runs it.
  //
  // mmproj loads a vision model's image encoder with it, as a pair: a URL,
  // a File/Blob, or {url | blob, sha256}; the two are checked together,
  // progress events then say file: 'model' or 'mmproj', a failure of the
  // encoder's file says error.mmproj, and the answer's vision says
  // {projector, imageSize, tokensPerImage, ...} (see worker.js, "Vision").
  // maxImagePixels bounds the images chat and generate take;
  // imageCacheBytes the embeddings of encoded images the engine keeps so
  // that a picture is not encoded twice (default 64 MiB, 0: none kept).
  load(source, {
    threads = 1, nCtx = 0, batch = 0, cache = true, revalidate = false, simd = 'auto',
    replace = false, memoryLimit = 0, memoryLimitWhy = '', kvType = 'f16', sha256 = '', expertBudget = 0, onProgress,
    mmproj = null, maxImagePixels = 0, imageCacheBytes,
  } = {}) {
    const args = typeof source === 'string' || source instanceof URL ? { url: this.#absolute(source) } : { blob: source };
    if (mmproj) args.mmproj = this.#fileArgs(mmproj);
    if (maxImagePixels > 0) args.maxImagePixels = maxImagePixels;
    if (typeof imageCacheBytes === 'number') args.imageCacheBytes = imageCacheBytes;
    return this.#request('load', {
      ...args, threads, nCtx, batch, cache, revalidate, simd, replace, memoryLimit, memoryLimitWhy, kvType, sha256, expertBudget,
      cancelFlag: this.#armCancel(),
    }, onProgress);
  }

  // probe runs load's checks on a model without loading it: {arch,
  // context, weightBytes, kvBytes, scratchBytes, needBytes, fileBytes}.
  probe(source, { nCtx = 0, batch = 0, memoryLimit = 0, memoryLimitWhy = '', kvType = 'f16', expertBudget = 0, onProgress } = {}) {
    const args = typeof source === 'string' || source instanceof URL ? { url: this.#absolute(source) } : { blob: source };
    return this.#request('probe', { ...args, nCtx, batch, memoryLimit, memoryLimitWhy, kvType, expertBudget, cancelFlag: this.#armCancel() }, onProgress);
  }

  // cancel ends the load (or probe) under way: its promise rejects with
  // an error whose cancelled is true. A download stops at once; a load
  // into memory stops after its current 4 MB where the page is
  // cross-origin isolated, else at its end. It answers true if a load was
  // under way when the worker took the request.
  cancel() {
    if (this.cancelFlag) Atomics.store(this.cancelFlag, 0, 1);
    return this.#request('cancel');
  }

  // #armCancel clears the shared cancel flag before a load and returns its
  // buffer for the worker (null where SharedArrayBuffer is not offered:
  // the page is not cross-origin isolated).
  #armCancel() {
    if (this.cancelFlag === undefined) {
      this.cancelFlag = globalThis.crossOriginIsolated ? new Int32Array(new SharedArrayBuffer(4)) : null;
    }
    if (!this.cancelFlag) return null;
    Atomics.store(this.cancelFlag, 0, 0);
    return this.cancelFlag.buffer;
  }

  // models lists the models cached in OPFS: [{url, size, date, etag,
  // lastModified}] (empty where the browser offers no OPFS).
  models() { return this.#request('models'); }

  // deleteModel removes url's cached copy: true if there was one.
  deleteModel(url) { return this.#request('deleteModel', { url: this.#absolute(url) }); }

  // #fileArgs is a second file of a load (an mmproj) as the worker takes
  // it: {url, sha256} or {blob, sha256}.
  #fileArgs(f) {
    if (typeof f === 'string' || f instanceof URL) return { url: this.#absolute(f) };
    if (typeof Blob !== 'undefined' && f instanceof Blob) return { blob: f };
    return { ...(f.url ? { url: this.#absolute(f.url) } : {}), ...(f.blob ? { blob: f.blob } : {}), sha256: f.sha256 ?? '' };
  }

  // #absolute resolves a model URL as the worker always has (against
  // worker.js's URL), here in the page: a worker started from a blob URL
  // has no base of its own to resolve it against.
  #absolute(url) { return new URL(String(url), this.workerURL).href; }

  // tokenize returns the token ids of text (with BOS when the model adds one).
  tokenize(text) { return this.#request('tokenize', { text }); }

  // chat renders a conversation [{role, content}] with the model's own
  // chat template (ending with the assistant's header unless
  // addGenerationPrompt is false) and tokenizes it: {ids, prompt,
  // template: 'gguf' | 'chatml'}; generate(ids) then answers. A message's
  // content may be parts [{type: 'text', text}, {type: 'image', data:
  // ArrayBuffer | Blob}] (a vision model, loaded with mmproj): promptTokens
  // then counts the images' positions too, and generate(messages) answers.
  // A refused image's error says reason: 'no-vision', 'not-image',
  // 'image-corrupt' or 'image-too-large'.
  chat(messages, { addGenerationPrompt = true } = {}) {
    return this.#request('chat', { messages, addGenerationPrompt });
  }

  // generate continues a prompt (text or ids). sampling: {temperature,
  // topK, topP, minP, repeatPenalty, repeatLastN, presencePenalty,
  // frequencyPenalty, seed}; absent: greedy. schema (a JSON schema, as
  // text or as an object, whose key order is kept) constrains the text to
  // a valid document (see worker.js); nPredict then defaults to no limit
  // but the context, since the document ends by itself. With paged
  // experts the answer's expertCache {prefill, decode} says what the
  // expert cache did in each phase: {hits, misses, bytesRead, hitRate}.
  //
  // prompt may also be a conversation [{role, content}] whose content has
  // images (see chat): the images are encoded first, onProgress getting
  // {phase: 'image', image, images, tile, tiles} after each encoder input.
  generate(prompt, { nPredict, sampling = {}, ignoreEOS = false, onToken, schema, onProgress } = {}) {
    const isConversation = Array.isArray(prompt) && prompt.length > 0 && typeof prompt[0] === 'object';
    const args = typeof prompt === 'string' ? { prompt } : isConversation ? { messages: prompt } : { ids: Array.from(prompt) };
    if (schema != null) args.schema = typeof schema === 'string' ? schema : JSON.stringify(schema);
    nPredict ??= schema != null ? undefined : 128;
    const onEvent = (ev) => (ev.event === 'token' ? onToken?.(ev) : onProgress?.(ev));
    return this.#request('generate', { ...args, nPredict, sampling, ignoreEOS, stream: !!onToken }, onEvent);
  }

  stop() { return this.#request('stop'); }
  // memory reports the engine's wasm memories (arena + Go instance):
  // {arenaBytes, goBytes, peakBytes, loadPeakBytes, arenaUsed, kvTokens, ...}.
  memory() { return this.#request('memory'); }
  unload() { return this.#request('unload'); }
  terminate() { this.worker.terminate(); }
}

// startWorker starts the engine worker (a module worker). A page may only
// start a worker from a script of its own origin, so where worker.js comes
// from another one (a page that embeds Hearth with embed.js) the worker is
// a one-line module of the page's own (a blob URL) that imports worker.js
// by its absolute URL: worker.js and its imports then resolve against
// their real URL (import.meta.url), fetched with CORS.
function startWorker(url) {
  const options = { type: 'module', name: 'hearth-engine' };
  if (!globalThis.location || url.origin === globalThis.location.origin) return new Worker(url, options);
  const src = new Blob([`import ${JSON.stringify(url.href)};`], { type: 'text/javascript' });
  const blobURL = URL.createObjectURL(src);
  try {
    return new Worker(blobURL, options);
  } finally {
    // The worker has its script URL once constructed; the fetch of a blob
    // URL revoked after that still succeeds in Chromium and Firefox, but
    // keeping it a little longer costs nothing.
    setTimeout(() => URL.revokeObjectURL(blobURL), 60_000);
  }
}
