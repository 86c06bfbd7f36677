package main

import (
	"bytes"
	"fmt"
	"image"
	"image/color"
	_ "image/gif"
	_ "image/jpeg"
	"image/png"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// parseImageSize reads a "WxH" flag value.
func parseImageSize(s string) (w, h int, err error) {
	ws, hs, ok := strings.Cut(strings.ToLower(strings.TrimSpace(s)), "x")
	if ok {
		w, err = strconv.Atoi(ws)
		if err == nil {
			h, err = strconv.Atoi(hs)
		}
	}
	if !ok || err != nil || w < 1 || h < 1 || w > 8192 || h > 8192 {
		return 0, 0, fmt.Errorf("image size %q: want WxH, each side from 1 to 8192 pixels (e.g. 512x512)", s)
	}
	return w, h, nil
}

// syntheticPNG is a deterministic w×h picture as a PNG file: smooth colour
// gradients under a pattern of rings and a pseudo-random speckle, so the
// file compresses like a photo-ish image, not like a flat fill (the
// decoder's share of the work stays realistic).
func syntheticPNG(w, h int) ([]byte, error) {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	x := uint32(2463534242)
	for py := 0; py < h; py++ {
		for px := 0; px < w; px++ {
			x ^= x << 13
			x ^= x >> 17
			x ^= x << 5
			fx, fy := float64(px)/float64(w), float64(py)/float64(h)
			ring := 0.5 + 0.5*math.Sin(40*math.Hypot(fx-0.4, fy-0.55))
			noise := float64(x%32) - 16
			c := func(v float64) uint8 { return uint8(math.Max(0, math.Min(255, v))) }
			img.SetNRGBA(px, py, color.NRGBA{
				R: c(255*fx*0.8 + 40*ring + noise),
				G: c(255*fy*0.7 + 60*ring + noise),
				B: c(200*(1-fx)*fy + 50*ring + noise),
				A: 255,
			})
		}
	}
	var buf bytes.Buffer
	if err := png.Encode(&buf, img); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// benchImage is the image of a vision benchmark and what the report says
// about it.
type benchImage struct {
	Path      string `json:"-"`
	Name      string `json:"name"`
	Width     int    `json:"width"`
	Height    int    `json:"height"`
	Bytes     int64  `json:"bytes"`
	Format    string `json:"format"`
	Synthetic bool   `json:"synthetic"`
}

// prepareImage is the -image file, or else a synthetic PNG of -image-size
// written into dir.
func prepareImage(file, size, dir string) (benchImage, error) {
	if file != "" {
		f, err := os.Open(file)
		if err != nil {
			return benchImage{}, fmt.Errorf("image: %w", err)
		}
		defer f.Close()
		cfg, format, err := image.DecodeConfig(f)
		if err != nil && format == "" {
			format = "unknown to Go's image package"
		}
		st, err2 := f.Stat()
		if err2 != nil {
			return benchImage{}, err2
		}
		return benchImage{Path: file, Name: filepath.Base(file), Width: cfg.Width, Height: cfg.Height, Bytes: st.Size(), Format: format}, nil
	}
	w, h, err := parseImageSize(size)
	if err != nil {
		return benchImage{}, err
	}
	b, err := syntheticPNG(w, h)
	if err != nil {
		return benchImage{}, err
	}
	name := fmt.Sprintf("synthetic-%dx%d.png", w, h)
	path := filepath.Join(dir, name)
	if err := os.WriteFile(path, b, 0o644); err != nil {
		return benchImage{}, err
	}
	return benchImage{Path: path, Name: name, Width: w, Height: h, Bytes: int64(len(b)), Format: "png", Synthetic: true}, nil
}
