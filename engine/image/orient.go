package image

// orient returns img turned upright for EXIF orientation o:
//
//	1 as stored            5 transposed (mirror across the main diagonal)
//	2 mirrored left–right  6 rotated 90° clockwise
//	3 rotated 180°         7 transversed (mirror across the anti-diagonal)
//	4 mirrored top–bottom  8 rotated 90° counter-clockwise
//
// The tag says how to transform the stored pixels for display; values 5–8
// swap width and height. Other values leave the image as it is.
func orient(img *RGB, o int) *RGB {
	if o < 2 || o > 8 {
		return img
	}
	w, h := img.W, img.H
	ow, oh := w, h
	if o >= 5 {
		ow, oh = h, w
	}
	out := NewRGB(ow, oh)
	for y := 0; y < h; y++ {
		for x := 0; x < w; x++ {
			var dx, dy int
			switch o {
			case 2:
				dx, dy = w-1-x, y
			case 3:
				dx, dy = w-1-x, h-1-y
			case 4:
				dx, dy = x, h-1-y
			case 5:
				dx, dy = y, x
			case 6:
				dx, dy = h-1-y, x
			case 7:
				dx, dy = h-1-y, w-1-x
			case 8:
				dx, dy = y, w-1-x
			}
			out.Set(dx, dy, img.At(x, y))
		}
	}
	return out
}
