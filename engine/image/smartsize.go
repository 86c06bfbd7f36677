package image

import "math"

// sizeLimits are the options of llama.cpp's
// img_tool::calc_size_preserved_ratio. Zero or less disables a limit.
type sizeLimits struct {
	align       int // both sides become multiples of this
	minPixels   int
	maxPixels   int
	longestEdge int // applied first; minPixels may push a side back above it
}

// preservedRatioSize is llama.cpp's img_tool::calc_size_preserved_ratio
// (transformers' "smart_resize"): the size an w×h image is resized to, its
// aspect ratio kept and both sides aligned to a multiple of o.align. The
// arithmetic is float32 as in the C++ (its lambdas take float), and C's
// roundf rounds halves away from zero, like math.Round.
func preservedRatioSize(w, h int, o sizeLimits) (int, int) {
	if w <= 0 || h <= 0 || o.align <= 0 {
		return 0, 0
	}
	f := float32(o.align)
	roundBy := func(x float32) int { return int(math.Round(float64(x/f))) * o.align }
	ceilBy := func(x float32) int { return int(math.Ceil(float64(x/f))) * o.align }
	floorBy := func(x float32) int { return int(math.Floor(float64(x/f))) * o.align }
	sqrt32 := func(x float32) float32 { return float32(math.Sqrt(float64(x))) }

	var wb, hb int
	if o.longestEdge > 0 {
		le := float32(o.longestEdge)
		scale := min(le/float32(w), le/float32(h))
		wb = ceilBy(float32(w) * scale)
		hb = ceilBy(float32(h) * scale)
	} else {
		wb = max(o.align, roundBy(float32(w)))
		hb = max(o.align, roundBy(float32(h)))
	}

	if o.maxPixels > 0 && hb*wb > o.maxPixels {
		beta := sqrt32(float32(h) * float32(w) / float32(o.maxPixels))
		hb = max(o.align, floorBy(float32(h)/beta))
		wb = max(o.align, floorBy(float32(w)/beta))
	} else if o.minPixels > 0 && hb*wb < o.minPixels {
		beta := sqrt32(float32(o.minPixels) / (float32(h) * float32(w)))
		hb = ceilBy(float32(h) * beta)
		wb = ceilBy(float32(w) * beta)
	}
	return wb, hb
}
