// Runs a module under Node over a memory image: the module imports the
// memory as env.memory and exports run(); the memory afterwards is
// written to OUT. Prints whether WebAssembly.validate accepts the module.
//
//	node [--experimental-wasm-relaxed-simd] run_module.mjs MODULE.wasm MEMORY.bin OUT.bin
import { readFileSync, writeFileSync } from "node:fs";

const [modulePath, memPath, outPath] = process.argv.slice(2);
const bytes = readFileSync(modulePath);
console.log("valid:", WebAssembly.validate(bytes));
const image = readFileSync(memPath);
const memory = new WebAssembly.Memory({ initial: image.length / 65536 });
new Uint8Array(memory.buffer).set(image);
new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports.run();
writeFileSync(outPath, new Uint8Array(memory.buffer));
