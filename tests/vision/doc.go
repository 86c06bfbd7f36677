// Package vision is the oracle for image input: wllama (@wllama/wllama,
// pinned in web/package.json; llama.cpp's own clip/mtmd code compiled to
// wasm) in headless Chromium, asked for the greedy continuation of a text
// model + mmproj pair on one image. The engine's vision tests compare
// Hearth's token ids (exactly) and log-probabilities with what Oracle.Run
// returns: Hearth computing in `--order wllama` (compute.OrderWllama, the
// arithmetic of this wasm build) with flash attention off on both sides
// agrees to ~1e-6 for F32, F16 and Q8_0 pairs (bound 1e-5); with
// llama.cpp's defaults, whose text model uses flash attention and
// Hearth's does not, to 5e-3.
//
// Everything is served from a server on 127.0.0.1; nothing comes from the
// network. The oracle needs Debian's chromium at /usr/bin/chromium (or
// $HEARTH_CHROMIUM) and wllama installed by `cd web && npm ci`; Start
// fails the test, never skips it, when either is missing.
package vision
