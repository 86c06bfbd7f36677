// A kernel helper thread of the engine worker (worker.js, threads > 1):
// one kernels_shared.wasm instance over the shared arena, running its
// share of each operation's jobs (runtime.js, runHelper).
import { runHelper } from './runtime.js';

self.onmessage = (ev) => { runHelper(ev.data); };
