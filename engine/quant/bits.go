package quant

import (
	"encoding/binary"
	"math"
)

// Small helpers shared by the block formats.
//
// Rounding discipline: every float32 product that feeds an addition, in
// the same expression or a later one, is written float32(a*b). Go may fuse
// a*b+c into one multiply-add (it does on arm64, and on amd64 with
// GOAMD64=v3), which skips the product's rounding and would change our
// bytes and sums from llama.cpp's; an explicit conversion forbids that.

var nan32 = float32(math.NaN())

// f16At reads the little-endian half at b[0:2] as a float32.
func f16At(b []byte) float32 { return F16ToF32(binary.LittleEndian.Uint16(b)) }

// putF16 stores f as a little-endian half at b[0:2].
func putF16(b []byte, f float32) { binary.LittleEndian.PutUint16(b, F32ToF16(f)) }

// nearestInt rounds to the nearest integer, ties to even, the way llama.cpp's
// k-quant code does: adding 1.5·2²³ leaves the rounded integer in the low
// mantissa bits. Exact for |f| ≤ 4194303 (2²² − 1); outside that range
// (and for NaN) it returns the same garbage llama.cpp does, without
// panicking.
func nearestInt(f float32) int32 {
	// The conversion keeps a caller's product from being fused into this
	// addition (a multiply-add would skip the product's rounding).
	v := float32(f) + 12582912
	return int32(math.Float32bits(v)&0x007fffff) - 0x00400000
}

// abs32 is |f| by clearing the sign bit (NaN stays NaN).
func abs32(f float32) float32 {
	return math.Float32frombits(math.Float32bits(f) &^ 0x80000000)
}

// truncInt is C's float-to-int conversion on x86 (cvttss2si): toward zero,
// with NaN and out-of-range values becoming math.MinInt32.
func truncInt(f float32) int32 {
	if !(f > -2147483904 && f < 2147483648) { // also catches NaN
		return math.MinInt32
	}
	return int32(f)
}

// roundEvenInt is x86 round-to-nearest-even followed by cvtps2dq: NaN and
// out-of-range values become math.MinInt32.
func roundEvenInt(f float32) int32 {
	if abs32(f) <= 4194303 {
		return nearestInt(f) // exact in this range, and much cheaper
	}
	r := float32(math.RoundToEven(float64(f)))
	if !(r >= -2147483648 && r < 2147483648) {
		return math.MinInt32
	}
	return int32(r)
}

// satInt8 saturates like x86's packssdw followed by packsswb.
func satInt8(v int32) int8 {
	if v > 127 {
		return 127
	}
	if v < -128 {
		return -128
	}
	return int8(v)
}

const maxFloat32 = math.MaxFloat32
