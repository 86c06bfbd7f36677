// Runs Hearth's browser engine under Node with the product's own glue
// (web/engine/runtime.js): the Go program (engine.wasm) and kernels.wasm,
// the model file handed over as a chunked download would be, helpers on
// worker_threads when threads > 1. Prints one JSON line: the greedy
// generation's ids and text and the timings.
//
//   node node_engine.mjs <assets dir> <runtime.js> <model.gguf> <threads> <batch> <n> <prompt>
//
// batch is the prompt tokens per pass (0: the engine's default).
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

const [assets, runtimePath, modelPath, threadsArg, batchArg, nArg, prompt] = process.argv.slice(2);
const runtime = await import(pathToFileURL(runtimePath).href);
await import(pathToFileURL(path.join(assets, 'wasm_exec.js')).href);

const compile = (name) => WebAssembly.compile(fs.readFileSync(path.join(assets, name)));
const helperScript = new URL('./node_helper.mjs', import.meta.url);

const engine = await runtime.startEngine({
  goModule: await compile('engine.wasm'),
  kernels: await compile('kernels.wasm'),
  kernelsShared: await compile('kernels_shared.wasm'),
  threads: Number(threadsArg),
  spawnHelper: (init) => {
    const w = new Worker(helperScript, { workerData: { runtime: pathToFileURL(runtimePath).href, init } });
    w.unref();
    return w;
  },
  Go: globalThis.Go,
});

// A file cut short must be refused with an error, and leave the engine
// usable.
const file = fs.readFileSync(modelPath);
let truncatedError = '';
{
  const id = engine.addSource(runtime.chunkSource([file.subarray(0, file.length >> 1)]));
  try { engine.load(id, 256); } catch (e) { truncatedError = e.message; }
  engine.removeSource(id);
}
let missingError = '';
try { engine.load(12345, 256); } catch (e) { missingError = e.message; }

// The file as a download delivers it: chunks of uneven sizes, so that
// reads cross chunk boundaries.
const chunks = [];
for (let pos = 0, i = 0; pos < file.length; i++) {
  const n = 65536 + ((i * 7919) % 300007);
  chunks.push(new Uint8Array(file.buffer, file.byteOffset + pos, Math.min(n, file.length - pos)));
  pos += n;
}
let filled = 0;
const src = runtime.chunkSource(chunks);
src.onFill = (n) => { filled += n; };
const id = engine.addSource(src);
// An F32 KV cache, as `hearth generate` keeps (the browser's default is F16).
const info = engine.load(id, 256, Number(batchArg), { kvType: 'f32' });
engine.removeSource(id);
const memoryAfterLoad = engine.memory();

// What the CLI does for `hearth generate --prompt P -n N --temp 0`.
const ids = engine.tokenize(prompt);
const n = Number(nArg);
const start = engine.start(ids, { temperature: 0 });
const out = [];
let text = '';
let decodeSeconds = 0;
for (let i = 0; i < n; i++) {
  const more = i < n - 1;
  const r = engine.next(more);
  out.push(r.id);
  text += r.text;
  decodeSeconds += r.forwardSeconds;
  if (r.eog || r.full) break;
}
const memoryAfterRun = engine.memory();
memoryAfterRun.arenaPages = engine.arena.buffer.byteLength;
console.log(JSON.stringify({
  truncatedError, missingError, info, filled, promptTokens: start.promptTokens, prefillSeconds: start.prefillSeconds,
  decodeSeconds, ids: out, text, threads: engine.threads, batches: engine.stats.batches, memoryAfterLoad, memoryAfterRun,
}));
process.exit(0);
