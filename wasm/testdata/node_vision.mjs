// Runs a vision pair through Hearth's browser engine under Node with the
// product's glue (web/engine/runtime.js): the text model and its mmproj
// loaded as a pair, a conversation with an image rendered (chat), then
// prepared, encoded one input at a time and generated greedily; images
// that are no image, corrupt or too large, and a text-only model given an
// image, must each be refused with their reason while the model stays
// usable. Prints one JSON line.
//
//   node node_vision.mjs <assets dir> <runtime.js> <text.gguf> <mmproj.gguf> <image> <n> <text> <corrupt> <notimage> <huge>
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [assets, runtimePath, modelPath, mmprojPath, imagePath, nArg, question, corruptPath, notImagePath, hugePath] = process.argv.slice(2);
const runtime = await import(pathToFileURL(runtimePath).href);
await import(pathToFileURL(path.join(assets, 'wasm_exec.js')).href);
const compile = (name) => WebAssembly.compile(fs.readFileSync(path.join(assets, name)));
const engine = await runtime.startEngine({
  goModule: await compile('engine.wasm'), kernels: await compile('kernels.wasm'), threads: 1, Go: globalThis.Go,
});

const source = (p) => engine.addSource(runtime.chunkSource([new Uint8Array(fs.readFileSync(p))]));
const failure = (f) => {
  try { f(); return null; } catch (e) { return { message: e.message, reason: e.reason ?? '', mmproj: !!e.mmproj, modelLoaded: e.modelLoaded }; }
};
const conversation = (bytes) => [{ role: 'user', content: [{ type: 'image', data: bytes }, { type: 'text', text: question }] }];
const image = new Uint8Array(fs.readFileSync(imagePath));
const n = Number(nArg);

// The text model alone: an image is refused (no-vision).
let id = source(modelPath);
engine.load(id, 256, 0, { kvType: 'f32' });
engine.removeSource(id);
const noVision = failure(() => engine.chat(conversation(image)));
// An mmproj that is not one (the text model again): refused, naming the
// encoder, with the loaded model kept.
id = source(modelPath);
const mmID = source(modelPath);
const badPair = failure(() => engine.load(id, 256, 0, { kvType: 'f32', replace: true, mmproj: mmID }));
engine.removeSource(id);
engine.removeSource(mmID);
const textStillWorks = engine.chat([{ role: 'user', content: 'hi' }]).promptTokens > 0;

// The pair.
id = source(modelPath);
const mm = source(mmprojPath);
const info = engine.load(id, 256, 0, { kvType: 'f32', replace: true, mmproj: mm });
engine.removeSource(id);
engine.removeSource(mm);

// The pair again under a memory limit one byte short of what it needs:
// the text model alone would fit, the pair does not; the loaded pair stays.
id = source(modelPath);
const mm2 = source(mmprojPath);
const tooLarge = failure(() => engine.load(id, 256, 0, { kvType: 'f32', replace: true, mmproj: mm2, limit: info.needBytes - 1, limitWhy: 'the test limit' }));
engine.removeSource(id);
engine.removeSource(mm2);

const chat = engine.chat(conversation(image));
const errors = {};
for (const [name, p] of [['corrupt', corruptPath], ['notImage', notImagePath], ['huge', hugePath]]) {
  errors[name] = failure(() => engine.chat(conversation(new Uint8Array(fs.readFileSync(p)))));
  errors[name + 'Prepare'] = failure(() => engine.prepare(conversation(new Uint8Array(fs.readFileSync(p)))));
}
const prepared = engine.prepare(conversation(image));
const steps = [];
for (let i = 0; i < prepared.inputs; i++) {
  const r = engine.encodeNext();
  steps.push({ image: r.image, tile: r.tile, tiles: r.tiles, done: r.done });
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
console.log(JSON.stringify({
  noVision, badPair, textStillWorks, info, tooLarge, chat: { prompt: chat.prompt, promptTokens: chat.promptTokens, images: chat.images, ids: chat.ids.length },
  errors, prepared, steps, promptTokens: start.promptTokens, ids, text,
}));
process.exit(0);
