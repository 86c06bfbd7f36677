package image

import "fmt"

// RGB is an 8-bit image with three interleaved channels, row-major:
// pixel (x, y) is Pix[3*(y*W+x) : 3*(y*W+x)+3]. It is the layout of
// llama.cpp's clip_image_u8.
type RGB struct {
	W, H int
	Pix  []uint8
}

// NewRGB returns a black image of the given size.
func NewRGB(w, h int) *RGB {
	return &RGB{W: w, H: h, Pix: make([]uint8, 3*w*h)}
}

// At returns the colour of pixel (x, y).
func (m *RGB) At(x, y int) [3]uint8 {
	i := 3 * (y*m.W + x)
	return [3]uint8{m.Pix[i], m.Pix[i+1], m.Pix[i+2]}
}

// Set sets the colour of pixel (x, y).
func (m *RGB) Set(x, y int, c [3]uint8) {
	i := 3 * (y*m.W + x)
	m.Pix[i], m.Pix[i+1], m.Pix[i+2] = c[0], c[1], c[2]
}

// Fill paints every pixel with c (llama.cpp: img_tool::fill).
func (m *RGB) Fill(c [3]uint8) {
	for i := 0; i < len(m.Pix); i += 3 {
		m.Pix[i], m.Pix[i+1], m.Pix[i+2] = c[0], c[1], c[2]
	}
}

// Crop returns a copy of the w×h rectangle whose top-left corner is (x, y)
// (llama.cpp: img_tool::crop). The rectangle must lie inside the image.
func (m *RGB) Crop(x, y, w, h int) (*RGB, error) {
	if x < 0 || y < 0 || w <= 0 || h <= 0 || x+w > m.W || y+h > m.H {
		return nil, fmt.Errorf("image: crop %dx%d at (%d,%d) does not fit in a %dx%d image", w, h, x, y, m.W, m.H)
	}
	out := NewRGB(w, h)
	for row := 0; row < h; row++ {
		src := m.Pix[3*((y+row)*m.W+x):]
		copy(out.Pix[3*row*w:3*(row+1)*w], src[:3*w])
	}
	return out, nil
}

// Paste draws src into m with its top-left corner at (x, y), skipping the
// pixels that fall outside m (llama.cpp: img_tool::composite).
func (m *RGB) Paste(src *RGB, x, y int) {
	for sy := 0; sy < src.H; sy++ {
		dy := sy + y
		if dy < 0 || dy >= m.H {
			continue
		}
		for sx := 0; sx < src.W; sx++ {
			dx := sx + x
			if dx < 0 || dx >= m.W {
				continue
			}
			m.Set(dx, dy, src.At(sx, sy))
		}
	}
}
