package image

// toRGB upsamples the decoded planes to full size and converts them to RGB
// as stb_image does for 3 output channels: each component's rows are
// resampled by its own factors (upsampleRow; which two source rows feed an
// output row follows stb's row walk, componentRows), then one component is
// grey, three are YCbCr (or RGB, when the components are named R, G, B, or
// an Adobe segment says "no transform" and there is no JFIF segment), four
// are CMYK or YCCK by the Adobe transform (inverted, multiplied by K) or
// YCbCr with a fourth channel ignored.
func (d *jpegDecoder) toRGB() (*RGB, error) {
	w, h := d.width, d.height
	out := NewRGB(w, h)
	nc := len(d.comps)
	rows := make([][]uint8, nc)
	walks := make([]componentRows, nc)
	for k := range d.comps {
		c := &d.comps[k]
		hs, vs := d.hmax/c.h, d.vmax/c.v
		walks[k] = componentRows{hs: hs, vs: vs, lores: (w + hs - 1) / hs, step: vs >> 1, rows: c.y}
		rows[k] = make([]uint8, w+3)
	}
	rgbNames := nc == 3 && d.comps[0].id == 'R' && d.comps[1].id == 'G' && d.comps[2].id == 'B'
	isRGB := nc == 3 && (rgbNames || (d.adobeTransform == 0 && !d.jfif))
	line := make([][]uint8, nc)
	for y := 0; y < h; y++ {
		for k := range d.comps {
			c := &d.comps[k]
			r := &walks[k]
			near, far := r.next()
			upsampleRow(rows[k], c.plane[near*c.w2:], c.plane[far*c.w2:], r.lores, r.hs, r.vs)
			line[k] = rows[k]
		}
		dst := out.Pix[3*y*w : 3*(y+1)*w]
		switch {
		case nc == 1:
			for x, g := range line[0][:w] {
				dst[3*x], dst[3*x+1], dst[3*x+2] = g, g, g
			}
		case isRGB:
			for x := range w {
				dst[3*x], dst[3*x+1], dst[3*x+2] = line[0][x], line[1][x], line[2][x]
			}
		case nc == 4 && d.adobeTransform == 0: // CMYK, stored inverted
			for x := range w {
				k := line[3][x]
				dst[3*x], dst[3*x+1], dst[3*x+2] = mul255(line[0][x], k), mul255(line[1][x], k), mul255(line[2][x], k)
			}
		default:
			for x := range w {
				r, g, b := stbYCbCr(line[0][x], line[1][x], line[2][x])
				if nc == 4 && d.adobeTransform == 2 { // YCCK
					k := line[3][x]
					r, g, b = mul255(255-r, k), mul255(255-g, k), mul255(255-b, k)
				}
				dst[3*x], dst[3*x+1], dst[3*x+2] = r, g, b
			}
		}
	}
	return out, nil
}

// mul255 is x·y/255 rounded, in stb's integer form.
func mul255(x, y uint8) uint8 {
	t := uint32(x)*uint32(y) + 128
	return uint8((t + t>>8) >> 8)
}

// componentRows walks a component's plane rows as stb does while it
// produces output rows: with vs output rows per plane row, the walk keeps
// two plane rows (line0 above, line1 below, clamped to the plane) and,
// for the first half of each group of vs output rows, reads line1 as the
// near row and line0 as the far one, for the second half the other way
// round.
type componentRows struct {
	hs, vs       int
	lores        int // samples per row: the output width divided by hs, rounded up
	rows         int // plane rows holding image samples
	step         int // position within the current group of vs output rows
	pos          int // index of line1's plane row, counted from 0
	line0, line1 int
}

// next returns the near and far plane rows for the next output row.
func (r *componentRows) next() (near, far int) {
	if r.step >= r.vs>>1 {
		near, far = r.line1, r.line0
	} else {
		near, far = r.line0, r.line1
	}
	if r.step++; r.step >= r.vs {
		r.step = 0
		r.line0 = r.line1
		if r.pos++; r.pos < r.rows {
			r.line1++
		}
	}
	return near, far
}
