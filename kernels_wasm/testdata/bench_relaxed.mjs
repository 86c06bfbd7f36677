// Times matmul_T of two kernel modules (the plain SIMD128 build and the
// relaxed-SIMD build) on the same data under Node, for decode (1 token)
// and prefill (32 tokens) on SmolLM2-360M- and Qwen2.5-0.5B-like shapes.
// Prints one line per case: the fastest round's ms per call and weight GB/s per token,
// and the relaxed build's speed-up.
//
//	node --experimental-wasm-relaxed-simd bench_relaxed.mjs PLAIN.wasm RELAXED.wasm [type,…]
//
// The weights and activations are random bytes whose F16/F32 scale fields
// hold small normal numbers (the integer work does not depend on the
// values; denormal or NaN scales would slow the float work).
import { readFileSync } from "node:fs";

const [plainPath, relaxedPath, typeList] = process.argv.slice(2);

// Per weight type: bytes and elements per block, the F16 scale fields'
// offsets, and the activation type's block layout (its scale field too).
const types = {
	q4_0: { bytes: 18, elems: 32, halves: [0], act: "q8_0" },
	q4_1: { bytes: 20, elems: 32, halves: [0, 2], act: "q8_1" },
	q5_0: { bytes: 22, elems: 32, halves: [0], act: "q8_0" },
	q5_1: { bytes: 24, elems: 32, halves: [0, 2], act: "q8_1" },
	q8_0: { bytes: 34, elems: 32, halves: [0], act: "q8_0" },
	q2_k: { bytes: 84, elems: 256, halves: [80, 82], act: "q8_k" },
	q3_k: { bytes: 110, elems: 256, halves: [108], act: "q8_k" },
	q4_k: { bytes: 144, elems: 256, halves: [0, 2], act: "q8_k" },
	q5_k: { bytes: 176, elems: 256, halves: [0, 2], act: "q8_k" },
	q6_k: { bytes: 210, elems: 256, halves: [208], act: "q8_k" },
};
const acts = {
	q8_0: { bytes: 34, elems: 32, halves: [0], floats: [] },
	q8_1: { bytes: 36, elems: 32, halves: [0, 2], floats: [] },
	q8_k: { bytes: 292, elems: 256, halves: [], floats: [0] },
};
// The FFN matrices of SmolLM2-135M (576↔1536) and Qwen2.5-0.5B (896↔4864):
// up/gate (n = hidden) for the 32-element formats, down (n = FFN width, a
// multiple of 256) for the k-quants.
const shapes = (t) => t.elems === 256
	? [{ rows: 576, n: 1536 }, { rows: 896, n: 4864 }]
	: [{ rows: 1536, n: 576 }, { rows: 4864, n: 896 }];
const tokenCounts = [1, 32];

let seed = 12345;
const rnd = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 24;

function fill(mem, p, layout, blocks) {
	const b = new Uint8Array(mem.buffer, p, blocks * layout.bytes);
	for (let i = 0; i < b.length; i++) b[i] = rnd();
	const dv = new DataView(mem.buffer);
	for (let k = 0; k < blocks; k++) {
		for (const o of layout.halves) dv.setUint16(p + k * layout.bytes + o, 0x2000 + rnd(), true);
		for (const o of layout.floats ?? []) dv.setFloat32(p + k * layout.bytes + o, 0.01 + rnd() / 1e4, true);
	}
}

async function load(path, memory) {
	const { instance } = await WebAssembly.instantiate(readFileSync(path), { env: { memory } });
	return instance.exports;
}

// timeAll times each of fns in turn, round after round (so that a busy
// moment of the machine hits all of them alike), and returns each one's
// fastest round: ms per call.
function timeAll(fns) {
	for (const fn of fns) for (let i = 0; i < 3; i++) fn(); // warm up (tier-up)
	const best = fns.map(() => Infinity);
	for (let round = 0; round < 15; round++) {
		fns.forEach((fn, i) => {
			let reps = 0;
			const t0 = performance.now();
			let t1 = t0;
			while (t1 - t0 < 20) {
				fn();
				reps++;
				t1 = performance.now();
			}
			best[i] = Math.min(best[i], (t1 - t0) / reps);
		});
	}
	return best;
}

const memory = new WebAssembly.Memory({ initial: 1024 }); // 64 MiB
const mods = [await load(plainPath, memory)];
if (relaxedPath) mods.push(await load(relaxedPath, memory));
const names = typeList ? typeList.split(",") : ["q4_0", "q5_0", "q4_k", "q6_k"];
for (const name of names) {
	const t = types[name], a = acts[t.act];
	for (const { rows, n } of shapes(t)) {
		const wBytes = rows * (n / t.elems) * t.bytes;
		const w = 64, x = w + wBytes + 64;
		fill(memory, w, t, rows * (n / t.elems));
		for (const tokens of tokenCounts) {
			const xBytes = tokens * (n / a.elems) * a.bytes;
			const dst = x + xBytes + 64;
			fill(memory, x, a, tokens * (n / a.elems));
			const ms = timeAll(mods.map((m) => () => m["matmul_" + name](dst, w, x, n, 0, rows, tokens, rows)));
			const gbs = ms.map((v) => ((wBytes * tokens) / v / 1e6).toFixed(2));
			let line = `${name} ${rows}x${n} tokens=${tokens}: plain ${ms[0].toFixed(3)} ms (${gbs[0]} GB/s)`;
			if (ms.length > 1) line += `, relaxed ${ms[1].toFixed(3)} ms (${gbs[1]} GB/s), speed-up ${(ms[0] / ms[1]).toFixed(2)}x`;
			console.log(line);
		}
	}
}
