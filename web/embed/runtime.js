// The loader of Hearth's in-page runtime (dist/embed.wasm, built from
// wasm/embed): the action executor, which runs on the page's main thread
// because it needs the DOM. web/embed/api.js imports it:
//
//   const { loadHearthRuntime } = await import(base + 'embed/runtime.js');
//   const rt = await loadHearthRuntime(base); // base: the folder of embed.js
//   const obs = JSON.parse(await rt.observe());
//
// It loads Go's wasm_exec.js (engine/wasm_exec.js) with a script tag, then
// fetches and starts embed.wasm; the Go program sets
// globalThis.__hearthRuntime and calls globalThis.__hearthRuntimeResolve,
// which settles globalThis.__hearthRuntimeReady. Loading twice gives the
// same runtime.

export function loadHearthRuntime(baseURL = document.baseURI) {
  if (globalThis.__hearthRuntime) return Promise.resolve(globalThis.__hearthRuntime);
  globalThis.__hearthRuntimeLoading ??= start(new URL(baseURL, document.baseURI)).catch((err) => {
    globalThis.__hearthRuntimeLoading = null; // a later call may try again
    throw err;
  });
  return globalThis.__hearthRuntimeLoading;
}

async function start(base) {
  let resolve;
  globalThis.__hearthRuntimeReady = new Promise((r) => { resolve = r; });
  globalThis.__hearthRuntimeResolve = () => resolve(globalThis.__hearthRuntime);
  if (typeof globalThis.Go !== 'function') await loadScript(new URL('engine/wasm_exec.js', base));
  const go = new globalThis.Go();
  const wasmURL = new URL('dist/embed.wasm', base);
  const { instance } = await instantiate(wasmURL, go.importObject);
  let exited = false;
  const run = go.run(instance).finally(() => { exited = true; });
  // The program never returns while the page lives; if it does, say so
  // instead of waiting forever.
  const ended = run.then(() => { throw new Error('the Hearth runtime (embed.wasm) exited before it was ready'); });
  ended.catch(() => {}); // after a successful start, an exit is reported by wasm_exec.js
  const rt = await Promise.race([globalThis.__hearthRuntimeReady, ended]);
  if (exited || !rt) throw new Error('the Hearth runtime (embed.wasm) did not start');
  return rt;
}

function loadScript(url) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = url.href;
    s.onload = () => (typeof globalThis.Go === 'function'
      ? resolve()
      : reject(new Error(`${url.href} loaded but did not define Go`)));
    s.onerror = () => reject(new Error(`could not load ${url.href}`));
    document.head.append(s);
  });
}

async function instantiate(url, imports) {
  const resp = await fetch(url, { credentials: 'omit' });
  if (!resp.ok) throw new Error(`could not fetch ${url.href}: HTTP ${resp.status}`);
  const type = resp.headers.get('Content-Type') || '';
  if (WebAssembly.instantiateStreaming && type.startsWith('application/wasm')) {
    return WebAssembly.instantiateStreaming(resp, imports);
  }
  return WebAssembly.instantiate(await resp.arrayBuffer(), imports);
}
