package quant

import "math"

// IEEE binary16 and bfloat16 conversions, as llama.cpp's x86 CPU backend does
// them: F16 through the F16C instructions (round to nearest even, subnormals
// kept, NaN quieted with the top of its payload kept), BF16 in software
// (round to nearest even, NaN quieted).

// F16ToF32 widens an IEEE half-precision value. Every half is exactly
// representable; a signalling NaN comes back quiet.
func F16ToF32(h uint16) float32 { return f16Table[h] }

// f16Table holds every half's float32 value (256 KiB), as ggml's x86 CPU
// backend keeps one: a lookup measured 3x faster than decoding the bits in
// the F16 dot product.
var f16Table = func() *[1 << 16]float32 {
	var t [1 << 16]float32
	for h := range t {
		t[h] = decodeF16(uint16(h))
	}
	return &t
}()

// decodeF16 widens a half by taking its bits apart.
func decodeF16(h uint16) float32 {
	sign := uint32(h&0x8000) << 16
	exp := uint32(h>>10) & 0x1f
	mant := uint32(h & 0x3ff)
	switch exp {
	case 0:
		// Zero or subnormal: mant × 2⁻²⁴, exact in float32.
		return math.Float32frombits(sign | math.Float32bits(float32(mant)*(1.0/(1<<24))))
	case 0x1f:
		if mant == 0 {
			return math.Float32frombits(sign | 0x7f800000)
		}
		return math.Float32frombits(sign | 0x7fc00000 | mant<<13)
	}
	return math.Float32frombits(sign | (exp+112)<<23 | mant<<13)
}

// F32ToF16 narrows to IEEE half precision with round-to-nearest-even.
// Values from 65520 up become infinity; tiny values become subnormals or
// zero (never flushed early); a NaN stays a NaN (quiet, top payload bits
// kept).
func F32ToF16(f float32) uint16 {
	bits := math.Float32bits(f)
	sign := uint16(bits>>16) & 0x8000
	abs := bits & 0x7fffffff
	switch {
	case abs > 0x7f800000: // NaN
		return sign | 0x7e00 | uint16((abs&0x7fffff)>>13)
	case abs >= 0x477ff000: // ≥ 65520: rounds to infinity
		return sign | 0x7c00
	case abs >= 0x38800000: // ≥ 2⁻¹⁴: a normal half
		r := abs - 0x38000000 // rebias the exponent from 127 to 15
		r += 0xfff + (r>>13)&1
		return sign | uint16(r>>13)
	}
	// Subnormal half (or zero): the value in units of 2⁻²⁴, rounded to even.
	// The scaling is exact; a result of 1024 is the smallest normal, which
	// is also the right encoding.
	v := float64(math.Float32frombits(abs)) * (1 << 24)
	return sign | uint16(math.RoundToEven(v))
}

// BF16ToF32 widens a bfloat16 value (the top half of a float32).
func BF16ToF32(h uint16) float32 {
	return math.Float32frombits(uint32(h) << 16)
}

// F32ToBF16 narrows to bfloat16 with round-to-nearest-even; a NaN is kept
// (with its quiet bit forced on), never rounded into infinity.
func F32ToBF16(f float32) uint16 {
	bits := math.Float32bits(f)
	if bits&0x7fffffff > 0x7f800000 {
		return uint16(bits>>16) | 0x40
	}
	return uint16((bits + 0x7fff + (bits>>16)&1) >> 16)
}
