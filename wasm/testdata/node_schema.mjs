// Runs Hearth's browser engine under Node (as node_engine.mjs does) and
// generates with a JSON schema constraining the output: once per sampling
// setting given, then with a schema the engine refuses. Prints one JSON
// line: {runs: [{ids, text, stop, complete}], badSchemaError, badTypeError}.
//
//   node node_schema.mjs <assets dir> <runtime.js> <model.gguf> <schema.json> <samplings JSON> <prompt>
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [assets, runtimePath, modelPath, schemaPath, samplingsArg, prompt] = process.argv.slice(2);
const runtime = await import(pathToFileURL(runtimePath).href);
await import(pathToFileURL(path.join(assets, 'wasm_exec.js')).href);
const compile = (name) => WebAssembly.compile(fs.readFileSync(path.join(assets, name)));

const engine = await runtime.startEngine({
  goModule: await compile('engine.wasm'),
  kernels: await compile('kernels.wasm'),
  kernelsShared: await compile('kernels_shared.wasm'),
  threads: 1,
  Go: globalThis.Go,
});
const id = engine.addSource(runtime.chunkSource([fs.readFileSync(modelPath)]));
engine.load(id, 1024, 0, { kvType: 'f32' });
engine.removeSource(id);

const schema = fs.readFileSync(schemaPath, 'utf8');
const ids = engine.tokenize(prompt);
const runs = [];
// The worker's generate loop (web/engine/worker.js) with a schema.
for (const sampling of JSON.parse(samplingsArg)) {
  engine.start(ids, { ...sampling, schema });
  const out = [];
  let text = '';
  let stop = 'length';
  let complete = false;
  for (;;) {
    const r = engine.next(true);
    out.push(r.id);
    text += r.text;
    complete = r.complete;
    if (r.eog) { stop = 'eog'; break; }
    if (r.done) { stop = 'done'; break; }
    if (r.full) { stop = 'context'; break; }
  }
  runs.push({ ids: out, text, stop, complete });
}
let badSchemaError = '';
try { engine.start(ids, { schema: '{"type":"string","format":"email"}' }); } catch (e) { badSchemaError = e.message; }
let badTypeError = '';
try { engine.start(ids, { schema: 42 }); } catch (e) { badTypeError = e.message; }
console.log(JSON.stringify({ runs, badSchemaError, badTypeError }));
process.exit(0);
