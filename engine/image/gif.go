package image

import (
	"bytes"
	"image/color"
	"image/gif"
)

// decodeGIF returns the first frame of a GIF composed onto its logical
// screen as stb_image (and so llama.cpp) composes it: the screen starts
// black; the frame's opaque pixels are drawn; its transparent pixels stay
// black; and when the background index is above zero, screen pixels the
// frame does not cover take the global palette's background colour — with
// red and blue swapped, since stb_image copies its BGR-ordered palette
// entry there as is.
func decodeGIF(data []byte) (*RGB, error) {
	frame, err := gif.Decode(bytes.NewReader(data)) // decodes the first frame only
	if err != nil {
		return nil, err
	}
	w, h, bg := gifScreen(data)
	out := NewRGB(w, h)
	r := frame.Bounds()
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			if x >= r.Min.X && x < r.Max.X && y >= r.Min.Y && y < r.Max.Y {
				c := color.NRGBAModel.Convert(frame.At(x, y)).(color.NRGBA)
				if c.A > 128 {
					out.Set(x, y, [3]uint8{c.R, c.G, c.B})
				}
			} else if bg != nil {
				out.Set(x, y, *bg)
			}
		}
	}
	return out, nil
}

// gifScreen reads the logical screen size from a GIF header and, when the
// background index is above zero and there is a global palette, the
// background colour stb_image paints (blue, green, red of that entry).
func gifScreen(data []byte) (w, h int, bg *[3]uint8) {
	if len(data) < 13 {
		return 0, 0, nil
	}
	w = int(data[6]) | int(data[7])<<8
	h = int(data[8]) | int(data[9])<<8
	flags, index := data[10], int(data[11])
	if flags&0x80 == 0 || index == 0 {
		return w, h, nil
	}
	n := 2 << (flags & 7)
	if index >= n || len(data) < 13+3*n {
		return w, h, nil
	}
	e := data[13+3*index:]
	return w, h, &[3]uint8{e[2], e[1], e[0]}
}
