// Runs a GOOS=js test binary of package arena under Node with a minimal
// JS glue for the arena: the test-side counterpart of what the browser's
// engine worker provides (doc.go lists the imports). It is not the
// product's glue: run_jobs runs the jobs one after another on the one
// kernel instance (the split and its encoding are what is tested), and
// file sources are Node file descriptors.
//
//	node node_arena.js <kernels.wasm> <test binary> [test flags]
"use strict";

const path = require("path");
globalThis.require = require;
globalThis.fs = require("fs");
globalThis.path = path;
globalThis.TextEncoder = require("util").TextEncoder;
globalThis.TextDecoder = require("util").TextDecoder;
globalThis.performance ??= require("perf_hooks").performance;
globalThis.crypto ??= require("crypto");

require(path.join(process.env.GOROOT_WASM, "wasm_exec.js"));

const [kernelsPath, testBinary, ...args] = process.argv.slice(2);

async function main() {
	const threads = Number(process.env.HEARTH_THREADS || "1");
	const maxPages = 16384;
	const arena = new WebAssembly.Memory({ initial: 0, maximum: maxPages });
	const kernels = (await WebAssembly.instantiate(fs.readFileSync(kernelsPath), { env: { memory: arena } })).instance.exports;

	const go = new Go();
	go.argv = [testBinary, ...args];
	go.env = Object.assign({ TMPDIR: require("os").tmpdir() }, process.env);
	go.exit = process.exit;

	const goModule = await WebAssembly.compile(fs.readFileSync(testBinary));
	let goInstance;
	const goBytes = () => new Uint8Array(goInstance.exports.mem.buffer);
	const arenaBytes = () => new Uint8Array(arena.buffer);
	const decoder = new TextDecoder();
	const nameAt = (ptr, len) => decoder.decode(goBytes().subarray(ptr, ptr + len));

	// Every kernel the Go side imports: the instance's export, or a stub
	// that throws (has_kernel tells Go not to call it).
	const kernelImports = {};
	for (const imp of WebAssembly.Module.imports(goModule)) {
		if (imp.module !== "kernels") continue;
		kernelImports[imp.name] = kernels[imp.name] ?? (() => { throw new Error("kernel " + imp.name + " is missing"); });
	}
	let runJobsCalls = 0;
	const view = () => new DataView(goInstance.exports.mem.buffer);
	const f32 = new Float32Array(1);
	const u32 = new Uint32Array(f32.buffer);

	go.importObject.kernels = kernelImports;
	go.importObject.hearth_arena = {
		pages: () => arena.buffer.byteLength / 65536,
		max_pages: () => maxPages,
		grow: (delta) => { try { return arena.grow(delta); } catch (e) { return -1; } },
		write: (dst, src, n) => { arenaBytes().set(goBytes().subarray(src, src + n), dst); },
		read: (dst, src, n) => { goBytes().set(arenaBytes().subarray(src, src + n), dst); },
		copy: (dst, src, n) => { arenaBytes().copyWithin(dst, src, src + n); },
		zero: (dst, n) => { arenaBytes().fill(0, dst, dst + n); },
		has_kernel: (ptr, len) => (typeof kernels[nameAt(ptr, len)] === "function" ? 1 : 0),
		threads: () => threads,
		run_jobs: (namePtr, nameLen, jobs, njobs, nargs, mask) => {
			runJobsCalls++;
			const k = kernels[nameAt(namePtr, nameLen)];
			const dv = view();
			for (let j = 0; j < njobs; j++) {
				const a = [];
				for (let i = 0; i < nargs; i++) {
					const bits = dv.getUint32(jobs + 8 * (16 * j + i), true);
					if (mask & (1 << i)) { u32[0] = bits; a.push(f32[0]); } else { a.push(bits | 0); }
				}
				k(...a);
			}
		},
		source_size: (fd) => { try { return BigInt(fs.fstatSync(fd).size); } catch (e) { return -1n; } },
		source_read: (fd, pos, dst, n) => {
			try { return fs.readSync(fd, goBytes(), dst, n, Number(pos)); } catch (e) { return -1; }
		},
		source_fill: (fd, pos, dst, n) => {
			try {
				let done = 0;
				while (done < n) { // chunk by chunk, straight into the arena
					const got = fs.readSync(fd, arenaBytes(), dst + done, Math.min(n - done, 1 << 20), Number(pos) + done);
					if (got === 0) break;
					done += got;
				}
				return done;
			} catch (e) { return -1; }
		},
	};
	goInstance = await WebAssembly.instantiate(goModule, go.importObject);
	process.on("exit", (code) => {
		console.error("node_arena: run_jobs called " + runJobsCalls + " times");
		if (code === 0 && !go.exited) {
			go._pendingEvent = { id: 0 };
			go._resume();
		}
	});
	await go.run(goInstance);
}

main().catch((err) => { console.error(err); process.exit(1); });
