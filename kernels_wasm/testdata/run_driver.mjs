// Runs a kernel module under Node the way the browser does (one memory,
// imported by the kernels as env.memory), driven by a second module that
// imports the kernels' exports and calls them from its run() with the
// test's arguments (relaxed_node_test.go writes both, and the memory
// image). The memory after the run is written to OUT; stdout gets the
// kernel module's export names, one line.
//
//	node [--experimental-wasm-relaxed-simd] run_driver.mjs KERNELS.wasm DRIVER.wasm MEMORY.bin OUT.bin [shared]
import { readFileSync, writeFileSync } from "node:fs";

const [kernelsPath, driverPath, memPath, outPath, mode] = process.argv.slice(2);
const image = readFileSync(memPath);
const pages = image.length / 65536;
if (!Number.isInteger(pages)) throw new Error(`memory image of ${image.length} bytes is not whole pages`);
const shared = mode === "shared";
const memory = new WebAssembly.Memory(shared ? { initial: pages, maximum: pages, shared } : { initial: pages });
new Uint8Array(memory.buffer).set(image);

const kernelsModule = new WebAssembly.Module(readFileSync(kernelsPath));
const kernels = new WebAssembly.Instance(kernelsModule, { env: { memory } }).exports;
const driver = new WebAssembly.Instance(new WebAssembly.Module(readFileSync(driverPath)), { env: { memory }, kernels }).exports;
driver.run();
writeFileSync(outPath, new Uint8Array(memory.buffer));
console.log(WebAssembly.Module.exports(kernelsModule).map((e) => e.name).sort().join(" "));
