package image

import (
	"fmt"
	"math"
)

// Idefics3Params are the mmproj hyperparameters that drive SmolVLM's
// (projector type idefics3) image preprocessing.
type Idefics3Params struct {
	// ImageSize is clip.vision.image_size: the side of every tile and of
	// the global image.
	ImageSize int
	// LongestEdge is clip.vision.preproc_image_size: the image is first
	// resized so that its longer side is this long. Older mmproj files
	// lack the key; then it is 0 and the generic path is taken.
	LongestEdge int
	// MinPixels and MaxPixels bound the refined image's area; llama.cpp
	// sets them for idefics3 only from user-chosen image token limits, so
	// they are normally 0 (unset).
	MinPixels, MaxPixels int
	// Mean and Std are clip.vision.image_mean and image_std.
	Mean, Std [3]float32
}

// Idefics3Image is a preprocessed image for an idefics3 encoder.
type Idefics3Image struct {
	// Rows and Cols give the tile grid; the chat text needs them for its
	// <row_r_col_c> markers (see Idefics3Layout).
	Rows, Cols int
	// Tiles are the Rows·Cols tiles, row-major: left to right along the
	// top row, then the next row down. Each is CHW float32 of ImageSize².
	Tiles [][]float32
	// Overview is the whole image resized to ImageSize×ImageSize (the
	// "global image"), CHW float32.
	Overview []float32
}

// idefics3Split holds the 8-bit tiles and overview before normalisation.
type idefics3Split struct {
	rows, cols int
	tiles      []*RGB
	overview   *RGB
}

// PreprocessIdefics3 splits img into tiles plus a global image and
// normalises them, as llama.cpp's mtmd_image_preprocessor_idefics3::preprocess
// with the hparams clip.cpp sets for PROJECTOR_TYPE_IDEFICS3.
func PreprocessIdefics3(img *RGB, p Idefics3Params) (*Idefics3Image, error) {
	s, err := splitIdefics3(img, p)
	if err != nil {
		return nil, err
	}
	out := &Idefics3Image{Rows: s.rows, Cols: s.cols, Overview: Normalize(s.overview, p.Mean, p.Std)}
	for _, t := range s.tiles {
		out.Tiles = append(out.Tiles, Normalize(t, p.Mean, p.Std))
	}
	return out, nil
}

func splitIdefics3(img *RGB, p Idefics3Params) (*idefics3Split, error) {
	if p.ImageSize <= 0 {
		return nil, fmt.Errorf("image: idefics3 image size %d is not positive", p.ImageSize)
	}
	if img.W <= 0 || img.H <= 0 {
		return nil, fmt.Errorf("image: cannot preprocess an empty %dx%d image", img.W, img.H)
	}
	if p.LongestEdge > 0 && p.MinPixels <= 0 && p.MaxPixels <= 0 {
		return splitIdefics3LongestEdge(img, p)
	}
	return splitIdefics3Generic(img, p)
}

// idefics3ResizedSize is the first step of the longest-edge path: the longer
// side becomes longestEdge, the shorter one longestEdge scaled by the aspect
// ratio (float64, truncated) and then rounded up to an even number.
func idefics3ResizedSize(w, h, longestEdge int) (int, int) {
	aspect := float64(w) / float64(h)
	if w >= h {
		rh := int(float64(longestEdge) / aspect)
		return longestEdge, rh + rh%2
	}
	rw := int(float64(longestEdge) * aspect)
	return rw + rw%2, longestEdge
}

// splitIdefics3LongestEdge mirrors the first branch of llama.cpp's idefics3
// preprocess (after transformers' Idefics3ImageProcessor): resize so the
// longer side is LongestEdge; stretch that up to whole tiles (each side
// rounded up to a multiple of ImageSize); cut it into tiles; the overview is
// the stretched image resized to one tile. All three resizes are Lanczos,
// without padding.
func splitIdefics3LongestEdge(img *RGB, p Idefics3Params) (*idefics3Split, error) {
	size := p.ImageSize
	rw, rh := idefics3ResizedSize(img.W, img.H, p.LongestEdge)
	if rw <= 0 || rh <= 0 {
		return nil, fmt.Errorf("image: a %dx%d image is too narrow to resize to a longest edge of %d (it would be %dx%d)", img.W, img.H, p.LongestEdge, rw, rh)
	}
	cols := (rw + size - 1) / size
	rows := (rh + size - 1) / size
	resized, err := ResizePadded(img, rw, rh, Lanczos, PadNone, [3]uint8{})
	if err != nil {
		return nil, err
	}
	refined, err := ResizePadded(resized, cols*size, rows*size, Lanczos, PadNone, [3]uint8{})
	if err != nil {
		return nil, err
	}
	overview, err := ResizePadded(refined, size, size, Lanczos, PadNone, [3]uint8{})
	if err != nil {
		return nil, err
	}
	s := &idefics3Split{rows: rows, cols: cols, overview: overview}
	for r := 0; r < rows; r++ {
		for c := 0; c < cols; c++ {
			t, err := refined.Crop(c*size, r*size, size, size)
			if err != nil {
				return nil, err
			}
			s.tiles = append(s.tiles, t)
		}
	}
	return s, nil
}

// splitIdefics3Generic mirrors the second branch of llama.cpp's idefics3
// preprocess, taken when the mmproj has no preproc_image_size or when pixel
// limits are set: the refined size comes from preservedRatioSize aligned to
// ImageSize; then llava-uhd's slice_image: the overview is the original
// image stretched to one tile (bicubic, no padding) and the refined image
// is the original fitted into the refined size (bicubic, centred on black,
// PadCeil), cut into tiles row by row.
func splitIdefics3Generic(img *RGB, p Idefics3Params) (*idefics3Split, error) {
	size := p.ImageSize
	fw, fh := preservedRatioSize(img.W, img.H, sizeLimits{
		align:       size,
		minPixels:   max(0, p.MinPixels),
		maxPixels:   max(0, p.MaxPixels),
		longestEdge: p.LongestEdge,
	})
	if fw <= 0 || fh <= 0 {
		return nil, fmt.Errorf("image: cannot fit a %dx%d image into %d-pixel tiles", img.W, img.H, size)
	}
	cols := int(math.Ceil(float64(float32(fw) / float32(size))))
	rows := int(math.Ceil(float64(float32(fh) / float32(size))))
	overview, err := ResizePadded(img, size, size, Bicubic, PadNone, [3]uint8{})
	if err != nil {
		return nil, err
	}
	refined, err := ResizePadded(img, fw, fh, Bicubic, PadCeil, [3]uint8{})
	if err != nil {
		return nil, err
	}
	s := &idefics3Split{rows: rows, cols: cols, overview: overview}
	for y := 0; y < fh; y += size {
		for x := 0; x < fw; x += size {
			t, err := refined.Crop(x, y, min(size, fw-x), min(size, fh-y))
			if err != nil {
				return nil, err
			}
			s.tiles = append(s.tiles, t)
		}
	}
	return s, nil
}
