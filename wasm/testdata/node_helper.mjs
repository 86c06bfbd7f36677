// A kernel helper thread for node_engine.mjs: the Node counterpart of
// web/engine/helper.js.
import { workerData } from 'node:worker_threads';

const { runHelper } = await import(workerData.runtime);
await runHelper(workerData.init);
