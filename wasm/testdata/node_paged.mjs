// Runs Hearth's browser engine under Node (web/engine/runtime.js over
// engine.wasm and kernels.wasm, one thread) on a mixture of experts loaded
// twice: with its experts resident, then paged from the file into an
// expert cache of expertBudget bytes (the source stays registered while
// the model is loaded, as worker.js keeps it). Greedy generation each
// time; then, with the paged model's source gone, a generation must fail
// with an error. Prints one JSON line.
//
//   node node_paged.mjs <assets dir> <runtime.js> <model.gguf> <expertBudget> <n> <prompt>
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [assets, runtimePath, modelPath, budgetArg, nArg, prompt] = process.argv.slice(2);
const runtime = await import(pathToFileURL(runtimePath).href);
await import(pathToFileURL(path.join(assets, 'wasm_exec.js')).href);
const compile = (name) => WebAssembly.compile(fs.readFileSync(path.join(assets, name)));
const engine = await runtime.startEngine({
  goModule: await compile('engine.wasm'),
  kernels: await compile('kernels.wasm'),
  threads: 1,
  Go: globalThis.Go,
});

// The file as a synchronous source, read with positioned reads (as OPFS's
// access handle is), counting the bytes read.
const fd = fs.openSync(modelPath, 'r');
let bytesRead = 0;
const fileSource = () => ({
  size: fs.fstatSync(fd).size,
  read(pos, dst, off, n) {
    const got = fs.readSync(fd, dst, off, n, pos);
    bytesRead += got;
    return got;
  },
});

function generate() {
  const ids = engine.tokenize(prompt);
  engine.start(ids, { temperature: 0 });
  const out = [];
  const n = Number(nArg);
  for (let i = 0; i < n; i++) {
    const r = engine.next(i < n - 1);
    out.push(r.id);
    if (r.eog || r.full) break;
  }
  return out;
}

// Resident.
let id = engine.addSource(fileSource());
const resident = engine.load(id, 256, 0, { kvType: 'f32' });
engine.removeSource(id);
const residentIds = generate();
const residentMemory = engine.memory();
engine.unload();

// Paged: the source stays registered while the model is loaded.
id = engine.addSource(fileSource());
const paged = engine.load(id, 256, 0, { kvType: 'f32', expertBudget: Number(budgetArg) });
const readAfterLoad = bytesRead;
const pagedIds = generate();
const pagedMemory = engine.memory();
const readByGeneration = bytesRead - readAfterLoad;

// Without its source the paged model cannot page: an error, not garbage.
engine.removeSource(id);
let lostSourceError = '';
try { generate(); } catch (e) { lostSourceError = e.message; }
engine.unload();
console.log(JSON.stringify({ resident, residentIds, residentMemory, paged, pagedIds, pagedMemory, readByGeneration, lostSourceError }));
process.exit(0);
