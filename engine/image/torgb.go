package image

import (
	goimage "image"
	"image/color"
)

// toRGB converts a decoded image to 8-bit RGB the way stb_image does when
// llama.cpp asks it for 3 channels: alpha is dropped, not composited (a
// fully transparent pixel keeps whatever colour it stores), grey is copied
// to all three channels, and 16-bit samples keep their high byte.
func toRGB(src goimage.Image) *RGB {
	b := src.Bounds()
	out := NewRGB(b.Dx(), b.Dy())
	i := 0
	put := func(r, g, bl uint8) {
		out.Pix[i], out.Pix[i+1], out.Pix[i+2] = r, g, bl
		i += 3
	}
	switch m := src.(type) {
	case *goimage.NRGBA:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				put(row[4*x], row[4*x+1], row[4*x+2])
			}
		}
	case *goimage.RGBA: // opaque truecolor PNGs decode to this
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				p := row[4*x : 4*x+4]
				if p[3] == 0xff {
					put(p[0], p[1], p[2])
				} else {
					n := straightColor(color.RGBA{p[0], p[1], p[2], p[3]})
					put(n.R, n.G, n.B)
				}
			}
		}
	case *goimage.Gray:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				put(row[x], row[x], row[x])
			}
		}
	case *goimage.YCbCr:
		return yCbCrToRGB(m)
	case *goimage.NYCbCrA:
		return yCbCrToRGB(&m.YCbCr)
	case *goimage.Paletted:
		pal := make([][3]uint8, len(m.Palette))
		for k, c := range m.Palette {
			n := straightColor(c)
			pal[k] = [3]uint8{n.R, n.G, n.B}
		}
		for y := b.Min.Y; y < b.Max.Y; y++ {
			row := m.Pix[m.PixOffset(b.Min.X, y):]
			for x := 0; x < b.Dx(); x++ {
				var c [3]uint8
				if int(row[x]) < len(pal) {
					c = pal[row[x]]
				}
				put(c[0], c[1], c[2])
			}
		}
	default:
		for y := b.Min.Y; y < b.Max.Y; y++ {
			for x := b.Min.X; x < b.Max.X; x++ {
				n := straightColor(m.At(x, y))
				put(n.R, n.G, n.B)
			}
		}
	}
	return out
}

// straightColor returns c's colour without premultiplication and with
// 16-bit channels cut to their high byte, as stb_image stores them.
func straightColor(c color.Color) color.NRGBA {
	switch v := c.(type) {
	case color.NRGBA:
		return v
	case color.NRGBA64:
		return color.NRGBA{uint8(v.R >> 8), uint8(v.G >> 8), uint8(v.B >> 8), uint8(v.A >> 8)}
	case color.Gray16:
		g := uint8(v.Y >> 8)
		return color.NRGBA{g, g, g, 0xff}
	}
	n := color.NRGBA64Model.Convert(c).(color.NRGBA64)
	return color.NRGBA{uint8(n.R >> 8), uint8(n.G >> 8), uint8(n.B >> 8), uint8(n.A >> 8)}
}
