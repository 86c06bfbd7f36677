// Hearth's side of the benchmark. Hearth's browser engine (wasm/ and
// kernels_wasm/) is not built yet: every method says so, and the harness
// reports that instead of figures. When the engine exists, this module
// imports it and implements the contract described in harness.js.

const notBuilt = "Hearth's browser engine is not built yet";

benchInstall({
  name: 'hearth',
  async load() { throw new Error(notBuilt); },
  async run() { throw new Error(notBuilt); },
  async memory() { throw new Error(notBuilt); },
});
