//go:build js && wasm

package main

import (
	"fmt"
	"syscall/js"

	"github.com/hearth-ai/hearth/engine/multimodal"
	"github.com/hearth-ai/hearth/engine/vision"
)

// Images are not encoded twice. A conversation sends its pictures again
// with every question, and encoding one is the slow part (tens of seconds
// for a SmolVLM tile in a browser); so the loaded pair keeps, in an
// engine/multimodal Cache keyed by the SHA-256 of each image file's bytes
// (with the loaded encoder and the pixel limit):
//
//   - the embeddings of the images it encoded, at most load's
//     opts.imageCacheBytes of them (default multimodal.DefaultCacheBytes,
//     64 MiB; 0 keeps none), the least recently used dropped first:
//     prepare takes a cached image as it is (nothing decoded or encoded;
//     encodeNext skips it) and answers imagesCached / imagesEncoded;
//   - the layouts of the images it decoded (a few bytes each, at most
//     multimodal.DefaultCacheLayouts): chat counts a known image's
//     positions without decoding it again.
//
// A cached image's embeddings are the very values encoding it gave, so a
// prompt built from them evaluates exactly as the first did. The cache
// lives in the Go heap and goes with the encoder: an unload, or a load
// that replaces the pair, drops it. memory() reports it as imageCache
// {images, bytes, maxBytes, layouts, hits, misses}.

// encoderLoads counts the encoders bound since the worker started: each
// one's name in its cache's keys.
var encoderLoads int

// imageCacheOption reads load's opts.imageCacheBytes (args[3]) into
// opt: absent, the default; 0 (or less), no embeddings kept.
func imageCacheOption(args []js.Value, opt loadOptions) loadOptions {
	if len(args) < 4 || args[3].Type() != js.TypeObject {
		return opt
	}
	if n := args[3].Get("imageCacheBytes"); n.Type() == js.TypeNumber {
		opt.ImageCacheBytes = -1
		if n.Float() > 0 {
			opt.ImageCacheBytes = int64(min(n.Float(), 1<<40))
		}
	}
	return opt
}

// newImageReader is the image reader of a newly bound encoder, with its
// own cache of cacheBytes (0: the default; < 0: no embeddings kept).
func newImageReader(enc *vision.Encoder, maxPixels int, cacheBytes int64) *multimodal.ImageReader {
	encoderLoads++
	if cacheBytes == 0 {
		cacheBytes = multimodal.DefaultCacheBytes
	}
	return &multimodal.ImageReader{
		Cache:     multimodal.NewCache(max(cacheBytes, 0), 0),
		Params:    enc.Params,
		Encoder:   fmt.Sprintf("encoder %d (%s, %d px)", encoderLoads, enc.Params.Projector, enc.Params.ImageSize),
		MaxPixels: maxPixels,
	}
}

// imageCacheInfo is the loaded encoder's cache as memory reports it, or
// nil without an encoder.
func (e *engine) imageCacheInfo() map[string]any {
	if e.vis == nil || e.vis.images == nil {
		return nil
	}
	st := e.vis.images.Cache.Stats()
	return map[string]any{
		"images": st.Images, "bytes": st.Bytes, "maxBytes": st.MaxBytes, "layouts": st.Layouts,
		"hits": st.Hits, "misses": st.Misses,
	}
}
