package image

import (
	"fmt"
	"math"
)

// Filter is a resampling kernel. The three are Pillow's, as llama.cpp
// reimplements them (note Pillow's bicubic uses a = -0.5, not -0.75).
type Filter int

const (
	// Bilinear is the triangle filter, support 1.
	Bilinear Filter = iota
	// Bicubic is Keys' cubic with a = -0.5, support 2.
	Bicubic
	// Lanczos is the 3-lobe Lanczos window, support 3.
	Lanczos
)

// String names the filter.
func (f Filter) String() string {
	switch f {
	case Bilinear:
		return "bilinear"
	case Bicubic:
		return "bicubic"
	case Lanczos:
		return "lanczos"
	}
	return fmt.Sprintf("Filter(%d)", int(f))
}

// weightBits is the number of fractional bits of the fixed-point weights:
// 32 bits minus 8 for the pixel value minus 2 of headroom for the sum.
const weightBits = 22

func (f Filter) support() float64 {
	switch f {
	case Bicubic:
		return 2
	case Lanczos:
		return 3
	}
	return 1
}

// weight is the filter's kernel at distance x from the output pixel's centre.
func (f Filter) weight(x float64) float64 {
	switch f {
	case Lanczos:
		// The window is half-open, [-3, 3), as in Pillow.
		if -3 <= x && x < 3 {
			return sinc(x) * sinc(x/3)
		}
		return 0
	case Bicubic:
		const a = -0.5
		x = math.Abs(x)
		if x < 1 {
			return ((a+2)*x-(a+3))*x*x + 1
		}
		if x < 2 {
			return (((x-5)*x+8)*x - 4) * a
		}
		return 0
	}
	x = math.Abs(x)
	if x < 1 {
		return 1 - x
	}
	return 0
}

func sinc(x float64) float64 {
	if x == 0 {
		return 1
	}
	x *= math.Pi
	return math.Sin(x) / x
}

// kernel holds, for each output pixel along one axis, the first input pixel
// it reads, how many it reads, and their fixed-point weights.
type kernel struct {
	size    int     // weights per output pixel (the stride of weights)
	first   []int   // first input index per output pixel
	count   []int   // number of input pixels per output pixel
	weights []int32 // size weights per output pixel, in 1<<weightBits units
}

// newKernel computes the weights for resampling inSize pixels to outSize,
// as llama.cpp's resize_pillow precompute_weights (after Pillow's
// precompute_coeffs): pixel centres at i+0.5, the filter widened by the
// scale when shrinking, weights normalised to sum 1 in float64 and then
// rounded half away from zero to 22 fractional bits.
func newKernel(inSize, outSize int, f Filter) kernel {
	scale := float64(inSize) / float64(outSize)
	filterScale := max(scale, 1)
	support := f.support() * filterScale
	size := int(math.Ceil(support))*2 + 1
	k := kernel{
		size:    size,
		first:   make([]int, outSize),
		count:   make([]int, outSize),
		weights: make([]int32, outSize*size),
	}
	invScale := 1 / filterScale // multiplied, not divided, as llama.cpp does
	w := make([]float64, size)
	for o := 0; o < outSize; o++ {
		center := (float64(o) + 0.5) * scale
		lo := max(int(center-support+0.5), 0) // int() truncates toward zero, as C's cast
		hi := min(int(center+support+0.5), inSize)
		n := hi - lo
		sum := 0.0
		for i := 0; i < n; i++ {
			w[i] = f.weight((float64(i+lo) - center + 0.5) * invScale)
			sum += w[i]
		}
		for i := 0; i < size; i++ {
			v := 0.0
			if i < n {
				v = w[i]
				if sum != 0 {
					v /= sum
				}
			}
			v *= 1 << weightBits
			if v < 0 {
				v -= 0.5
			} else {
				v += 0.5
			}
			k.weights[o*size+i] = int32(v)
		}
		k.first[o], k.count[o] = lo, n
	}
	return k
}

// clip8 clamps a fixed-point sum (with its rounding bias already added) to a byte.
func clip8(acc int32) uint8 {
	v := acc >> weightBits
	if v < 0 {
		return 0
	}
	if v > 255 {
		return 255
	}
	return uint8(v)
}

// resampleRows resizes the width of src to outW with kernel k.
func resampleRows(src *RGB, outW int, k kernel) *RGB {
	out := NewRGB(outW, src.H)
	for y := 0; y < src.H; y++ {
		row := src.Pix[3*y*src.W : 3*(y+1)*src.W]
		dst := out.Pix[3*y*outW : 3*(y+1)*outW]
		for o := 0; o < outW; o++ {
			ws := k.weights[o*k.size : o*k.size+k.count[o]]
			p := row[3*k.first[o]:]
			r, g, b := int32(1<<(weightBits-1)), int32(1<<(weightBits-1)), int32(1<<(weightBits-1))
			for i, w := range ws {
				r += int32(p[3*i]) * w
				g += int32(p[3*i+1]) * w
				b += int32(p[3*i+2]) * w
			}
			dst[3*o], dst[3*o+1], dst[3*o+2] = clip8(r), clip8(g), clip8(b)
		}
	}
	return out
}

// resampleColumns resizes the height of src to outH with kernel k.
func resampleColumns(src *RGB, outH int, k kernel) *RGB {
	out := NewRGB(src.W, outH)
	rowLen := 3 * src.W
	acc := make([]int32, rowLen)
	for o := 0; o < outH; o++ {
		for i := range acc {
			acc[i] = 1 << (weightBits - 1)
		}
		ws := k.weights[o*k.size : o*k.size+k.count[o]]
		for i, w := range ws {
			row := src.Pix[(k.first[o]+i)*rowLen : (k.first[o]+i+1)*rowLen]
			for j, v := range row {
				acc[j] += int32(v) * w
			}
		}
		dst := out.Pix[o*rowLen : (o+1)*rowLen]
		for j, a := range acc {
			dst[j] = clip8(a)
		}
	}
	return out
}

// Resize stretches src to w×h with filter f, as llama.cpp's
// img_tool::resize_pillow: a horizontal pass, then a vertical pass, each
// skipped when that dimension does not change, in 22-bit fixed point with
// int32 sums and a clamp to 0..255 after each pass.
func Resize(src *RGB, w, h int, f Filter) (*RGB, error) {
	if w <= 0 || h <= 0 {
		return nil, fmt.Errorf("image: cannot resize to %dx%d", w, h)
	}
	if src.W <= 0 || src.H <= 0 {
		return nil, fmt.Errorf("image: cannot resize an empty %dx%d image", src.W, src.H)
	}
	out := src
	if w != src.W {
		out = resampleRows(out, w, newKernel(src.W, w, f))
	}
	if h != src.H {
		out = resampleColumns(out, h, newKernel(src.H, h, f))
	}
	if out == src {
		out = &RGB{W: src.W, H: src.H, Pix: append([]uint8(nil), src.Pix...)}
	}
	return out, nil
}
