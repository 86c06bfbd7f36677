// Hearth's engine for a page: a thin client of the engine worker
// (worker.js), which runs the model off the main thread.
//
//   const h = new Hearth();
//   await h.load('model.gguf', { threads: 2, nCtx: 2048, onProgress });
//   const r = await h.generate('Once upon a time', { nPredict: 64, onToken: (t) => out.append(t.text) });
//   h.stop(); // ends a generation started with onToken after its current token
export class Hearth {
  constructor({ workerURL = new URL('./worker.js', import.meta.url) } = {}) {
    this.worker = new Worker(workerURL, { type: 'module', name: 'hearth-engine' });
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
    if ('error' in msg) p.reject(new Error(msg.error)); else p.resolve(msg.ok);
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
  load(source, { threads = 1, nCtx = 0, onProgress } = {}) {
    const args = typeof source === 'string' || source instanceof URL ? { url: String(source) } : { blob: source };
    return this.#request('load', { ...args, threads, nCtx }, onProgress);
  }

  // tokenize returns the token ids of text (with BOS when the model adds one).
  tokenize(text) { return this.#request('tokenize', { text }); }

  // generate continues a prompt (text or ids). sampling: {temperature,
  // topK, topP, minP, repeatPenalty, repeatLastN, presencePenalty,
  // frequencyPenalty, seed}; absent: greedy.
  generate(prompt, { nPredict = 128, sampling = {}, ignoreEOS = false, onToken } = {}) {
    const args = typeof prompt === 'string' ? { prompt } : { ids: Array.from(prompt) };
    return this.#request('generate', { ...args, nPredict, sampling, ignoreEOS, stream: !!onToken }, onToken);
  }

  stop() { return this.#request('stop'); }
  memory() { return this.#request('memory'); }
  unload() { return this.#request('unload'); }
  terminate() { this.worker.terminate(); }
}
