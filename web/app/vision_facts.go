package main

import "fmt"

// What the model panel says of a loaded pair's image encoder: how it
// reads pictures ("Reads pictures: SigLIP encoder, 512 px, up to 17
// tiles, 64 tokens per tile") and its cache of encoded pictures, read
// again from the engine after every answer (memory's imageCache).

// ImageCacheStats is the encoder's cache of encoded pictures: how many it
// holds, their bytes, its bound, and how often a picture was found there.
type ImageCacheStats struct {
	Images       int
	Bytes        int64
	MaxBytes     int64
	Hits, Misses int
}

// imageCacheReporter is an engine that reports the image cache (the
// browser's, hearth_imagecache_js.go); ok false when no encoder is loaded.
type imageCacheReporter interface {
	ImageCache() (st ImageCacheStats, ok bool, err error)
}

// EncoderName is the vision transformer the projector comes with:
// SmolVLM's idefics3 projector sits on SigLIP, LLaVA's mlp on CLIP.
func (v *VisionInfo) EncoderName() string {
	switch v.Projector {
	case "idefics3":
		return "SigLIP"
	case "mlp":
		return "CLIP"
	}
	return v.Projector
}

// MaxTiles is the most encoder inputs one picture takes: for idefics3
// with a longest edge, a grid of ceil(edge / tile)² tiles plus the
// overview; 1 for an encoder that does not tile; 0 when unknown.
func (v *VisionInfo) MaxTiles() int {
	switch {
	case !v.Tiles:
		return 1
	case v.PreprocImageSize <= 0 || v.ImageSize <= 0:
		return 0
	}
	n := (v.PreprocImageSize + v.ImageSize - 1) / v.ImageSize
	return n*n + 1
}

// Facts is the panel's line on the encoder: "Reads pictures: SigLIP
// encoder, 512 px, up to 17 tiles, 64 tokens per tile", or for an encoder
// that does not tile "Reads pictures: CLIP encoder, 336 px, 576 tokens per
// picture".
func (v *VisionInfo) Facts() string {
	s := "Reads pictures: " + v.EncoderName() + " encoder"
	if v.ImageSize > 0 {
		s += fmt.Sprintf(", %d px", v.ImageSize)
	}
	if !v.Tiles {
		return s + fmt.Sprintf(", %d tokens per picture", v.TokensPerImage)
	}
	if t := v.MaxTiles(); t > 0 {
		s += fmt.Sprintf(", up to %d tiles", t)
	}
	return s + fmt.Sprintf(", %d tokens per tile", v.TokensPerImage)
}

// CacheLine is the panel's line on the cache of encoded pictures:
// "2 pictures encoded, 1.2 MB of 64.0 MB", "Empty (up to 64.0 MB)", "Off"
// (a bound of 0 keeps none), or "" when the engine has not said.
func (v *VisionInfo) CacheLine() string {
	c := v.Cache
	switch {
	case !v.CacheKnown:
		return ""
	case c.MaxBytes <= 0:
		return "Off: pictures are encoded again with every question"
	case c.Images == 0:
		return "Empty (up to " + formatBytes(c.MaxBytes) + ")"
	}
	what := "1 picture"
	if c.Images != 1 {
		what = fmt.Sprintf("%d pictures", c.Images)
	}
	return fmt.Sprintf("%s encoded, %s of %s", what, formatBytes(c.Bytes), formatBytes(c.MaxBytes))
}

// refreshImageCache reads the loaded pair's image cache again (after an
// answer) into Model.Info.Vision. Call it without the lock.
func (a *App) refreshImageCache() {
	r, ok := a.Engine.(imageCacheReporter)
	if !ok {
		return
	}
	a.Env.RLock()
	vision := a.Model.Status == ModelReady && a.Model.Info.Vision != nil
	a.Env.RUnlock()
	if !vision {
		return
	}
	st, have, err := r.ImageCache()
	if err != nil || !have {
		return
	}
	a.update(func() {
		if v := a.Model.Info.Vision; v != nil && a.Model.Status == ModelReady {
			v.Cache, v.CacheKnown = st, true
		}
	})
}
