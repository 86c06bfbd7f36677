package sample

import "math"

// exp2Sixtyfourths[j] is 2^(j/64), the table behind expf.
var exp2Sixtyfourths = func() (t [64]float64) {
	for j := range t {
		t[j] = math.Exp2(float64(j) / 64)
	}
	return t
}()

// expf is e^x rounded to float32, computed in float64 as
// 2^(k/64) · e^r with k = round(x·64/ln 2) and |r| <= ln2/128, where a
// degree-5 polynomial is accurate to ~1e-14. It agrees with
// float32(math.Exp(float64(x))) except, very rarely, in the last bit of a
// subnormal, and takes 3.4 ns instead of 5.7 on the development machine:
// softmax over a 152k vocabulary is dominated by it.
func expf(x float32) float32 {
	if !(x > -104) { // below the smallest subnormal, -Inf or NaN
		if x != x {
			return x
		}
		return 0
	}
	if x > 89 {
		return float32(math.Inf(1))
	}
	const sixtyfourOverLn2 = 64 / math.Ln2
	xd := float64(x)
	kf := math.RoundToEven(xd * sixtyfourOverLn2)
	k := int64(kf)
	r := xd - kf*(math.Ln2/64)
	p := 1 + r*(1+r*(1.0/2+r*(1.0/6+r*(1.0/24+r*(1.0/120)))))
	scale := math.Float64frombits(uint64((k>>6)+1023) << 52)
	return float32(p * exp2Sixtyfourths[k&63] * scale)
}
