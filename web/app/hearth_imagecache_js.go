//go:build js && wasm

package main

import "syscall/js"

// ImageCache reads the loaded pair's cache of encoded pictures from the
// worker's memory answer (imageCache); ok is false when no encoder is
// loaded (memory then has no imageCache).
func (h *hearthEngine) ImageCache() (ImageCacheStats, bool, error) {
	v, err := h.call("memory")
	if err != nil {
		return ImageCacheStats{}, false, err
	}
	c := v.Get("imageCache")
	if c.Type() != js.TypeObject {
		return ImageCacheStats{}, false, nil
	}
	return ImageCacheStats{
		Images: int(numberField(c, "images")), Bytes: int64(numberField(c, "bytes")), MaxBytes: int64(numberField(c, "maxBytes")),
		Hits: int(numberField(c, "hits")), Misses: int(numberField(c, "misses")),
	}, true, nil
}
