// Package image decodes the images a person drops into a chat (PNG, JPEG,
// GIF, WebP) into 8-bit RGB, and preprocesses them for a vision encoder the
// way llama.cpp's clip/mtmd code does (tools/mtmd/mtmd-image.cpp), so that
// the pixels Hearth feeds its encoder are the pixels llama.cpp would feed.
//
// JPEGs are decoded by our own decoder (jpeg*.go) into the very bytes
// stb_image, llama.cpp's loader, produces: its integer IDCT, chroma
// upsampling and colour conversion. PNG and GIF decode byte-identical to
// stb_image too.
//
// Decoding refuses oversized images from their header, before any pixel
// buffer is allocated. Preprocessing covers the `mlp` projector (LLaVA-1.5:
// pad to square, bicubic) and the `idefics3` projector (SmolVLM: tiles in a
// grid plus a global image).
package image
