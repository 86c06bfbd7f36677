// Reports what web/engine/features.js says under this Node, beside what
// WebAssembly.validate says of each kernel build (features_test.go).
//
//	node [--experimental-wasm-relaxed-simd] features_check.mjs FEATURES.js DIR
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [featuresPath, dir] = process.argv.slice(2);
const { hasRelaxedSimd, kernelFile } = await import(pathToFileURL(featuresPath).href);
const valid = {};
for (const name of ["kernels.wasm", "kernels_shared.wasm", "kernels_relaxed.wasm", "kernels_relaxed_shared.wasm"]) {
	valid[name] = WebAssembly.validate(readFileSync(join(dir, name)));
}
const files = {};
for (const shared of [false, true]) for (const relaxed of [false, true]) files[`${shared},${relaxed}`] = kernelFile(shared, relaxed);
console.log(JSON.stringify({ hasRelaxedSimd: hasRelaxedSimd(), valid, files, default: [kernelFile(false), kernelFile(true)] }));
