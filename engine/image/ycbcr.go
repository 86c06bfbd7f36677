package image

import goimage "image"

// yCbCrToRGB converts a decoded YCbCr image (JPEG, lossy WebP) to RGB the
// way stb_image finishes a JPEG, since that is what llama.cpp decodes
// with: chroma planes subsampled by 2 are upsampled with stb's "fancy"
// triangle filters (stbi__resample_row_h_2, _v_2, _hv_2: weights 3/4 and
// 1/4 from the nearest and next sample, in integers), other ratios by
// replication (stbi__resample_row_generic), and each pixel is converted
// with stb's 12-bit fixed-point BT.601 full-range formulas
// (stbi__YCbCr_to_RGB_row). It serves the images decoded by Go's
// decoders (lossy WebP, and the JPEGs our own decoder, jpeg.go, leaves to
// image/jpeg), whose inverse DCT may differ from stb's by a level or two.
func yCbCrToRGB(m *goimage.YCbCr) *RGB {
	b := m.Bounds()
	w, h := b.Dx(), b.Dy()
	out := NewRGB(w, h)
	hs, vs := chromaFactors(m.SubsampleRatio)
	lw := (w + hs - 1) / hs // chroma samples per row (stb's w_lores)
	lh := (h + vs - 1) / vs // chroma rows (stb's img_comp.y)
	// Offset of chroma sample (0, 0) of the visible area.
	c0 := m.COffset(b.Min.X, b.Min.Y)
	cbRow := make([]uint8, hs*lw)
	crRow := make([]uint8, hs*lw)
	for y := 0; y < h; y++ {
		near, far := chromaRows(y, vs, lh)
		upsampleRow(cbRow, m.Cb[c0+near*m.CStride:], m.Cb[c0+far*m.CStride:], lw, hs, vs)
		upsampleRow(crRow, m.Cr[c0+near*m.CStride:], m.Cr[c0+far*m.CStride:], lw, hs, vs)
		yRow := m.Y[m.YOffset(b.Min.X, b.Min.Y+y):]
		dst := out.Pix[3*y*w : 3*(y+1)*w]
		for x := 0; x < w; x++ {
			dst[3*x], dst[3*x+1], dst[3*x+2] = stbYCbCr(yRow[x], cbRow[x], crRow[x])
		}
	}
	return out
}

// chromaFactors gives the horizontal and vertical chroma subsampling.
func chromaFactors(r goimage.YCbCrSubsampleRatio) (hs, vs int) {
	switch r {
	case goimage.YCbCrSubsampleRatio422:
		return 2, 1
	case goimage.YCbCrSubsampleRatio420:
		return 2, 2
	case goimage.YCbCrSubsampleRatio440:
		return 1, 2
	case goimage.YCbCrSubsampleRatio411:
		return 4, 1
	case goimage.YCbCrSubsampleRatio410:
		return 4, 2
	}
	return 1, 1
}

// chromaRows picks, for output row y, the chroma row nearest to it and
// the neighbour on its other side, as stb's line0/line1 walk does: with
// two output rows per chroma row, an even row leans on the row above, an
// odd row on the row below, both clamped to the plane.
func chromaRows(y, vs, rows int) (near, far int) {
	if vs != 2 {
		n := y / vs
		return n, n
	}
	near = y / 2
	if y%2 == 0 {
		far = max(near-1, 0)
	} else {
		far = min(near+1, rows-1)
	}
	return near, far
}

// upsampleRow fills out with hs·w samples from w chroma samples of the
// near row (and the far row when vs is 2), as stb's resample kernels.
func upsampleRow(out, near, far []uint8, w, hs, vs int) {
	div4 := func(v int) uint8 { return uint8(v >> 2) }
	div16 := func(v int) uint8 { return uint8(v >> 4) }
	switch {
	case hs == 1 && vs == 1:
		copy(out, near[:w])
	case hs == 1 && vs == 2:
		for i := 0; i < w; i++ {
			out[i] = div4(3*int(near[i]) + int(far[i]) + 2)
		}
	case hs == 2 && vs == 1:
		in := near
		if w == 1 {
			out[0], out[1] = in[0], in[0]
			return
		}
		out[0] = in[0]
		out[1] = div4(3*int(in[0]) + int(in[1]) + 2)
		i := 1
		for ; i < w-1; i++ {
			n := 3*int(in[i]) + 2
			out[2*i] = div4(n + int(in[i-1]))
			out[2*i+1] = div4(n + int(in[i+1]))
		}
		// stb weights the last pair this way round (3·in[w-2] + in[w-1]).
		out[2*i] = div4(3*int(in[w-2]) + int(in[w-1]) + 2)
		out[2*i+1] = in[w-1]
	case hs == 2 && vs == 2:
		if w == 1 {
			v := div4(3*int(near[0]) + int(far[0]) + 2)
			out[0], out[1] = v, v
			return
		}
		t1 := 3*int(near[0]) + int(far[0])
		out[0] = div4(t1 + 2)
		for i := 1; i < w; i++ {
			t0 := t1
			t1 = 3*int(near[i]) + int(far[i])
			out[2*i-1] = div16(3*t0 + t1 + 8)
			out[2*i] = div16(3*t1 + t0 + 8)
		}
		out[2*w-1] = div4(t1 + 2)
	default:
		for i := 0; i < w; i++ {
			for j := 0; j < hs; j++ {
				out[i*hs+j] = near[i]
			}
		}
	}
}

// stbYCbCr converts one pixel with stb's fixed point: coefficients
// 1.402, 0.71414, 0.34414 and 1.772 scaled by 4096 and rounded (5743,
// 2925, 1410, 7258), shifted to 20 fractional bits; the Cb term of green
// keeps only its top 16 bits.
func stbYCbCr(y, cb, cr uint8) (uint8, uint8, uint8) {
	yf := int32(y)<<20 + 1<<19
	dcr := int32(cr) - 128
	dcb := int32(cb) - 128
	r := yf + dcr*(5743<<8)
	g := yf + dcr*-(2925<<8) + (dcb*-(1410<<8))&^0xffff
	b := yf + dcb*(7258<<8)
	return clampShift20(r), clampShift20(g), clampShift20(b)
}

func clampShift20(v int32) uint8 {
	v >>= 20
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}
