package image

import (
	"fmt"
	"math"
)

// Pad says how a resize to a different aspect ratio is handled.
type Pad int

const (
	// PadNone stretches the image to the target size.
	PadNone Pad = iota
	// PadCeil scales the image to fit inside the target, keeping its aspect
	// ratio (the scaled size rounded up), and centres it on a background
	// colour; llama.cpp's default (PAD_CEIL).
	PadCeil
	// PadNearest is PadCeil with the scaled size and the offset rounded to
	// the nearest integer (PAD_NEAREST).
	PadNearest
)

// fitSize is the size an w×h image is scaled to so that it fits inside
// tw×th, and its offset there, as llama.cpp's img_tool::resize computes
// them: the scale is the smaller of the two ratios in float32, and the
// product size×scale is a float32 too, so its rounding is part of the result.
func fitSize(w, h, tw, th int, pad Pad) (nw, nh, ox, oy int) {
	scale := min(float32(tw)/float32(w), float32(th)/float32(h))
	sw := float32(w) * scale
	sh := float32(h) * scale
	if pad == PadNearest {
		nw = min(int(math.Round(float64(sw))), tw)
		nh = min(int(math.Round(float64(sh))), th)
		ox = int(math.Round(float64(float32(tw-nw) / 2)))
		oy = int(math.Round(float64(float32(th-nh) / 2)))
		return
	}
	nw = min(int(math.Ceil(float64(sw))), tw)
	nh = min(int(math.Ceil(float64(sh))), th)
	return nw, nh, (tw - nw) / 2, (th - nh) / 2
}

// ResizePadded resizes src to w×h, as llama.cpp's img_tool::resize: an
// image already of that size is copied; with PadNone it is stretched;
// otherwise it is scaled to fit (see fitSize) and centred on a canvas
// filled with padColor.
func ResizePadded(src *RGB, w, h int, f Filter, pad Pad, padColor [3]uint8) (*RGB, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("image: cannot resize to %dx%d", w, h)
	}
	if src.W == w && src.H == h {
		return &RGB{W: w, H: h, Pix: append([]uint8(nil), src.Pix...)}, nil
	}
	if pad == PadNone {
		return Resize(src, w, h, f)
	}
	if src.W <= 0 || src.H <= 0 {
		return nil, fmt.Errorf("image: cannot resize an empty %dx%d image", src.W, src.H)
	}
	nw, nh, ox, oy := fitSize(src.W, src.H, w, h, pad)
	if nw <= 0 || nh <= 0 {
		return nil, fmt.Errorf("image: a %dx%d image scaled to fit %dx%d would be %dx%d", src.W, src.H, w, h, nw, nh)
	}
	scaled, err := Resize(src, nw, nh, f)
	if err != nil {
		return nil, err
	}
	out := NewRGB(w, h)
	out.Fill(padColor)
	out.Paste(scaled, ox, oy)
	return out, nil
}
