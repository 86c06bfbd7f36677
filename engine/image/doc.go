// Package image decodes the images a person drops into a chat (PNG, JPEG,
// GIF, WebP) into 8-bit RGB, and preprocesses them for a vision encoder the
// way llama.cpp's clip/mtmd code does (tools/mtmd/mtmd-image.cpp), so that
// the pixels Hearth feeds its encoder are the pixels llama.cpp would feed.
//
// Decoding refuses oversized images from their header, before any pixel
// buffer is allocated. Preprocessing covers the `mlp` projector (LLaVA-1.5:
// pad to square, bicubic) and the `idefics3` projector (SmolVLM: tiles in a
// grid plus a global image).
package image
