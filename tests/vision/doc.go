// Package vision is the oracle for image input: wllama (@wllama/wllama,
// pinned in web/package.json; llama.cpp's own clip/mtmd code compiled to
// wasm) in headless Chromium, asked for the greedy continuation of a text
// model + mmproj pair on one image. The engine's vision tests compare
// Hearth's token ids (exactly) and log-probabilities (to ~1e-3: ggml takes
// GELU from an F16 table and runs the encoder with flash attention) with
// what Oracle.Run returns.
//
// Everything is served from a server on 127.0.0.1; nothing comes from the
// network. The oracle needs Debian's chromium at /usr/bin/chromium (or
// $HEARTH_CHROMIUM) and wllama installed by `cd web && npm ci`; Start
// fails the test, never skips it, when either is missing.
package vision
