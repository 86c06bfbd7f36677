// Runs a vision pair through Hearth's browser engine under Node (the
// product's glue, web/engine/runtime.js) to see that an image is not
// encoded twice: the same conversation generated twice, then a follow-up
// question about the same picture, each greedy; then the pair reloaded
// (its cache goes with it), and loaded with imageCacheBytes: 0 (nothing
// kept). Each generation drives prepare / encodeNext / startPrepared as
// web/engine/worker.js does, encoding only the pending inputs. Prints one
// JSON line.
//
//   node node_vision_cache.mjs <assets dir> <runtime.js> <text.gguf> <mmproj.gguf> <image> <n> <text>
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [assets, runtimePath, modelPath, mmprojPath, imagePath, nArg, question] = process.argv.slice(2);
const runtime = await import(pathToFileURL(runtimePath).href);
await import(pathToFileURL(path.join(assets, 'wasm_exec.js')).href);
const compile = (name) => WebAssembly.compile(fs.readFileSync(path.join(assets, name)));
const engine = await runtime.startEngine({
  goModule: await compile('engine.wasm'), kernels: await compile('kernels.wasm'), threads: 1, Go: globalThis.Go,
});
const n = Number(nArg);
const source = (p) => engine.addSource(runtime.chunkSource([new Uint8Array(fs.readFileSync(p))]));

// loadPair loads the pair (replacing what is loaded) with extra options.
function loadPair(opts = {}) {
  const id = source(modelPath);
  const mm = source(mmprojPath);
  const info = engine.load(id, 256, 0, { kvType: 'f32', replace: true, mmproj: mm, ...opts });
  engine.removeSource(id);
  engine.removeSource(mm);
  return info;
}

// A fresh copy of the picture's bytes for every message, as a page
// sends it again with each question.
const picture = () => new Uint8Array(fs.readFileSync(imagePath));
const ask = (text) => ({ role: 'user', content: [{ type: 'image', data: picture() }, { type: 'text', text }] });

// generate is the worker's generate {messages}: prepare, encode the
// pending inputs, evaluate, decode n tokens greedily.
function generate(messages) {
  const prepared = engine.prepare(messages);
  const steps = [];
  for (let i = 0; i < prepared.pending; i++) {
    const r = engine.encodeNext();
    steps.push({ image: r.image, tile: r.tile, tiles: r.tiles, input: r.input, inputs: r.inputs, done: r.done, kept: r.kept });
  }
  const start = engine.startPrepared({ temperature: 0 });
  const ids = [];
  let text = '';
  for (let i = 0; i < n; i++) {
    const r = engine.next(i < n - 1);
    ids.push(r.id);
    text += r.text;
    if (r.eog || r.full) break;
  }
  return { prepared, steps, promptTokens: start.promptTokens, ids, text, imageCache: engine.memory().imageCache };
}

const info = loadPair();
const chatBefore = engine.chat([ask(question)]);
const first = generate([ask(question)]);
const chatAfter = engine.chat([ask(question)]);
const second = generate([ask(question)]);
const followUp = generate([ask(question), { role: 'assistant', content: first.text }, { role: 'user', content: 'And its colours?' }]);

// The pair loaded again: a new encoder, an empty cache.
loadPair();
const reloaded = generate([ask(question)]);

// No cache: every generation encodes.
const offInfo = loadPair({ imageCacheBytes: 0 });
const off1 = generate([ask(question)]);
const off2 = generate([ask(question)]);

console.log(JSON.stringify({
  info, chatBefore: { promptTokens: chatBefore.promptTokens, prompt: chatBefore.prompt }, chatAfter: { promptTokens: chatAfter.promptTokens },
  first, second, followUp, reloaded, offInfo, off1, off2,
}));
process.exit(0);
